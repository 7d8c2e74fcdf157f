package virtio

import (
	"errors"
	"math/rand"
	"slices"
	"strings"
	"testing"
)

// testDisk is a fake device on a fake board, probed through Probe.
type testDisk struct {
	mem   *fakeMem
	dev   *fakeBlock
	clock *fakeClock
	b     *Block
}

const testSectors = 64 * sectorsPerPage // 64 pages, 256 KiB

// newTestDisk probes one fake block device; adjust may change the device
// before the probe.
func newTestDisk(t *testing.T, adjust func(*fakeBlock)) *testDisk {
	t.Helper()
	d := &testDisk{mem: newFakeMem(1 << 20), clock: &fakeClock{step: 1000}}
	d.dev = newFakeBlock(d.mem, testSectors)
	if adjust != nil {
		adjust(d.dev)
	}
	disks, err := Probe(Config{Windows: []Window{{Base: 0xfeb00000, Regs: d.dev}}, DMA: d.mem, Nanotime: d.clock.now})
	if err != nil {
		t.Fatalf("Probe: %v", err)
	}
	if len(disks) != 1 {
		t.Fatalf("Probe found %d disks, want 1", len(disks))
	}
	d.b = disks[0]
	t.Cleanup(func() { d.expectNoViolations(t) })
	return d
}

func (d *testDisk) expectNoViolations(t *testing.T) {
	t.Helper()
	d.dev.mu.Lock()
	defer d.dev.mu.Unlock()
	if len(d.dev.violations) > 0 {
		t.Errorf("device saw protocol violations:\n%s", strings.Join(d.dev.violations, "\n"))
	}
}

func pageOf(seed byte) *[PageSize]byte {
	p := new([PageSize]byte)
	for i := range p {
		p[i] = seed + byte(i*31)
	}
	return p
}

func TestProbeSkipsEmptyAndOtherSlots(t *testing.T) {
	mem := newFakeMem(1 << 20)
	empty := newFakeBlock(mem, 0)
	empty.deviceID = deviceIDNone
	net := newFakeBlock(mem, 0)
	net.deviceID = 1
	noMagic := newFakeBlock(mem, 0)
	noMagic.magic = 0
	disk := newFakeBlock(mem, testSectors+3) // a partial page at the end
	clock := &fakeClock{step: 1}
	disks, err := Probe(Config{
		Windows: []Window{{0x1000, empty}, {0x1200, net}, {0x1400, noMagic}, {0x1600, disk}},
		DMA:     mem, Nanotime: clock.now,
	})
	if err != nil || len(disks) != 1 {
		t.Fatalf("Probe = %d disks, %v; want 1, nil", len(disks), err)
	}
	b := disks[0]
	if b.Name() != "virtio-blk@0x1600" || b.Pages() != testSectors/sectorsPerPage || b.Sectors() != testSectors+3 {
		t.Errorf("disk %s: %d pages, %d sectors", b.Name(), b.Pages(), b.Sectors())
	}
	for _, f := range []*fakeBlock{empty, net, noMagic} {
		if len(f.statusWrites) != 0 || len(f.violations) != 0 {
			t.Errorf("ignored slot touched: status writes %v, violations %v", f.statusWrites, f.violations)
		}
	}
}

func TestInitSequenceFollowsTheSpec(t *testing.T) {
	d := newTestDisk(t, nil)
	want := []uint32{0, statusAcknowledge, statusAcknowledge | statusDriver,
		statusAcknowledge | statusDriver | statusFeaturesOK,
		statusAcknowledge | statusDriver | statusFeaturesOK | statusDriverOK}
	if !slices.Equal(d.dev.statusWrites, want) {
		t.Errorf("status writes %v, want %v (§3.1.1)", d.dev.statusWrites, want)
	}
	if d.dev.queueSetAt != 4 {
		t.Errorf("queue made ready after %d status writes, want 4 (after FEATURES_OK, before DRIVER_OK)", d.dev.queueSetAt)
	}
	if d.dev.accepted != featureVersion1|blkFeatureFlush|blkFeatureSegMax {
		t.Errorf("accepted features %#x", d.dev.accepted)
	}
	if d.dev.queueNum != DefaultQueueSize {
		t.Errorf("queue size %d, want %d", d.dev.queueNum, DefaultQueueSize)
	}
}

