package vm_test

import (
	"testing"

	"github.com/tamach/tamach/vm"
	"github.com/tamach/tamach/vm/vmtest"
)

func TestPagerBackedMapping(t *testing.T) {
	env := newEnv(t, vmtest.Options{})
	m := newMap(t, env)
	pg := vm.NewMemoryPager()
	pg.SetData(page+7, []byte("hello"))
	pg.FailAt(2 * page)
	obj, err := env.VM.NewPagerObject(pg, 4*page)
	if err != nil {
		t.Fatal(err)
	}
	me, err := env.VM.NewMemoryEntry(obj, vm.ProtDefault)
	if err != nil {
		t.Fatal(err)
	}
	obj.Release()
	addr, err := m.MapMemory(0, 4*page, vm.MapOptions{Flags: vm.FlagsAnywhere, Entry: me,
		Cur: vm.ProtDefault, Max: vm.ProtDefault, Inherit: new(vm.InheritShare)})
	if err != nil {
		t.Fatal(err)
	}
	cpu := env.CPU(m)
	buf := make([]byte, 5)
	if err := cpu.Read(addr+page+7, buf); err != nil || string(buf) != "hello" {
		t.Fatalf("read %q, %v", buf, err)
	}
	if _, err := cpu.Load8(addr + 2*page); vm.Code(err) != vm.KernMemoryError {
		t.Fatalf("failing page-in: %v", err)
	}
	cpu.Store8(addr+3*page, 9)
	if err := m.Msync(addr, 4*page, vm.SyncSynchronous|vm.SyncInvalidate); err != nil {
		t.Fatal(err)
	}
	if pg.Returns != 1 {
		t.Errorf("msync returned %d pages, want 1", pg.Returns)
	}
	if b, _ := cpu.Load8(addr + 3*page); b != 9 {
		t.Errorf("data lost across msync invalidate: %d", b)
	}
	wantCode(t, m.Msync(addr, page, vm.SyncSynchronous|vm.SyncAsynchronous), vm.KernInvalidArgument)
	check(t, env)
	me.Release()
	m.Destroy()
	if !pg.Terminated() {
		t.Error("pager not terminated")
	}
	if err := env.CheckEmpty(); err != nil {
		t.Fatal(err)
	}
}

func TestSubmap(t *testing.T) {
	env := newEnv(t, vmtest.Options{})
	sub, err := env.VM.NewMap(nil, 0, 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sub.Allocate(0x10000, 2*page, vm.FlagsFixed); err != nil {
		t.Fatal(err)
	}
	a, b := newMap(t, env), newMap(t, env)
	for _, m := range []*vm.Map{a, b} {
		if err := m.NestSubmap(0x4000_0000, 16*page, sub, 0x10000-4*page); err != nil {
			t.Fatal(err)
		}
	}
	sub.Destroy()
	va := vm.VAddr(0x4000_0000 + 4*page)
	env.CPU(a).Store8(va, 42)
	if v, err := env.CPU(b).Load8(va); err != nil || v != 42 {
		t.Fatalf("b sees %d, %v", v, err)
	}
	if _, err := env.CPU(a).Load8(0x4000_0000); vm.Code(err) != vm.KernInvalidAddress {
		t.Fatalf("hole in submap: %v", err)
	}
	ri, err := a.RegionRecurse(0x4000_0000, 1)
	if err != nil || ri.Depth != 1 || ri.Start != va || ri.Size != 2*page {
		t.Fatalf("region recurse %+v, %v", ri, err)
	}
	check(t, env)
	a.Destroy()
	b.Destroy()
	if err := env.CheckEmpty(); err != nil {
		t.Fatal(err)
	}
}

func TestArgumentCodes(t *testing.T) {
	env := newEnv(t, vmtest.Options{})
	m := newMap(t, env)
	addr, _ := m.Allocate(0x100000, 4*page, vm.FlagsFixed)
	_, err := m.Allocate(0x100000, page, vm.FlagsFixed)
	wantCode(t, err, vm.KernNoSpace)
	_, err = m.Allocate(0, page, vm.FlagsResilientCodesign) // not in VM_FLAGS_USER_ALLOCATE
	wantCode(t, err, vm.KernInvalidArgument)
	wantCode(t, m.Deallocate(^vm.VAddr(0)-page, 2*page), vm.KernInvalidArgument)
	wantCode(t, m.Protect(addr, 8*page, false, vm.ProtRead), vm.KernInvalidAddress)
	wantCode(t, m.Protect(addr, page, true, vm.ProtRead), vm.KernSuccess)
	wantCode(t, m.Protect(addr, page, false, vm.ProtDefault), vm.KernProtectionFailure)
	wantCode(t, m.Inherit(addr, page, 9), vm.KernInvalidArgument)
	_, err = m.Region(addr, 77)
	wantCode(t, err, vm.KernInvalidArgument)
	wantCode(t, m.Wire(addr+page, page, vm.ProtNone), vm.KernSuccess) // never wired: XNU skips it
	wantCode(t, m.Wire(addr+page, page, vm.ProtRead), vm.KernSuccess)
	wantCode(t, m.Wire(addr+page, page, vm.ProtNone), vm.KernSuccess)
	_, err = m.MachineAttribute(addr, page, vm.MattrMigrate, vm.MattrValOn)
	wantCode(t, err, vm.KernInvalidAddress) // XNU's pmap_attribute stub
	m.Protect(addr+2*page, page, false, vm.ProtRead|vm.ProtWrite)
	m.Allocate(0x200000, page, vm.FlagsFixed|vm.FlagsPurgable)
	st, err := m.PurgableControl(0x200000, vm.PurgableSetState, vm.PurgableVolatile)
	if err != nil || st != vm.PurgableNonvolatile {
		t.Fatalf("purgable %v %v", st, err)
	}
	_, err = m.PurgableControl(addr, vm.PurgableGetState, 0)
	wantCode(t, err, vm.KernInvalidArgument)
	d, _, err := m.PageQuery(addr)
	if err != nil || d != 0 {
		t.Errorf("page query of untouched page: %v %v", d, err)
	}
	check(t, env)
	m.Destroy()
	if err := env.CheckEmpty(); err != nil {
		t.Fatal(err)
	}
}
