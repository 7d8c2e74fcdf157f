package vm_test

import (
	"fmt"
	"testing"

	"github.com/tamach/tamach/pmap"
	"github.com/tamach/tamach/vm"
	"github.com/tamach/tamach/vm/vmtest"
)

// regions lists a map's regions with their basic info: the visible state a
// failed call must leave unchanged.
func regions(m *vm.Map) string {
	s := ""
	for addr := vm.VAddr(0); ; {
		ri, err := m.Region(addr, vm.FlavorBasicInfo64)
		if err != nil {
			return s
		}
		s += fmt.Sprintf("[%v+%#x %+v]", ri.Start, ri.Size, ri.Basic)
		addr = ri.Start + vm.VAddr(ri.Size)
	}
}

// callAPI makes one Mach VM call chosen by which with raw arguments.
func callAPI(m, other *vm.Map, which uint8, addr, size uint64, flags uint32, prot uint8) error {
	a, p := vm.VAddr(addr), pmap.Prot(prot)
	switch which % 14 {
	case 0:
		_, err := m.Allocate(a, size, vm.Flags(flags))
		return err
	case 1:
		return m.Deallocate(a, size)
	case 2:
		return m.Protect(a, size, flags&1 != 0, vm.Prot(p))
	case 3:
		return m.Inherit(a, size, vm.Inherit(prot))
	case 4:
		return m.Copy(a, size, vm.VAddr(flags)<<12)
	case 5:
		c, err := m.Read(a, size)
		if err == nil {
			c.Discard()
		}
		return err
	case 6:
		_, err := m.ReadOverwrite(a, size, other, vm.VAddr(flags)<<12)
		return err
	case 7:
		return m.Wire(a, size, vm.Prot(p))
	case 8:
		return m.BehaviorSet(a, size, vm.Behavior(int32(flags)))
	case 9:
		return m.Msync(a, size, vm.SyncFlags(flags))
	case 10:
		_, err := m.Region(a, vm.RegionFlavor(int32(flags)))
		return err
	case 11:
		_, err := m.Remap(vm.VAddr(flags)<<12, size, 0, vm.Flags(flags>>20), other, a, prot&1 != 0, vm.Inherit(prot>>1))
		return err
	case 12:
		me, _, err := m.MakeMemoryEntry(size, a, vm.MemEntryFlags(flags), nil)
		if err == nil {
			me.Release()
		}
		return err
	default:
		_, err := m.MapMemory(a, size, vm.MapOptions{Flags: vm.Flags(flags), Cur: p, Max: p >> 1, Mask: size})
		return err
	}
}

// FuzzAPIArguments feeds raw arguments to the Mach VM calls: nothing may
// panic, every call returns a Mach code, a failed call leaves the map as it
// was, and the invariants hold.
func FuzzAPIArguments(f *testing.F) {
	f.Add(uint8(0), uint64(0x100000), uint64(0x3000), uint32(0), uint8(3))
	f.Add(uint8(1), uint64(0xffff_ffff_ffff_f000), uint64(0x2000), uint32(0), uint8(0))
	f.Add(uint8(2), uint64(0x100800), uint64(1), uint32(1), uint8(7))
	f.Add(uint8(4), uint64(0x100000), uint64(0x1000), uint32(0x200), uint8(1))
	f.Add(uint8(7), uint64(0x100000), uint64(0x4000), uint32(0), uint8(1))
	f.Add(uint8(11), uint64(0x100000), uint64(0x2000), uint32(0x300), uint8(1))
	f.Add(uint8(13), uint64(0), uint64(0x2000), uint32(1), uint8(3))
	f.Fuzz(func(t *testing.T, which uint8, addr, size uint64, flags uint32, prot uint8) {
		env := newEnv(t, vmtest.Options{PoolPages: 64})
		m, other := newMap(t, env), newMap(t, env)
		base, _ := m.Allocate(0x100000, 8*page, vm.FlagsFixed)
		m.Protect(base+2*page, page, false, vm.ProtRead)
		env.CPU(m).Store8(base, 1)
		other.Allocate(0x200000, 8*page, vm.FlagsFixed)
		before := regions(m)
		err := callAPI(m, other, which, addr, size, flags, prot)
		if _, isKern := err.(vm.KernReturn); err != nil && !isKern {
			t.Fatalf("non-Mach error %v", err)
		}
		if err != nil && regions(m) != before {
			t.Fatalf("failed call (%v) changed the map:\n%s\n%s", err, before, regions(m))
		}
		check(t, env)
		m.Destroy()
		other.Destroy()
		if err := env.CheckEmpty(); err != nil {
			t.Fatal(err)
		}
	})
}

// FuzzOperationSequences runs the model-based test from fuzzed seeds.
func FuzzOperationSequences(f *testing.F) {
	for _, s := range []int64{11, 12, 13, 99} {
		f.Add(s, uint16(300))
	}
	f.Fuzz(func(t *testing.T, seed int64, n uint16) {
		if _, err := vmtest.RunModel(vmtest.Options{PoolPages: 2048, VerifyEvery: 50}, seed, int(n%600)); err != nil {
			t.Fatal(err)
		}
	})
}