func TestProbeErrors(t *testing.T) {
	cases := []struct {
		name   string
		adjust func(*fakeBlock)
		want   error
	}{
		{"legacy transport", func(f *fakeBlock) { f.version = mmioVersionLegacy }, ErrLegacy},
		{"no VERSION_1", func(f *fakeBlock) { f.offered &^= featureVersion1 }, ErrFeatures},
		{"FEATURES_OK refused", func(f *fakeBlock) { f.refuseFeatures = true }, ErrFeatures},
		{"no queue", func(f *fakeBlock) { f.queueNumMax = 0 }, ErrQueue},
		{"queue too small", func(f *fakeBlock) { f.queueNumMax = 2 }, ErrQueue},
		{"size_max below a page", func(f *fakeBlock) { f.offered |= blkFeatureSizeMax; f.sizeMax = 512 }, ErrFeatures},
		{"config never settles", func(f *fakeBlock) { f.genFlips = 1000 }, ErrTimeout},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			mem := newFakeMem(1 << 20)
			f := newFakeBlock(mem, testSectors)
			c.adjust(f)
			clock := &fakeClock{step: 1}
			disks, err := Probe(Config{Windows: []Window{{0x2000, f}}, DMA: mem, Nanotime: clock.now})
			if len(disks) != 0 || !errors.Is(err, c.want) {
				t.Fatalf("Probe = %d disks, %v; want 0, %v", len(disks), err, c.want)
			}
			if c.want != ErrLegacy && f.status&statusFailed == 0 {
				t.Errorf("status %#x: FAILED not set after a failed init", f.status)
			}
		})
	}
}

func TestConfigGenerationRetry(t *testing.T) {
	d := newTestDisk(t, func(f *fakeBlock) { f.genFlips = 3 })
	if d.b.Pages() != testSectors/sectorsPerPage {
		t.Errorf("pages %d after config generation changes", d.b.Pages())
	}
}

func TestReadWritePages(t *testing.T) {
	d := newTestDisk(t, nil)
	for n := uint64(0); n < d.b.Pages(); n += 7 {
		if err := d.b.WritePage(n, pageOf(byte(n))); err != nil {
			t.Fatalf("WritePage(%d): %v", n, err)
		}
	}
	for n := uint64(0); n < d.b.Pages(); n++ {
		want := new([PageSize]byte)
		if n%7 == 0 {
			want = pageOf(byte(n))
		}
		if img := d.dev.disk[n*PageSize : (n+1)*PageSize]; string(img) != string(want[:]) {
			t.Fatalf("disk image page %d differs from what was written", n)
		}
		got := pageOf(0xee)
		if err := d.b.ReadPage(n, got); err != nil {
			t.Fatalf("ReadPage(%d): %v", n, err)
		}
		if *got != *want {
			t.Fatalf("ReadPage(%d) differs from what was written", n)
		}
	}
	r := d.dev.requests[0]
	if r.typ != reqTypeOut || r.sector != 0 {
		t.Errorf("first request %+v, want a write of sector 0", r)
	}
	if r := d.dev.requests[1]; r.typ != reqTypeOut || r.sector != 7*sectorsPerPage {
		t.Errorf("second request %+v, want a write of sector %d", r, 7*sectorsPerPage)
	}
}

func TestOutOfRangeNeverReachesTheDevice(t *testing.T) {
	d := newTestDisk(t, nil)
	p := new([PageSize]byte)
	for _, n := range []uint64{d.b.Pages(), d.b.Pages() + 1, 1 << 62, ^uint64(0)} {
		if err := d.b.ReadPage(n, p); !errors.Is(err, ErrOutOfRange) {
			t.Errorf("ReadPage(%d) = %v, want ErrOutOfRange", n, err)
		}
		if err := d.b.WritePage(n, p); !errors.Is(err, ErrOutOfRange) {
			t.Errorf("WritePage(%d) = %v, want ErrOutOfRange", n, err)
		}
	}
	if err := d.b.ReadPage(0, nil); !errors.Is(err, ErrNilPage) {
		t.Errorf("ReadPage(0, nil) = %v, want ErrNilPage", err)
	}
	if d.dev.notifies != 0 {
		t.Errorf("device notified %d times for rejected requests", d.dev.notifies)
	}
}

func TestIOErrorIsReportedAndTheDiskStaysUsable(t *testing.T) {
	d := newTestDisk(t, func(f *fakeBlock) { f.ioErrorSector[5*sectorsPerPage] = true })
	p := new([PageSize]byte)
	if err := d.b.ReadPage(5, p); !errors.Is(err, ErrIO) || !strings.Contains(err.Error(), "read page 5") {
		t.Fatalf("ReadPage(5) = %v, want ErrIO naming the page", err)
	}
	if err := d.b.WritePage(5, p); !errors.Is(err, ErrIO) {
		t.Fatalf("WritePage(5) = %v, want ErrIO", err)
	}
	if err := d.b.ReadPage(4, p); err != nil {
		t.Fatalf("ReadPage(4) after an I/O error: %v", err)
	}
	if err := d.b.Failed(); err != nil {
		t.Fatalf("Failed after a sector's I/O error = %v: a bad sector is not a dead disk", err)
	}
}

