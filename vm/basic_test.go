package vm_test

import (
	"errors"
	"testing"

	"github.com/tamach/tamach/pmap"
	"github.com/tamach/tamach/vm"
	"github.com/tamach/tamach/vm/vmtest"
)

const page = pmap.PageSize

// suitePmap is the pmap every test but TestModel (which runs over all of
// them) runs over: the one -vm.pmap names, the real x86-64 tables by
// default.
func suitePmap(t testing.TB) *vmtest.Pmap {
	name := *modelPmap
	if name == "" {
		name = vmtest.AMD64.Name
	}
	for _, p := range vmtest.Pmaps {
		if p.Name == name {
			return p
		}
	}
	t.Fatalf("no pmap %q", name)
	return nil
}

// newEnv builds an Env over suitePmap unless o names a pmap.
func newEnv(t testing.TB, o vmtest.Options) *vmtest.Env {
	t.Helper()
	if o.Pmap == nil {
		o.Pmap = suitePmap(t)
	}
	env, err := vmtest.New(o)
	if err != nil {
		t.Fatal(err)
	}
	return env
}

func newMap(t testing.TB, env *vmtest.Env) *vm.Map {
	t.Helper()
	m, err := env.NewMap()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func check(t testing.TB, env *vmtest.Env) {
	t.Helper()
	if err := env.Check(); err != nil {
		t.Fatal(err)
	}
}

func wantCode(t testing.TB, err error, want vm.KernReturn) {
	t.Helper()
	if got := vm.Code(err); got != want {
		t.Fatalf("got %v, want %v", got, want)
	}
}

func TestKernReturnValues(t *testing.T) {
	cases := map[vm.KernReturn]int32{vm.KernSuccess: 0, vm.KernInvalidAddress: 1,
		vm.KernProtectionFailure: 2, vm.KernNoSpace: 3, vm.KernInvalidArgument: 4,
		vm.KernFailure: 5, vm.KernResourceShortage: 6, vm.KernNotReceiver: 7, vm.KernNoAccess: 8,
		vm.KernMemoryFailure: 9, vm.KernMemoryError: 10, vm.KernInvalidValue: 18,
		vm.KernInvalidRight: 17, vm.KernNotSupported: 46, vm.KernNotFound: 56}
	for k, v := range cases {
		if int32(k) != v {
			t.Errorf("%v = %d, want %d", k, int32(k), v)
		}
	}
	if vm.KernNoSpace.String() != "KERN_NO_SPACE" || vm.Code(nil) != vm.KernSuccess ||
		vm.Code(errors.New("x")) != vm.KernFailure || vm.KernReturn(999).String() != "kern_return(999)" {
		t.Error("names or Code wrong")
	}
	var err error = vm.KernMemoryError
	if !errors.Is(err, vm.KernMemoryError) {
		t.Error("errors.Is")
	}
}

// TestUntouchedCostsNothing: memory that was allocated and never touched
// costs no page and no page-table entry; each page costs one frame the
// first time it is touched, read or written, and not again.
func TestUntouchedCostsNothing(t *testing.T) {
	env := newEnv(t, vmtest.Options{PoolPages: 256})
	m := newMap(t, env)
	cpu := env.CPU(m)
	free := env.VM.FreePages()
	addr, err := m.Allocate(0, 64<<20, vm.FlagsAnywhere) // 16384 pages on a 256-page pool
	if err != nil {
		t.Fatal(err)
	}
	if got := env.VM.FreePages(); got != free {
		t.Fatalf("allocating 64 MiB took %d pages", free-got)
	}
	if st := m.Pmap().Stats(); st.Resident != 0 {
		t.Fatalf("allocating mapped %d pages", st.Resident)
	}
	for i, va := range []vm.VAddr{addr, addr + 100*page, addr + 16000*page} {
		if i == 1 {
			if b, err := cpu.Load8(va); err != nil || b != 0 {
				t.Fatalf("read of untouched memory: %d, %v", b, err)
			}
		} else if err := cpu.Store64(va, uint64(i)); err != nil {
			t.Fatal(err)
		}
		if got := free - env.VM.FreePages(); got != i+1 {
			t.Fatalf("after touching %d pages, %d are in use", i+1, got)
		}
	}
	if err := cpu.Store64(addr+8, 7); err != nil {
		t.Fatal(err)
	}
	if got := free - env.VM.FreePages(); got != 3 {
		t.Fatalf("touching a page again took another: %d in use", got)
	}
	if st := m.Pmap().Stats(); st.Resident != 3 {
		t.Fatalf("%d pages mapped, want the 3 touched", st.Resident)
	}
	check(t, env)
	m.Destroy()
	if err := env.CheckEmpty(); err != nil {
		t.Fatal(err)
	}
}

func TestZeroFillReadWrite(t *testing.T) {
	env := newEnv(t, vmtest.Options{})
	m := newMap(t, env)
	cpu := env.CPU(m)
	addr, err := m.Allocate(0, 4*page, vm.FlagsAnywhere)
	if err != nil {
		t.Fatal(err)
	}
	if b, err := cpu.Load8(addr + 5); err != nil || b != 0 {
		t.Fatalf("load = %d, %v", b, err)
	}
	if err := cpu.Store64(addr+page-4, 0x1122334455667788); err != nil {
		t.Fatal(err)
	}
	if w, err := cpu.Load64(addr + page - 4); err != nil || w != 0x1122334455667788 {
		t.Fatalf("load64 = %#x, %v", w, err)
	}
	check(t, env)
	st := env.VM.Statistics()
	if st.ZeroFills != 2 || st.Faults == 0 {
		t.Errorf("stats %+v", st)
	}
	if _, err := cpu.Load8(addr + 4*page); vm.Code(err) != vm.KernInvalidAddress {
		t.Errorf("load past end: %v", err)
	}
	m.Destroy()
	if err := env.CheckEmpty(); err != nil {
		t.Fatal(err)
	}
}

func TestForkCopyOnWrite(t *testing.T) {
	env := newEnv(t, vmtest.Options{})
	parent := newMap(t, env)
	addr, _ := parent.Allocate(0, 8*page, vm.FlagsAnywhere)
	pc := env.CPU(parent)
	for i := 0; i < 8; i++ {
		pc.Store8(addr+vm.VAddr(i*page), byte(i+1))
	}
	pm, _ := env.Pmap.Create(pmap.KindUser)
	child, err := parent.Fork(pm)
	if err != nil {
		t.Fatal(err)
	}
	cc := env.CPU(child)
	cc.Store8(addr, 100)
	pc.Store8(addr+page, 200)
	check(t, env)
	for i, want := range []struct{ p, c byte }{{1, 100}, {200, 2}, {3, 3}} {
		p, _ := pc.Load8(addr + vm.VAddr(i*page))
		c, _ := cc.Load8(addr + vm.VAddr(i*page))
		if p != want.p || c != want.c {
			t.Errorf("page %d: parent %d child %d, want %d %d", i, p, c, want.p, want.c)
		}
	}
	if env.VM.Statistics().CowFaults != 2 {
		t.Errorf("cow faults = %d", env.VM.Statistics().CowFaults)
	}
	parent.Destroy()
	check(t, env)
	if d := child.MaxChainDepth(); d != 1 {
		t.Errorf("child chain depth %d after parent exit, want 1", d)
	}
	if c, _ := cc.Load8(addr + 2*page); c != 3 {
		t.Errorf("child lost data: %d", c)
	}
	child.Destroy()
	if err := env.CheckEmpty(); err != nil {
		t.Fatal(err)
	}
}
