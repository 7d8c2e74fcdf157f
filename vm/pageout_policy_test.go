package vm_test

import (
	"errors"
	"testing"
	"time"

	"github.com/tamach/tamach/pmap"
	"github.com/tamach/tamach/vm"
	"github.com/tamach/tamach/vm/defpager"
	"github.com/tamach/tamach/vm/vmtest"
)

// pagingEnv is an Env whose anonymous memory pages to a default pager over
// store, using at most slots of it (0: all).
func pagingEnv(t testing.TB, poolPages int, store defpager.Store, slots uint64) (*vmtest.Env, *defpager.DefaultPager) {
	t.Helper()
	env := newEnv(t, vmtest.Options{PoolPages: poolPages})
	dp, err := defpager.New(store, slots)
	if err != nil {
		t.Fatal(err)
	}
	env.VM.SetDefaultPager(dp.NewPager)
	return env, dp
}

// checkPaging runs every consistency check: vm invariants, object and
// pager agreement, the pager's bitmap.
func checkPaging(t testing.TB, env *vmtest.Env, dp *defpager.DefaultPager) {
	t.Helper()
	check(t, env)
	if err := env.VM.CheckPagers(); err != nil {
		t.Fatal(err)
	}
	if err := dp.Check(); err != nil {
		t.Fatal(err)
	}
}

// checkNoSlots verifies, after every map is gone, that nothing leaked: no
// page, no object, no slot, no pager.
func checkNoSlots(t testing.TB, env *vmtest.Env, dp *defpager.DefaultPager) {
	t.Helper()
	if err := env.CheckEmpty(); err != nil {
		t.Fatal(err)
	}
	if err := dp.Check(); err != nil {
		t.Fatal(err)
	}
	if st := dp.Stats(); st.Used != 0 || st.Pagers != 0 {
		t.Fatalf("%d slots and %d pagers leaked", st.Used, st.Pagers)
	}
}

// stamp is the byte written at offset 8*k of page n of a test region.
func stamp(n, k int) byte { return byte(n*7 + k*13 + 1) }

// writePages stores the stamps into pages [first, first+n) of the region
// at base; it stops at the first error and reports how many pages were
// written.
func writePages(cpu *vmtest.CPU, base vm.VAddr, first, n int) (int, error) {
	for i := first; i < first+n; i++ {
		for k := 0; k < 4; k++ {
			if err := cpu.Store8(base+vm.VAddr(i)*page+vm.VAddr(k*1000), stamp(i, k)); err != nil {
				return i - first, err
			}
		}
	}
	return n, nil
}

// verifyPages checks the stamps of pages [first, first+n).
func verifyPages(t testing.TB, cpu *vmtest.CPU, base vm.VAddr, first, n int) {
	t.Helper()
	for i := first; i < first+n; i++ {
		for k := 0; k < 4; k++ {
			v, err := cpu.Load8(base + vm.VAddr(i)*page + vm.VAddr(k*1000))
			if err != nil || v != stamp(i, k) {
				t.Fatalf("page %d byte %d: %#x, %v; want %#x", i, k*1000, v, err, stamp(i, k))
			}
		}
	}
}

