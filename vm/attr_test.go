package vm_test

import (
	"testing"

	"github.com/tamach/tamach/pmap"
	"github.com/tamach/tamach/vm"
	"github.com/tamach/tamach/vm/vmtest"
)

// TestWillNeedGivesUp: will-need advice over pager-backed memory stops
// asking the pager at the first page it cannot supply, as XNU's
// vm_map_willneed does, and the advice still succeeds; the page that
// failed reads as KERN_MEMORY_ERROR only when it is really accessed.
func TestWillNeedGivesUp(t *testing.T) {
	env := newEnv(t, vmtest.Options{})
	m := newMap(t, env)
	pg := vm.NewMemoryPager()
	pg.SetData(5*page, []byte{0x55})
	pg.FailAt(2 * page)
	obj, err := env.VM.NewPagerObject(pg, 8*page)
	if err != nil {
		t.Fatal(err)
	}
	me, err := env.VM.NewMemoryEntry(obj, vm.ProtDefault)
	if err != nil {
		t.Fatal(err)
	}
	obj.Release()
	addr, err := m.MapMemory(0, 8*page, vm.MapOptions{Flags: vm.FlagsAnywhere, Entry: me,
		Cur: vm.ProtDefault, Max: vm.ProtDefault, Inherit: new(vm.InheritShare)})
	if err != nil {
		t.Fatal(err)
	}
	wantCode(t, m.BehaviorSet(addr, 8*page, vm.BehaviorWillNeed), vm.KernSuccess)
	if pg.Requests != 3 {
		t.Errorf("will-need asked the pager for %d pages; want 3 (pages 0 and 1, then the failing page 2)", pg.Requests)
	}
	cpu := env.CPU(m)
	if _, err := cpu.Load8(addr + 2*page); vm.Code(err) != vm.KernMemoryError {
		t.Errorf("load of the failing page: %v", err)
	}
	if v, err := cpu.Load8(addr + 5*page); err != nil || v != 0x55 {
		t.Errorf("page after the failing one: %#x, %v", v, err)
	}
	check(t, env)
	me.Release()
	m.Destroy()
	if err := env.CheckEmpty(); err != nil {
		t.Fatal(err)
	}
}

// TestWillNeedSkipsUnreadable: will-need advice skips pages it may not
// read (an entry without read access in the middle) and brings in the
// readable ones on both sides.
func TestWillNeedSkipsUnreadable(t *testing.T) {
	env := newEnv(t, vmtest.Options{})
	m := newMap(t, env)
	addr, _ := m.Allocate(0, 6*page, vm.FlagsAnywhere)
	wantCode(t, m.Protect(addr+2*page, 2*page, false, vm.ProtNone), vm.KernSuccess)
	before := env.VM.Statistics().ZeroFills
	wantCode(t, m.BehaviorSet(addr, 6*page, vm.BehaviorWillNeed), vm.KernSuccess)
	if got := env.VM.Statistics().ZeroFills - before; got != 4 {
		t.Errorf("will-need brought in %d pages; want the 4 readable ones", got)
	}
	for _, i := range []int{0, 1, 4, 5} {
		if _, _, ok := m.Pmap().Extract(addr + vm.VAddr(i)*page); !ok {
			t.Errorf("page %d not mapped after will-need", i)
		}
	}
	check(t, env)
	m.Destroy()
	if err := env.CheckEmpty(); err != nil {
		t.Fatal(err)
	}
}

// TestProtectWiredNoTableFrames: a wired entry whose mapping
// Protect(ProtNone) removed is made writable again while no page-table
// frame is left. Mapping its page eagerly fails; Protect still succeeds,
// as XNU's vm_map_protect does, and the page, still wired and holding
// its data, is mapped by its next access once frames are back.
func TestProtectWiredNoTableFrames(t *testing.T) {
	env := newEnv(t, vmtest.Options{Pmap: vmtest.AMD64})
	m := newMap(t, env)
	addr, _ := m.Allocate(0, page, vm.FlagsAnywhere)
	cpu := env.CPU(m)
	if err := cpu.Store8(addr, 0x42); err != nil {
		t.Fatal(err)
	}
	wantCode(t, m.Wire(addr, page, vm.ProtRead|vm.ProtWrite), vm.KernSuccess)
	wantCode(t, m.Protect(addr, page, false, vm.ProtNone), vm.KernSuccess)
	var held []pmap.PAddr
	for {
		pa, ok := env.Arena.AllocFrame()
		if !ok {
			break
		}
		held = append(held, pa)
	}
	wantCode(t, m.Protect(addr, page, false, vm.ProtRead|vm.ProtWrite), vm.KernSuccess)
	if _, _, ok := m.Pmap().Extract(addr); ok {
		t.Log("the page table survived Protect(ProtNone): the eager mapping did not need a frame")
	}
	for _, pa := range held {
		env.Arena.FreeFrame(pa)
	}
	if err := cpu.Store8(addr, 0x43); err != nil {
		t.Fatalf("store after the frames came back: %v", err)
	}
	if v, err := cpu.Load8(addr); err != nil || v != 0x43 {
		t.Fatalf("load %#x, %v", v, err)
	}
	if st := env.VM.Statistics(); st.WireCount != 1 {
		t.Errorf("%d wired pages, want 1", st.WireCount)
	}
	check(t, env)
	wantCode(t, m.Wire(addr, page, vm.ProtNone), vm.KernSuccess)
	m.Destroy()
	if err := env.CheckEmpty(); err != nil {
		t.Fatal(err)
	}
}
