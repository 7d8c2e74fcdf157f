package vm_test

import (
	"testing"
	"time"

	"github.com/tamach/tamach/pmap"
	"github.com/tamach/tamach/vm"
	"github.com/tamach/tamach/vm/vmtest"
)

// Issue 11, bug 1b: a copy of purgeable memory must keep its data when the
// source is emptied. XNU gives a purgeable object the copy strategy
// MEMORY_OBJECT_COPY_NONE (osfmk/vm/vm_map.c, vm_map_enter), so every copy
// of it is made at once by vm_object_copy_slowly
// (vm_object_copy_strategically, osfmk/vm/vm_object.c) and never shares
// the object copy-on-write: emptying the source, or the kernel purging it,
// cannot touch the copy.

const purgeablePages = 4

// purgeableCopyPath makes a copy of the purgeable range [src,
// src+purgeablePages pages) of m by one copy path and returns a function
// that reads byte 0 of page i of the copy.
type purgeableCopyPath struct {
	name string
	copy func(t *testing.T, env *vmtest.Env, m *vm.Map, src vm.VAddr) func(i int) byte
}

// readFrom reads byte 0 of page i of the range at base of m.
func readFrom(t *testing.T, env *vmtest.Env, m *vm.Map, base vm.VAddr) func(i int) byte {
	cpu := env.CPU(m)
	return func(i int) byte {
		v, err := cpu.Load8(base + vm.VAddr(i)*page)
		if err != nil {
			t.Fatalf("reading page %d of the copy: %v", i, err)
		}
		return v
	}
}

var purgeableCopyPaths = []purgeableCopyPath{
	{"vm_copy", func(t *testing.T, env *vmtest.Env, m *vm.Map, src vm.VAddr) func(int) byte {
		dst, err := m.Allocate(0, purgeablePages*page, vm.FlagsAnywhere)
		if err != nil {
			t.Fatal(err)
		}
		if err := m.Copy(src, purgeablePages*page, dst); err != nil {
			t.Fatal(err)
		}
		return readFrom(t, env, m, dst)
	}},
	{"vm_read", func(t *testing.T, env *vmtest.Env, m *vm.Map, src vm.VAddr) func(int) byte {
		c, err := m.Read(src, purgeablePages*page)
		if err != nil {
			t.Fatal(err)
		}
		at, err := m.CopyOut(c)
		if err != nil {
			t.Fatal(err)
		}
		return readFrom(t, env, m, at)
	}},
	{"vm_read_overwrite", func(t *testing.T, env *vmtest.Env, m *vm.Map, src vm.VAddr) func(int) byte {
		dst, err := m.Allocate(0, purgeablePages*page, vm.FlagsAnywhere)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := m.ReadOverwrite(src, purgeablePages*page, m, dst); err != nil {
			t.Fatal(err)
		}
		return readFrom(t, env, m, dst)
	}},
	{"fork", func(t *testing.T, env *vmtest.Env, m *vm.Map, src vm.VAddr) func(int) byte {
		pm, err := env.Pmap.Create(pmap.KindUser)
		if err != nil {
			t.Fatal(err)
		}
		child, err := m.Fork(pm)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(child.Destroy)
		return readFrom(t, env, child, src)
	}},
	{"vm_map_copy", func(t *testing.T, env *vmtest.Env, m *vm.Map, src vm.VAddr) func(int) byte {
		me, _, err := m.MakeMemoryEntry(purgeablePages*page, src, vm.MemEntryFlags(vm.ProtDefault), nil)
		if err != nil {
			t.Fatal(err)
		}
		defer me.Release()
		at, err := m.MapMemory(0, purgeablePages*page, vm.MapOptions{Flags: vm.FlagsAnywhere, Entry: me,
			Copy: true, Cur: vm.ProtDefault, Max: vm.ProtDefault})
		if err != nil {
			t.Fatal(err)
		}
		return readFrom(t, env, m, at)
	}},
	{"vm_remap_copy", func(t *testing.T, env *vmtest.Env, m *vm.Map, src vm.VAddr) func(int) byte {
		res, err := m.Remap(0, purgeablePages*page, 0, vm.FlagsAnywhere, m, src, true, vm.InheritCopy)
		if err != nil {
			t.Fatal(err)
		}
		return readFrom(t, env, m, res.Address)
	}},
	{"vm_remap_new_copy", func(t *testing.T, env *vmtest.Env, m *vm.Map, src vm.VAddr) func(int) byte {
		res, err := m.RemapNew(0, purgeablePages*page, 0, vm.FlagsAnywhere, m, src, true, vm.ProtDefault, vm.ProtDefault, vm.InheritCopy)
		if err != nil {
			t.Fatal(err)
		}
		return readFrom(t, env, m, res.Address)
	}},
	{"vm_map_copy_of_vm_share_entry", func(t *testing.T, env *vmtest.Env, m *vm.Map, src vm.VAddr) func(int) byte {
		me, _, err := m.MakeMemoryEntry(purgeablePages*page, src, vm.MapMemVMShare|vm.MemEntryFlags(vm.ProtDefault), nil)
		if err != nil {
			t.Fatal(err)
		}
		defer me.Release()
		at, err := m.MapMemory(0, purgeablePages*page, vm.MapOptions{Flags: vm.FlagsAnywhere, Entry: me,
			Copy: true, Cur: vm.ProtDefault, Max: vm.ProtDefault})
		if err != nil {
			t.Fatal(err)
		}
		return readFrom(t, env, m, at)
	}},
	{"MAP_MEM_VM_COPY", func(t *testing.T, env *vmtest.Env, m *vm.Map, src vm.VAddr) func(int) byte {
		me, _, err := m.MakeMemoryEntry(purgeablePages*page, src, vm.MapMemVMCopy|vm.MemEntryFlags(vm.ProtDefault), nil)
		if err != nil {
			t.Fatal(err)
		}
		defer me.Release()
		at, err := m.MapMemory(0, purgeablePages*page, vm.MapOptions{Flags: vm.FlagsAnywhere, Entry: me,
			Cur: vm.ProtDefault, Max: vm.ProtDefault})
		if err != nil {
			t.Fatal(err)
		}
		return readFrom(t, env, m, at)
	}},
}