func TestPageoutTargets(t *testing.T) {
	env := newEnv(t, vmtest.Options{PoolPages: 256})
	if got := env.VM.PageoutTargets(); got != (vm.PageoutTargets{FreeMin: 12, FreeTarget: 18}) {
		t.Errorf("256 frames: %+v", got)
	}
	small := newEnv(t, vmtest.Options{PoolPages: 8})
	if got := small.VM.PageoutTargets(); got.FreeTarget > 4 || got.FreeMin > 2 {
		t.Errorf("8 frames: %+v", got)
	}
	for _, bad := range []vm.PageoutTargets{{FreeMin: -1, FreeTarget: 3}, {FreeMin: 5, FreeTarget: 4}, {FreeMin: 1, FreeTarget: 256}} {
		wantCode(t, env.VM.SetPageoutTargets(bad), vm.KernInvalidArgument)
	}
	want := vm.PageoutTargets{FreeMin: 30, FreeTarget: 60}
	wantCode(t, env.VM.SetPageoutTargets(want), vm.KernSuccess)
	if got := env.VM.PageoutTargets(); got != want {
		t.Errorf("set %+v, got %+v", want, got)
	}
	// The thresholds take effect: touching the whole pool keeps at
	// least FreeMin frames free once pageout has run.
	env2, dp := pagingEnv(t, 256, defpager.NewMemStore(1024), 0)
	wantCode(t, env2.VM.SetPageoutTargets(want), vm.KernSuccess)
	m := newMap(t, env2)
	base, _ := m.Allocate(0, 512*page, vm.FlagsAnywhere)
	if _, err := writePages(env2.CPU(m), base, 0, 512); err != nil {
		t.Fatal(err)
	}
	if free := env2.VM.FreePages(); free < want.FreeMin-1 {
		t.Errorf("%d frames free, FreeMin %d", free, want.FreeMin)
	}
	verifyPages(t, env2.CPU(m), base, 0, 512)
	checkPaging(t, env2, dp)
	m.Destroy()
	checkNoSlots(t, env2, dp)
}

// TestPageoutRoundTrip writes four times the pool, then reads it all back:
// every page goes to the store and returns with its bytes.
func TestPageoutRoundTrip(t *testing.T) {
	env, dp := pagingEnv(t, 256, defpager.NewMemStore(2048), 0)
	m := newMap(t, env)
	base, _ := m.Allocate(0, 1024*page, vm.FlagsAnywhere)
	cpu := env.CPU(m)
	if _, err := writePages(cpu, base, 0, 1024); err != nil {
		t.Fatal(err)
	}
	verifyPages(t, cpu, base, 0, 1024)
	st := env.VM.Statistics()
	if st.Pageouts < 1024-256 || st.Pageins < 1024-256 {
		t.Errorf("%d pageouts, %d pageins for 1024 pages in 256 frames", st.Pageouts, st.Pageins)
	}
	checkPaging(t, env, dp)
	// Writing again rewrites the slots the pages already have.
	if _, err := writePages(cpu, base, 0, 1024); err != nil {
		t.Fatal(err)
	}
	if ps := dp.Stats(); ps.Used > 1024 || ps.Rewrites == 0 {
		t.Errorf("store %+v after a second pass", ps)
	}
	m.Destroy()
	checkNoSlots(t, env, dp)
}

// TestPageoutShadowChain: after a fork both sides write, everything is
// paged out, and each side reads back its own data: a page paged out of a
// shadow comes back into that shadow, not into the object below.
func TestPageoutShadowChain(t *testing.T) {
	env, dp := pagingEnv(t, 128, defpager.NewMemStore(1024), 0)
	parent := newMap(t, env)
	base, _ := parent.Allocate(0, 64*page, vm.FlagsAnywhere)
	pc := env.CPU(parent)
	if _, err := writePages(pc, base, 0, 64); err != nil {
		t.Fatal(err)
	}
	env.VM.ReclaimAll(true) // the original's pages go to its pager
	pm, err := env.Pmap.Create(pmap.KindUser)
	if err != nil {
		t.Fatal(err)
	}
	child, err := parent.Fork(pm)
	if err != nil {
		t.Fatal(err)
	}
	cc := env.CPU(child)
	for i := 0; i < 64; i += 2 { // parent writes even pages, child odd ones
		pc.Store8(base+vm.VAddr(i)*page, 0xa0)
		cc.Store8(base+vm.VAddr(i+1)*page, 0xc0)
	}
	if n := env.VM.ReclaimAll(true); n == 0 {
		t.Fatal("nothing paged out")
	}
	checkPaging(t, env, dp)
	for i := 0; i < 64; i++ {
		pv, _ := pc.Load8(base + vm.VAddr(i)*page)
		cv, _ := cc.Load8(base + vm.VAddr(i)*page)
		wantP, wantC := stamp(i, 0), stamp(i, 0)
		if i%2 == 0 {
			wantP = 0xa0
		} else {
			wantC = 0xc0
		}
		if pv != wantP || cv != wantC {
			t.Fatalf("page %d: parent %#x (want %#x), child %#x (want %#x)", i, pv, wantP, cv, wantC)
		}
	}
	if st := dp.Stats(); st.Pagers < 3 {
		t.Errorf("%d pagers: the original and both shadows should each have one", st.Pagers)
	}
	// The child exits: collapse merges the original into the parent's
	// shadow, moving the slots the parent still needs.
	env.VM.ReclaimAll(true)
	child.Destroy()
	checkPaging(t, env, dp)
	if st, ps := env.VM.Statistics(), dp.Stats(); st.Collapses == 0 || st.Transfers == 0 || ps.Moves != st.Transfers {
		t.Errorf("collapse moved no slot: %d collapses, %d transfers, %d slot moves", st.Collapses, st.Transfers, ps.Moves)
	}
	for i := 0; i < 64; i++ {
		want := stamp(i, 0)
		if i%2 == 0 {
			want = 0xa0
		}
		if v, err := pc.Load8(base + vm.VAddr(i)*page); err != nil || v != want {
			t.Fatalf("after the child exits, page %d: %#x, %v; want %#x", i, v, err, want)
		}
	}
	parent.Destroy()
	checkNoSlots(t, env, dp)
}

