package vm_test

import (
	"testing"

	"github.com/tamach/tamach/vm"
	"github.com/tamach/tamach/vm/vmtest"
)

// TestProtectCannotRaiseMaximum: vm_protect with set_maximum TRUE may only
// lower the maximum protection. XNU refuses a new maximum above the
// current one with KERN_PROTECTION_FAILURE and changes nothing
// (osfmk/vm/vm_map.c vm_map_protect: "if ((new_prot & new_max) !=
// new_prot) return KERN_PROTECTION_FAILURE", checked for set_max too).
// Regression test for issue 11 (1c): a range whose maximum was lowered to
// read-only could be made writable again.
func TestProtectCannotRaiseMaximum(t *testing.T) {
	env := newEnv(t, vmtest.Options{})
	m := newMap(t, env)
	cpu := env.CPU(m)
	addr, _ := m.Allocate(0, 2*page, vm.FlagsAnywhere)
	if err := cpu.Store8(addr, 1); err != nil {
		t.Fatal(err)
	}
	wantCode(t, m.Protect(addr, 2*page, true, vm.ProtRead), vm.KernSuccess)
	wantCode(t, m.Protect(addr, 2*page, true, vm.ProtRead|vm.ProtWrite), vm.KernProtectionFailure)
	wantCode(t, m.Protect(addr, page, true, vm.ProtAll), vm.KernProtectionFailure)
	wantCode(t, m.Protect(addr, 2*page, false, vm.ProtRead|vm.ProtWrite), vm.KernProtectionFailure)
	ri, err := m.Region(addr, vm.FlavorBasicInfo64)
	if err != nil {
		t.Fatal(err)
	}
	if ri.Basic.MaxProtection != vm.ProtRead || ri.Basic.Protection != vm.ProtRead || ri.Size != 2*page {
		t.Fatalf("region after refused raises: %+v", ri)
	}
	if err := cpu.Store8(addr, 2); vm.Code(err) != vm.KernProtectionFailure {
		t.Fatalf("store to a read-only maximum: %v", err)
	}
	// Lowering further, or setting the same maximum, is allowed.
	wantCode(t, m.Protect(addr, 2*page, true, vm.ProtRead), vm.KernSuccess)
	wantCode(t, m.Protect(addr, page, true, vm.ProtNone), vm.KernSuccess)
	check(t, env)
	m.Destroy()
	if err := env.CheckEmpty(); err != nil {
		t.Fatal(err)
	}
}
