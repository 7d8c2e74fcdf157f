package vm_test

import (
	"testing"

	"github.com/tamach/tamach/pmap"
	"github.com/tamach/tamach/vm"
	"github.com/tamach/tamach/vm/vmtest"
)

// TestMapOptionsZeroValue: the zero value of MapOptions asks for vm_map's
// defaults. Memory mapped with it has inheritance VM_INHERIT_DEFAULT
// (copy), so a forked child gets a copy and the parent's later writes stay
// private; before, the zero Inherit was VM_INHERIT_SHARE.
func TestMapOptionsZeroValue(t *testing.T) {
	env := newEnv(t, vmtest.Options{PoolPages: 64})
	m := newMap(t, env)
	o := vm.MapOptions{Flags: vm.FlagsAnywhere, Cur: vm.ProtDefault, Max: vm.ProtDefault}
	for _, entry := range []bool{false, true} {
		if entry {
			me, _, err := m.MakeMemoryEntry(page, 0, vm.MapMemNamedCreate|vm.MemEntryFlags(vm.ProtDefault), nil)
			if err != nil {
				t.Fatal(err)
			}
			defer me.Release()
			o.Entry = me
		}
		a, err := m.MapMemory(0, page, o)
		if err != nil {
			t.Fatal(err)
		}
		ri, err := m.Region(a, vm.FlavorBasicInfo64)
		if err != nil || ri.Basic.Inheritance != vm.InheritCopy {
			t.Fatalf("entry %v: inheritance %v, %v; want copy", entry, ri.Basic.Inheritance, err)
		}
		cpu := env.CPU(m)
		cpu.Store8(a, 1)
		pm, err := env.Pmap.Create(pmap.KindUser)
		if err != nil {
			t.Fatal(err)
		}
		child, err := m.Fork(pm)
		if err != nil {
			t.Fatal(err)
		}
		cpu.Store8(a, 2)
		if v, err := env.CPU(child).Load8(a); err != nil || v != 1 {
			t.Errorf("entry %v: the child reads %d, %v after the parent's write; want its copy, 1", entry, v, err)
		}
		child.Destroy()
	}
	check(t, env)
	m.Destroy()
}