// TestPageoutStoreFull fills a small store: the page that cannot be
// written stays resident, the allocation that finds no frame gets
// KERN_RESOURCE_SHORTAGE (after a bounded scan), and every page written
// before is intact.
func TestPageoutStoreFull(t *testing.T) {
	env, dp := pagingEnv(t, 64, defpager.NewMemStore(1024), 48)
	m, other := newMap(t, env), newMap(t, env)
	spare, _ := other.Allocate(0, 16*page, vm.FlagsAnywhere)
	if _, err := writePages(env.CPU(other), spare, 0, 16); err != nil {
		t.Fatal(err)
	}
	base, _ := m.Allocate(0, 256*page, vm.FlagsAnywhere)
	cpu := env.CPU(m)
	done := make(chan struct{})
	var n int
	var err error
	go func() {
		n, err = writePages(cpu, base, 0, 256)
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("writing into a full store did not return: pageout loops")
	}
	wantCode(t, err, vm.KernResourceShortage)
	st := env.VM.Statistics()
	t.Logf("%d pages written before the shortage; pageouts %d, refused %d, store %+v", n, st.Pageouts, st.PageoutErrors, dp.Stats())
	if st.PageoutErrors == 0 || n < 48 {
		t.Errorf("store full after %d pages with %d refusals", n, st.PageoutErrors)
	}
	checkPaging(t, env, dp)
	// The other task exits, which gives slots (and frames) back: every
	// page written before the shortage reads back.
	other.Destroy()
	verifyPages(t, cpu, base, 0, n)
	checkPaging(t, env, dp)
	m.Destroy()
	checkNoSlots(t, env, dp)
}

// faultyDisk is a boot.BlockDevice-shaped store whose reads and writes can
// be made to fail.
type faultyDisk struct {
	*defpager.MemStore
	failReads, failWrites bool
}

var errDisk = errors.New("faulty disk: I/O error")

func newFaultyDisk(pages uint64) *faultyDisk {
	d := &faultyDisk{MemStore: defpager.NewMemStore(pages)}
	d.SetFault(func(write bool, n uint64) error {
		if write && d.failWrites || !write && d.failReads {
			return errDisk
		}
		return nil
	})
	return d
}

func (d *faultyDisk) Name() string { return "faulty-blk" }