func TestFlush(t *testing.T) {
	d := newTestDisk(t, nil)
	if err := d.b.Flush(); err != nil {
		t.Fatal(err)
	}
	if r := d.dev.requests[len(d.dev.requests)-1]; r.typ != reqTypeFlush || r.sector != 0 {
		t.Errorf("flush sent as %+v", r)
	}

	noFlush := newTestDisk(t, func(f *fakeBlock) { f.offered &^= blkFeatureFlush })
	if err := noFlush.b.Flush(); err != nil || noFlush.dev.notifies != 0 {
		t.Errorf("Flush without VIRTIO_BLK_F_FLUSH = %v after %d notifies, want nil without a request", err, noFlush.dev.notifies)
	}

	unsupp := newTestDisk(t, func(f *fakeBlock) { f.unsupportFlush = true })
	if err := unsupp.b.Flush(); !errors.Is(err, ErrUnsupported) {
		t.Errorf("Flush = %v, want ErrUnsupported", err)
	}
}

func TestReadOnlyDisk(t *testing.T) {
	d := newTestDisk(t, func(f *fakeBlock) { f.offered |= blkFeatureRO })
	if err := d.b.WritePage(0, new([PageSize]byte)); !errors.Is(err, ErrReadOnly) || d.dev.notifies != 0 {
		t.Errorf("WritePage on a read-only disk = %v after %d notifies", err, d.dev.notifies)
	}
	if err := d.b.ReadPage(0, new([PageSize]byte)); err != nil {
		t.Errorf("ReadPage on a read-only disk: %v", err)
	}
}

func TestDeviceFailuresBreakTheDisk(t *testing.T) {
	cases := []struct {
		name   string
		adjust func(*fakeBlock)
		want   error
	}{
		{"dead device", func(f *fakeBlock) { f.dead = true }, ErrTimeout},
		{"needs reset", func(f *fakeBlock) { f.needsResetOnReq = true }, ErrNeedsReset},
		{"wrong used id", func(f *fakeBlock) { f.wrongID = true }, ErrProtocol},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := newTestDisk(t, nil)
			c.adjust(d.dev)
			if err := d.b.Failed(); err != nil {
				t.Fatalf("Failed before any request = %v", err)
			}
			p := new([PageSize]byte)
			if err := d.b.ReadPage(1, p); !errors.Is(err, c.want) {
				t.Fatalf("ReadPage = %v, want %v", err, c.want)
			}
			if err := d.b.Failed(); !errors.Is(err, c.want) {
				t.Fatalf("Failed after the failure = %v, want %v", err, c.want)
			}
			if err := d.b.WritePage(1, p); !errors.Is(err, ErrBroken) || !errors.Is(err, c.want) {
				t.Fatalf("WritePage after the failure = %v, want ErrBroken and %v", err, c.want)
			}
		})
	}
}

func TestBadStatusByte(t *testing.T) {
	for _, adjust := range []func(*fakeBlock){
		func(f *fakeBlock) { f.badStatus = 7 },
		func(f *fakeBlock) { f.skipStatus = true },
	} {
		d := newTestDisk(t, nil)
		adjust(d.dev)
		if err := d.b.ReadPage(0, new([PageSize]byte)); !errors.Is(err, ErrProtocol) {
			t.Errorf("ReadPage = %v, want ErrProtocol", err)
		}
	}
}

