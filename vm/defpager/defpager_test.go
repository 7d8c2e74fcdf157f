package defpager_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/tamach/tamach/boot"
	"github.com/tamach/tamach/boot/virtio"
	"github.com/tamach/tamach/vm"
	"github.com/tamach/tamach/vm/defpager"
)

// The Store contract is boot.BlockDevice's method set: the kernel hands a
// board's disk (virtio-blk) to the default pager as it is.
var (
	_ defpager.Store = boot.BlockDevice(nil)
	_ defpager.Store = (*virtio.Block)(nil)
	_ defpager.Store = (*defpager.MemStore)(nil)
	_ vm.Transferrer = (*defpager.Pager)(nil)
)

const page = defpager.PageSize

func pattern(v byte) *[page]byte {
	var b [page]byte
	for i := range b {
		b[i] = v ^ byte(i)
	}
	return &b
}

func newDP(t *testing.T, store defpager.Store, limit uint64) *defpager.DefaultPager {
	t.Helper()
	dp, err := defpager.New(store, limit)
	if err != nil {
		t.Fatal(err)
	}
	return dp
}

func check(t *testing.T, dp *defpager.DefaultPager) {
	t.Helper()
	if err := dp.Check(); err != nil {
		t.Fatal(err)
	}
}

func TestNewRejectsEmptyStores(t *testing.T) {
	if _, err := defpager.New(nil, 0); !errors.Is(err, defpager.ErrNoStore) {
		t.Errorf("nil store: %v", err)
	}
	if _, err := defpager.New(defpager.NewMemStore(0), 0); !errors.Is(err, defpager.ErrNoStore) {
		t.Errorf("empty store: %v", err)
	}
	dp := newDP(t, defpager.NewMemStore(100), 7)
	if st := dp.Stats(); st.Slots != 7 {
		t.Errorf("limit 7 gives %d slots", st.Slots)
	}
	dp = newDP(t, defpager.NewMemStore(100), 1000)
	if st := dp.Stats(); st.Slots != 100 {
		t.Errorf("limit beyond the store gives %d slots", st.Slots)
	}
}