// TestPageoutIOErrors: a failed page-out keeps the page resident with its
// data; a failed page-in is KERN_MEMORY_ERROR for the access, and the data
// is still there once the disk recovers.
func TestPageoutIOErrors(t *testing.T) {
	disk := newFaultyDisk(512)
	env, dp := pagingEnv(t, 64, disk, 0)
	m := newMap(t, env)
	base, _ := m.Allocate(0, 32*page, vm.FlagsAnywhere)
	cpu := env.CPU(m)
	if _, err := writePages(cpu, base, 0, 32); err != nil {
		t.Fatal(err)
	}
	disk.failWrites = true
	env.VM.ReclaimAll(true)
	st := env.VM.Statistics()
	if st.Pageouts != 0 || st.PageoutErrors < 32 {
		t.Fatalf("failing disk: %d pageouts, %d refused", st.Pageouts, st.PageoutErrors)
	}
	verifyPages(t, cpu, base, 0, 32)
	if env.VM.Statistics().Pageins != 0 {
		t.Fatal("pages that could not be written were freed")
	}
	disk.failWrites = false
	if n := env.VM.ReclaimAll(true); n < 32 {
		t.Fatalf("recovered disk: %d pages out", n)
	}
	disk.failReads = true
	_, err := cpu.Load8(base + 5*page)
	wantCode(t, err, vm.KernMemoryError)
	checkPaging(t, env, dp)
	disk.failReads = false
	verifyPages(t, cpu, base, 0, 32)
	m.Destroy()
	checkNoSlots(t, env, dp)
}

// TestPageoutSecondChance: pages touched between every allocation stay
// resident while a stream of cold pages flows through the pool, and
// wired pages are never paged out.
func TestPageoutSecondChance(t *testing.T) {
	env, dp := pagingEnv(t, 64, defpager.NewMemStore(1024), 0)
	m := newMap(t, env)
	hot, _ := m.Allocate(0, 8*page, vm.FlagsAnywhere)
	wired, _ := m.Allocate(0, 4*page, vm.FlagsAnywhere)
	cold, _ := m.Allocate(0, 400*page, vm.FlagsAnywhere)
	cpu := env.CPU(m)
	writePages(cpu, hot, 0, 8)
	writePages(cpu, wired, 0, 4)
	if err := m.Wire(wired, 4*page, vm.ProtRead); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 400; i++ {
		if err := cpu.Store8(cold+vm.VAddr(i)*page, 1); err != nil {
			t.Fatal(err)
		}
		verifyPages(t, cpu, hot, 0, 8)
	}
	st := env.VM.Statistics()
	t.Logf("pageouts %d pageins %d reactivations %d reclaims %d", st.Pageouts, st.Pageins, st.Reactivations, st.Reclaims)
	if st.Pageouts < 300 {
		t.Errorf("only %d pageouts for 400 cold pages in 64 frames", st.Pageouts)
	}
	if st.Pageins > 4 {
		t.Errorf("hot pages paged in %d times: second chance does not protect them", st.Pageins)
	}
	env.VM.ReclaimAll(true)
	before := env.VM.Statistics().Pageins
	verifyPages(t, cpu, wired, 0, 4)
	if got := env.VM.Statistics().Pageins; got != before {
		t.Errorf("wired pages were paged out (%d pageins)", got-before)
	}
	checkPaging(t, env, dp)
	m.Destroy()
	checkNoSlots(t, env, dp)
}

// TestPageoutDaemon: with FreeMin 0 allocations never page out
// themselves until the pool is empty, so frames freed while free pages are
// below FreeTarget are the daemon's work. The task touches its memory only
// while the daemon is stopped: the simulated MMU reads page tables without
// the vm lock (hardware does too; on one CPU the kernel runs the daemon
// only while no task runs), so the wakeups come from Map.Fault, which
// takes it.
func TestPageoutDaemon(t *testing.T) {
	env, dp := pagingEnv(t, 128, defpager.NewMemStore(1024), 0)
	wantCode(t, env.VM.SetPageoutTargets(vm.PageoutTargets{FreeMin: 0, FreeTarget: 32}), vm.KernSuccess)
	m := newMap(t, env)
	base, _ := m.Allocate(0, 512*page, vm.FlagsAnywhere)
	cpu := env.CPU(m)
	if _, err := writePages(cpu, base, 0, 100); err != nil {
		t.Fatal(err)
	}
	if free := env.VM.FreePages(); free >= 32 {
		t.Fatalf("%d frames free before the daemon runs", free)
	}
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		env.VM.RunPageoutDaemon(stop)
		close(done)
	}()
	deadline := time.Now().Add(10 * time.Second)
	for va := base + 100*page; env.VM.FreePages() < 32; va += page {
		if time.Now().After(deadline) || va == base+512*page {
			t.Fatalf("the daemon did not bring free frames to its target (%d free)", env.VM.FreePages())
		}
		if err := m.Fault(va, vm.ProtWrite); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Millisecond)
	}
	close(stop)
	<-done
	if st := env.VM.Statistics(); st.Pageouts == 0 {
		t.Error("the daemon freed frames without paging anything out")
	}
	verifyPages(t, cpu, base, 0, 100)
	checkPaging(t, env, dp)
	m.Destroy()
	checkNoSlots(t, env, dp)
}