// TestManyRequestsWrapTheRings runs more requests than the 16-bit ring
// indices count, checking every page against a model of the disk, so the
// available and used idx wrap at 65536 and the ring slots and descriptors
// are reused many times.
func TestManyRequestsWrapTheRings(t *testing.T) {
	if testing.Short() {
		t.Skip("70000 requests")
	}
	d := newTestDisk(t, nil)
	model := make([][PageSize]byte, d.b.Pages())
	rng := rand.New(rand.NewSource(1))
	const requests = 70000
	heads := map[uint16]bool{}
	for i := 0; i < requests; i++ {
		n := uint64(rng.Intn(len(model)))
		if rng.Intn(2) == 0 {
			p := pageOf(byte(i))
			if err := d.b.WritePage(n, p); err != nil {
				t.Fatalf("request %d: %v", i, err)
			}
			model[n] = *p
			continue
		}
		p := new([PageSize]byte)
		if err := d.b.ReadPage(n, p); err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		if *p != model[n] {
			t.Fatalf("request %d: page %d differs from the model", i, n)
		}
	}
	for _, r := range d.dev.requests {
		heads[r.head] = true
	}
	if d.b.q.availIdx != requests%65536 || d.dev.usedIdx != requests%65536 || d.b.Stats().Requests != requests {
		t.Errorf("indices avail %d used %d, requests %d; want %d mod 65536", d.b.q.availIdx, d.dev.usedIdx, d.b.Stats().Requests, requests)
	}
	if len(heads) != DefaultQueueSize {
		t.Errorf("chain heads %v used, want every one of the %d descriptors (FIFO free list)", heads, DefaultQueueSize)
	}
	if d.b.q.numFree != DefaultQueueSize {
		t.Errorf("%d free descriptors after all requests, want %d", d.b.q.numFree, DefaultQueueSize)
	}
}

// TestConcurrentDevice runs the device on its own goroutine, so the driver
// really polls, and (under -race) checks that the ring barriers order the
// driver's and the device's accesses.
func TestConcurrentDevice(t *testing.T) {
	d := newTestDisk(t, func(f *fakeBlock) { f.async = make(chan struct{}, 1) })
	d.b.t.clock = clock{now: d.clock.now, timeout: 1 << 62}
	stop := make(chan struct{})
	defer close(stop)
	go d.dev.run(stop)
	done := make(chan error)
	for g := 0; g < 4; g++ {
		go func(g int) {
			var err error
			for i := 0; i < 200 && err == nil; i++ {
				n := uint64(g*16 + i%16)
				if err = d.b.WritePage(n, pageOf(byte(i))); err == nil {
					got := new([PageSize]byte)
					if err = d.b.ReadPage(n, got); err == nil && *got != *pageOf(byte(i)) {
						err = errors.New("read back differs")
					}
				}
			}
			done <- err
		}(g)
	}
	for range 4 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	if s := d.b.Stats(); s.Requests != 1600 {
		t.Errorf("stats %+v, want 1600 requests", s)
	}
}

func TestQueueLayoutAlignment(t *testing.T) {
	for size := uint16(1); size != 0 && size <= maxQueueSize; size *= 2 {
		l := layoutFor(size)
		if l.availOff != 16*int(size) || l.usedOff%usedAlign != 0 || l.usedOff < l.availOff+6+2*int(size) ||
			l.total != l.usedOff+6+8*int(size) {
			t.Errorf("size %d: layout %+v", size, l)
		}
	}
}

func TestQueueSizeIsAPowerOfTwoWithinTheDeviceMax(t *testing.T) {
	for _, c := range []struct {
		max  uint32
		cap  uint16
		want uint16
	}{{256, 0, 16}, {1024, 64, 64}, {12, 0, 8}, {5, 100, 4}, {3, 0, 0}} {
		mem := newFakeMem(1 << 20)
		f := newFakeBlock(mem, testSectors)
		f.queueNumMax = c.max
		clock := &fakeClock{step: 1}
		disks, _ := Probe(Config{Windows: []Window{{0x2000, f}}, DMA: mem, Nanotime: clock.now, QueueSize: c.cap})
		got := uint16(0)
		if len(disks) == 1 {
			got = disks[0].q.layout.size
		}
		if got != c.want {
			t.Errorf("QueueNumMax %d, cap %d: size %d, want %d", c.max, c.cap, got, c.want)
		}
	}
}

func TestDMAExhausted(t *testing.T) {
	mem := newFakeMem(4096)
	f := newFakeBlock(mem, testSectors)
	clock := &fakeClock{step: 1}
	if _, err := Probe(Config{Windows: []Window{{0x2000, f}}, DMA: mem, Nanotime: clock.now}); err == nil {
		t.Fatal("Probe with 4 KiB of DMA memory succeeded")
	}
}

func TestDMAFits(t *testing.T) {
	free := map[uint]uint{0x1000: 0x100, 0x2010: 0x2000}
	for _, c := range []struct {
		size, align uint
		want        bool
	}{{0x100, 16, true}, {0x101, 16, true}, {0x1000, 0x1000, true}, {0x1ff1, 0x1000, false}, {0x2001, 16, false}, {0x1ff0, 16, true}} {
		if got := fits(free, c.size, c.align); got != c.want {
			t.Errorf("fits(%#x, align %#x) = %v, want %v", c.size, c.align, got, c.want)
		}
	}
}