// purgeableEmptier empties the purgeable object at src of m.
type purgeableEmptier struct {
	name  string
	empty func(t *testing.T, env *vmtest.Env, m *vm.Map, src vm.VAddr)
}

var purgeableEmptiers = []purgeableEmptier{
	{"set_empty", func(t *testing.T, env *vmtest.Env, m *vm.Map, src vm.VAddr) {
		if _, err := m.PurgableControl(src, vm.PurgableSetState, vm.PurgableEmpty); err != nil {
			t.Fatal(err)
		}
	}},
	{"purge_all", func(t *testing.T, env *vmtest.Env, m *vm.Map, src vm.VAddr) {
		if _, err := m.PurgableControl(src, vm.PurgableSetState, vm.PurgableVolatile); err != nil {
			t.Fatal(err)
		}
		if _, err := m.PurgableControl(0, vm.PurgablePurgeAll, 0); err != nil {
			t.Fatal(err)
		}
	}},
	{"pageout", func(t *testing.T, env *vmtest.Env, m *vm.Map, src vm.VAddr) {
		if _, err := m.PurgableControl(src, vm.PurgableSetState, vm.PurgableVolatile); err != nil {
			t.Fatal(err)
		}
		env.VM.ReclaimAll(true)
	}},
}

// TestPurgeableCopies copies purgeable memory by every copy path, empties
// the source (by vm_purgable_control or by the kernel) and checks that the
// copy kept its data and the source lost its own; then it writes the source
// and checks that the source is still purgeable (a write after a
// copy-on-write copy would push a non-purgeable shadow in front of it) and
// the copy unchanged.
func TestPurgeableCopies(t *testing.T) {
	for _, path := range purgeableCopyPaths {
		for _, emptier := range purgeableEmptiers {
			t.Run(path.name+"/"+emptier.name, func(t *testing.T) {
				env := newEnv(t, vmtest.Options{PoolPages: 128, DefaultPage: true})
				m := newMap(t, env)
				src, err := m.Allocate(0, purgeablePages*page, vm.FlagsAnywhere|vm.FlagsPurgable)
				if err != nil {
					t.Fatal(err)
				}
				cpu := env.CPU(m)
				for i := 0; i < purgeablePages; i++ {
					if err := cpu.Store8(src+vm.VAddr(i)*page, byte(0x40+i)); err != nil {
						t.Fatal(err)
					}
				}
				read := path.copy(t, env, m, src)
				emptier.empty(t, env, m, src)
				for i := 0; i < purgeablePages; i++ {
					if v := read(i); v != byte(0x40+i) {
						t.Errorf("page %d of the copy reads %#x after the source was emptied, want %#x", i, v, 0x40+i)
					}
					if v, err := cpu.Load8(src + vm.VAddr(i)*page); err != nil || v != 0 {
						t.Errorf("page %d of the emptied source reads %#x, %v; want 0", i, v, err)
					}
				}
				if err := cpu.Store8(src, 0x99); err != nil {
					t.Fatal(err)
				}
				if _, err := m.PurgableControl(src, vm.PurgableGetState, 0); err != nil {
					t.Errorf("the source is no longer purgeable after a write: %v", err)
				}
				if v := read(0); v != 0x40 {
					t.Errorf("page 0 of the copy reads %#x after a write of the source, want 0x40", v)
				}
				check(t, env)
				m.Destroy()
			})
		}
	}
}

// TestHugePurgeableCopyIsCheap: copies of purgeable memory are made
// eagerly, but only of the pages that hold data. A task that allocates 32
// TiB of purgeable memory, touches two pages and forks (or vm_copies
// it) must not make the kernel walk 2^33 empty offsets: a regression test
// for the hang the syscall fuzzer found.
func TestHugePurgeableCopyIsCheap(t *testing.T) {
	env := newEnv(t, vmtest.Options{PoolPages: 128})
	m := newMap(t, env)
	const size = 1 << 45
	src, err := m.Allocate(0, size, vm.FlagsAnywhere|vm.FlagsPurgable)
	if err != nil {
		t.Fatal(err)
	}
	cpu := env.CPU(m)
	for i, off := range []vm.VAddr{0, size - page} {
		if err := cpu.Store8(src+off, byte(0x51+i)); err != nil {
			t.Fatal(err)
		}
	}
	done := make(chan *vm.Map, 1)
	pm, err := env.Pmap.Create(pmap.KindUser)
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		child, err := m.Fork(pm)
		if err != nil {
			t.Error(err)
		}
		done <- child
	}()
	var child *vm.Map
	select {
	case child = <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("fork of 32 TiB of purgeable memory with two pages touched still runs after 10 s")
	}
	if child == nil {
		return
	}
	ccpu := env.CPU(child)
	for i, off := range []vm.VAddr{0, size - page} {
		if v, err := ccpu.Load8(src + off); err != nil || v != byte(0x51+i) {
			t.Errorf("child reads %#x, %v at offset %#x; want %#x", v, err, off, 0x51+i)
		}
	}
	if v, err := ccpu.Load8(src + size/2); err != nil || v != 0 {
		t.Errorf("child reads %#x, %v in the untouched middle; want 0", v, err)
	}
	check(t, env)
	child.Destroy()
	m.Destroy()
}