// TestPageoutPurge: purging a volatile object discards its paged-out data
// too (it reads as zeros after) and frees its slots.
func TestPageoutPurge(t *testing.T) {
	env, dp := pagingEnv(t, 64, defpager.NewMemStore(256), 0)
	m := newMap(t, env)
	base, err := m.Allocate(0, 8*page, vm.FlagsAnywhere|vm.FlagsPurgable)
	if err != nil {
		t.Fatal(err)
	}
	cpu := env.CPU(m)
	writePages(cpu, base, 0, 8)
	env.VM.ReclaimAll(true)
	if st := dp.Stats(); st.Used != 8 {
		t.Fatalf("%d slots used after paging 8 pages out", st.Used)
	}
	if _, err := m.PurgableControl(base, vm.PurgableSetState, vm.PurgableEmpty); err != nil {
		t.Fatal(err)
	}
	if v, err := cpu.Load8(base); err != nil || v != 0 {
		t.Fatalf("purged page reads %#x, %v", v, err)
	}
	if st := dp.Stats(); st.Used != 0 {
		t.Errorf("%d slots still used after the purge", st.Used)
	}
	checkPaging(t, env, dp)
	m.Destroy()
	checkNoSlots(t, env, dp)
}

// TestPageoutVolatile: pageout purges a volatile object whole instead of
// writing its pages (XNU's pageout purges volatile objects,
// vm_purgeable_object_purge_one): no page is written, the data the pager
// held is discarded too (its slots freed), every page reads as zeros after
// and the object reports itself empty, so that its owner knows the data is
// gone.
func TestPageoutVolatile(t *testing.T) {
	env, dp := pagingEnv(t, 64, defpager.NewMemStore(256), 0)
	m := newMap(t, env)
	base, _ := m.Allocate(0, 8*page, vm.FlagsAnywhere|vm.FlagsPurgable)
	cpu := env.CPU(m)
	writePages(cpu, base, 0, 4)
	env.VM.ReclaimAll(true) // pages 0-3 go to the pager
	writePages(cpu, base, 4, 4)
	if err := cpu.Store8(base, 0x77); err != nil { // page 0 back, dirty
		t.Fatal(err)
	}
	if _, err := m.PurgableControl(base, vm.PurgableSetState, vm.PurgableVolatile); err != nil {
		t.Fatal(err)
	}
	before := env.VM.Statistics().Pageouts
	env.VM.ReclaimAll(true)
	if got := env.VM.Statistics().Pageouts - before; got != 0 {
		t.Errorf("%d volatile pages written out, want 0", got)
	}
	if st := dp.Stats(); st.Used != 0 {
		t.Errorf("%d slots still used after the purge", st.Used)
	}
	for i := 0; i < 8; i++ {
		if v, err := cpu.Load8(base + vm.VAddr(i)*page); err != nil || v != 0 {
			t.Fatalf("purged volatile page %d: %#x, %v", i, v, err)
		}
	}
	if st, err := m.PurgableControl(base, vm.PurgableSetState, vm.PurgableNonvolatile); err != nil || st != vm.PurgableEmpty {
		t.Errorf("state before nonvolatile %v, %v; want empty", st, err)
	}
	checkPaging(t, env, dp)
	m.Destroy()
	checkNoSlots(t, env, dp)
}