func TestReturnRequestRewriteTerminate(t *testing.T) {
	store := defpager.NewMemStore(64)
	dp := newDP(t, store, 0)
	p := dp.NewPager()
	p.Init(8 * page)
	var got [page]byte
	if err := p.DataRequest(3*page, &got); err != nil || got != [page]byte{} {
		t.Fatalf("never-returned page: %v, not zeros", err)
	}
	for off := uint64(0); off < 8; off++ {
		if err := p.DataReturn(off*page, pattern(byte(off))); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.DataReturn(2*page, pattern(0xee)); err != nil {
		t.Fatal(err)
	}
	st := dp.Stats()
	if st.Used != 8 || st.Writes != 9 || st.Rewrites != 1 || st.Zeros != 1 {
		t.Fatalf("stats %+v", st)
	}
	for off := uint64(0); off < 8; off++ {
		want := byte(off)
		if off == 2 {
			want = 0xee
		}
		if err := p.DataRequest(off*page, &got); err != nil || got != *pattern(want) {
			t.Fatalf("offset %d: %v or wrong data", off, err)
		}
	}
	check(t, dp)
	p.Terminate()
	if st := dp.Stats(); st.Used != 0 || st.Pagers != 0 {
		t.Fatalf("after terminate: %+v", st)
	}
	if err := p.DataReturn(0, pattern(1)); !errors.Is(err, defpager.ErrTerminated) {
		t.Errorf("return after terminate: %v", err)
	}
	p.Terminate()
	check(t, dp)
}

func TestBadOffsets(t *testing.T) {
	dp := newDP(t, defpager.NewMemStore(4), 0)
	p := dp.NewPager()
	p.Init(2 * page)
	var b [page]byte
	for _, off := range []uint64{1, page + 7, 2 * page, 1 << 40} {
		if err := p.DataReturn(off, &b); !errors.Is(err, defpager.ErrBadOffset) {
			t.Errorf("return at %#x: %v", off, err)
		}
		if err := p.DataRequest(off, &b); !errors.Is(err, defpager.ErrBadOffset) {
			t.Errorf("request at %#x: %v", off, err)
		}
	}
	if st := dp.Stats(); st.Used != 0 {
		t.Errorf("bad offsets used %d slots", st.Used)
	}
}

func TestStoreFull(t *testing.T) {
	dp := newDP(t, defpager.NewMemStore(100), 5)
	a, b := dp.NewPager(), dp.NewPager()
	for off := uint64(0); off < 3; off++ {
		if err := a.DataReturn(off*page, pattern(byte(off))); err != nil {
			t.Fatal(err)
		}
	}
	for off := uint64(0); off < 2; off++ {
		if err := b.DataReturn(off*page, pattern(byte(10+off))); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.DataReturn(5*page, pattern(9)); !errors.Is(err, defpager.ErrStoreFull) {
		t.Fatalf("sixth slot: %v", err)
	}
	// A rewrite needs no new slot: it succeeds on a full store.
	if err := a.DataReturn(page, pattern(0x55)); err != nil {
		t.Fatalf("rewrite on a full store: %v", err)
	}
	a.Terminate()
	if err := b.DataReturn(5*page, pattern(9)); err != nil {
		t.Fatalf("after a terminate freed slots: %v", err)
	}
	var got [page]byte
	if err := b.DataRequest(page, &got); err != nil || got != *pattern(11) {
		t.Fatalf("b's data damaged: %v", err)
	}
	if st := dp.Stats(); st.Full != 1 || st.Used != 3 {
		t.Fatalf("stats %+v", st)
	}
	check(t, dp)
}

func TestSlotsWrapAround(t *testing.T) {
	store := defpager.NewMemStore(130) // two full words and two bits
	dp := newDP(t, store, 0)
	p := dp.NewPager()
	for round := 0; round < 3; round++ {
		q := dp.NewPager()
		for off := uint64(0); off < 130; off++ {
			if err := q.DataReturn(off*page, pattern(byte(off))); err != nil {
				t.Fatalf("round %d slot %d: %v", round, off, err)
			}
		}
		if err := p.DataReturn(0, pattern(0)); !errors.Is(err, defpager.ErrStoreFull) {
			t.Fatalf("131st slot: %v", err)
		}
		check(t, dp)
		q.Terminate()
	}
}

func TestTransfer(t *testing.T) {
	dp := newDP(t, defpager.NewMemStore(16), 0)
	src, dst := dp.NewPager().(*defpager.Pager), dp.NewPager().(*defpager.Pager)
	src.DataReturn(4*page, pattern(4))
	src.DataReturn(5*page, pattern(5))
	dst.DataReturn(0, pattern(0xd0))
	if !src.Accepts(dst) || src.Accepts(src) || src.Accepts(vm.NewMemoryPager()) {
		t.Fatal("Accepts wrong")
	}
	other := newDP(t, defpager.NewMemStore(16), 0)
	if src.Accepts(other.NewPager()) {
		t.Fatal("accepts a pager of another store")
	}
	src.Transfer(4*page, dst, 0) // replaces dst's page 0
	src.Transfer(5*page, dst, page)
	if src.Slots() != 0 || dst.Slots() != 2 || !dst.Has(0) || !dst.Has(page) {
		t.Fatalf("slots after transfer: src %d dst %d", src.Slots(), dst.Slots())
	}
	var got [page]byte
	if err := dst.DataRequest(0, &got); err != nil || got != *pattern(4) {
		t.Fatalf("moved page 4: %v", err)
	}
	if err := dst.DataRequest(page, &got); err != nil || got != *pattern(5) {
		t.Fatalf("moved page 5: %v", err)
	}
	if st := dp.Stats(); st.Used != 2 || st.Moves != 2 {
		t.Fatalf("stats %+v", st)
	}
	check(t, dp)
	func() {
		defer func() {
			if recover() == nil {
				t.Error("transfer of an absent offset did not panic")
			}
		}()
		src.Transfer(4*page, dst, 0)
	}()
	src.Terminate()
	dst.Terminate()
	if st := dp.Stats(); st.Used != 0 {
		t.Fatalf("%d slots leaked", st.Used)
	}
}

// fakeDisk is shaped like a boot.BlockDevice (Name included) and fails the
// transfers its bad map names.
type fakeDisk struct {
	*defpager.MemStore
	bad map[uint64]bool
}

var errMedium = errors.New("fake disk: medium error")

func (d *fakeDisk) Name() string { return "fake-blk" }

func newFakeDisk(pages uint64) *fakeDisk {
	d := &fakeDisk{MemStore: defpager.NewMemStore(pages), bad: map[uint64]bool{}}
	d.SetFault(func(write bool, n uint64) error {
		if d.bad[n] {
			return errMedium
		}
		return nil
	})
	return d
}

func TestBlockDeviceErrors(t *testing.T) {
	var disk boot.BlockDevice = newFakeDisk(8)
	dp := newDP(t, disk, 0)
	p := dp.NewPager()
	if err := p.DataReturn(0, pattern(1)); err != nil {
		t.Fatal(err)
	}
	disk.(*fakeDisk).bad[0] = true // the slot p's page 0 went to
	var got [page]byte
	err := p.DataRequest(0, &got)
	var ioe *defpager.IOError
	if !errors.As(err, &ioe) || ioe.Op != "read" || !errors.Is(err, errMedium) {
		t.Fatalf("read of a bad slot: %v", err)
	}
	disk.(*fakeDisk).bad[1] = true // the next slot the rotor hands out
	if err := p.DataReturn(page, pattern(2)); err != nil {
		t.Fatalf("a write that fails on one slot must go to another: %v", err)
	}
	if err := p.DataRequest(page, &got); err != nil || got != *pattern(2) {
		t.Fatalf("the page written after a retired slot reads back %v (err %v)", got[0], err)
	}
	if st := dp.Stats(); st.Used != 2 || st.ReadErr != 1 || st.WriteErr != 1 || st.Retired != 1 {
		t.Fatalf("stats %+v", st)
	}
	check(t, dp)
}

// TestRetiredSlots: a slot whose write failed is never handed out again,
// however the slots around it are freed and reused; a rewrite in place that
// fails moves the offset to a fresh slot; when every try fails the page is
// refused and nothing is mapped.
func TestRetiredSlots(t *testing.T) {
	disk := newFakeDisk(16)
	dp := newDP(t, disk, 0)
	var retired []uint64
	dp.OnRetire = func(slot uint64, err error) {
		if !errors.Is(err, errMedium) {
			t.Errorf("OnRetire(%d, %v): not the disk's error", slot, err)
		}
		retired = append(retired, slot)
	}
	disk.bad[3], disk.bad[5] = true, true
	p := dp.NewPager()
	for i := uint64(0); i < 8; i++ {
		if err := p.DataReturn(i*page, pattern(byte(i))); err != nil {
			t.Fatalf("page %d: %v", i, err)
		}
	}
	if fmt.Sprint(retired) != "[3 5]" {
		t.Fatalf("retired %v, want [3 5]", retired)
	}
	check(t, dp)
	// Free everything, write again: slots 3 and 5 stay out of use.
	p.Terminate()
	disk.bad[3], disk.bad[5] = false, false
	q := dp.NewPager()
	for i := uint64(0); i < 14; i++ {
		if err := q.DataReturn(i*page, pattern(byte(i))); err != nil {
			t.Fatalf("second round, page %d: %v", i, err)
		}
	}
	if err := q.DataReturn(14*page, pattern(14)); !errors.Is(err, defpager.ErrStoreFull) {
		t.Fatalf("15th page on a 16-slot store with 2 retired: %v, want ErrStoreFull", err)
	}
	check(t, dp)
	// A rewrite in place that fails goes to a fresh slot: free one first.
	if err := q.(*defpager.Pager).DataReturn(0, pattern(0)); err != nil {
		t.Fatal(err)
	}
	q.Terminate()
	r := dp.NewPager()
	if err := r.DataReturn(0, pattern(7)); err != nil {
		t.Fatal(err)
	}
	disk.bad[0] = true // the lowest free slot, which r's page 0 took
	if err := r.DataReturn(0, pattern(8)); err != nil {
		t.Fatalf("rewrite after its slot went bad: %v", err)
	}
	var got [page]byte
	disk.bad = map[uint64]bool{}
	if err := r.DataRequest(0, &got); err != nil || got != *pattern(8) {
		t.Fatalf("rewritten page reads %v (err %v)", got[0], err)
	}
	check(t, dp)
	// Every slot failing: the page is refused, nothing is mapped.
	for n := range uint64(16) {
		disk.bad[n] = true
	}
	s := dp.NewPager()
	var ioe *defpager.IOError
	if err := s.DataReturn(0, pattern(9)); !errors.As(err, &ioe) && !errors.Is(err, defpager.ErrStoreFull) {
		t.Fatalf("every slot failing: %v", err)
	}
	if s.(*defpager.Pager).Has(0) {
		t.Fatal("a refused page is mapped")
	}
	if st := dp.Stats(); st.Retired < 4 {
		t.Fatalf("stats %+v: want at least 4 retired slots", st)
	}
	check(t, dp)
	if got := dp.String(); got != "default pager on fake-blk" {
		t.Errorf("String() = %q", got)
	}
}

// BenchmarkDataReturn measures the default pager alone: one page written
// to a slot of an in-memory store (slots reused round after round, as in
// steady paging).
func BenchmarkDataReturn(b *testing.B) {
	const slots = 1024
	dp, _ := defpager.New(defpager.NewMemStore(slots), 0)
	src := pattern(3)
	var p vm.Pager
	b.SetBytes(page)
	for i := 0; i < b.N; i++ {
		if i%slots == 0 {
			if p != nil {
				p.Terminate()
			}
			p = dp.NewPager()
		}
		if err := p.DataReturn(uint64(i%slots)*page, src); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDataRequest measures reading one stored page back.
func BenchmarkDataRequest(b *testing.B) {
	dp, _ := defpager.New(defpager.NewMemStore(1024), 0)
	p := dp.NewPager()
	for i := uint64(0); i < 1024; i++ {
		p.DataReturn(i*page, pattern(byte(i)))
	}
	var dst [page]byte
	b.SetBytes(page)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := p.DataRequest(uint64(i%1024)*page, &dst); err != nil {
			b.Fatal(err)
		}
	}
}

// deadDisk is a store whose device stops answering after a number of
// transfers: every request after that fails with errTimeout, and Failed
// says so, as virtio-blk's Block does after a request times out.
type deadDisk struct {
	*defpager.MemStore
	left  int // transfers that still succeed
	tries int // transfers attempted
	dead  error
}

var errTimeout = errors.New("fake-blk: request not completed within 2000 ms")

func (d *deadDisk) transfer() error {
	d.tries++
	if d.dead == nil && d.left == 0 {
		d.dead = errTimeout
	}
	d.left--
	return d.dead
}

func (d *deadDisk) ReadPage(n uint64, p *[page]byte) error {
	if err := d.transfer(); err != nil {
		return err
	}
	return d.MemStore.ReadPage(n, p)
}

func (d *deadDisk) WritePage(n uint64, p *[page]byte) error {
	if err := d.transfer(); err != nil {
		return err
	}
	return d.MemStore.WritePage(n, p)
}

func (d *deadDisk) Failed() error { return d.dead }

// TestDeviceStopsAnswering: when the disk's device stops answering, the
// default pager reports it once, retires no slot (the slots are not bad),
// and fails every later transfer at once without touching the device: a
// page-out leaves the page with the vm, a page-in fails with
// ErrDeviceFailed (the vm kills the task that needed it with
// KERN_MEMORY_ERROR). The slot accounting stays consistent.
func TestDeviceStopsAnswering(t *testing.T) {
	disk := &deadDisk{MemStore: defpager.NewMemStore(64), left: 3}
	dp := newDP(t, disk, 0)
	var fails []error
	dp.OnFail = func(err error) { fails = append(fails, err) }
	dp.OnRetire = func(slot uint64, err error) { t.Errorf("slot %d retired for a dead device: %v", slot, err) }
	p := dp.NewPager()
	for i := range uint64(3) {
		if err := p.DataReturn(i*page, pattern(byte(i))); err != nil {
			t.Fatalf("page %d before the device failed: %v", i, err)
		}
	}
	err := p.DataReturn(3*page, pattern(3))
	if !errors.Is(err, defpager.ErrDeviceFailed) || !errors.Is(err, errTimeout) {
		t.Fatalf("page-out as the device fails: %v, want ErrDeviceFailed wrapping the timeout", err)
	}
	tries := disk.tries
	if tries != 4 {
		t.Errorf("%d transfers tried, want 4: the failed one must not be retried on other slots", tries)
	}
	if err := p.DataReturn(4*page, pattern(4)); !errors.Is(err, defpager.ErrDeviceFailed) {
		t.Errorf("page-out after the failure: %v, want ErrDeviceFailed", err)
	}
	var got [page]byte
	if err := p.DataRequest(0, &got); !errors.Is(err, defpager.ErrDeviceFailed) {
		t.Errorf("page-in after the failure: %v, want ErrDeviceFailed", err)
	}
	if disk.tries != tries {
		t.Errorf("the dead device was asked %d more times", disk.tries-tries)
	}
	if len(fails) != 1 || !errors.Is(fails[0], errTimeout) {
		t.Errorf("OnFail called with %v, want once with the timeout", fails)
	}
	st := dp.Stats()
	if !st.Failed || st.Retired != 0 || st.Used != 3 {
		t.Errorf("stats %+v: want Failed, 0 retired, the 3 written slots still used", st)
	}
	check(t, dp)
	p.Terminate()
	check(t, dp)
	if st := dp.Stats(); st.Used != 0 {
		t.Errorf("%d slots used after Terminate", st.Used)
	}
}
