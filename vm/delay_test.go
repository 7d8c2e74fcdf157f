package vm_test

import (
	"testing"

	"github.com/tamach/tamach/vm"
	"github.com/tamach/tamach/vm/vmtest"
)

// pagerImage returns a memory entry for a pager-backed object of size bytes
// whose pager holds marker(off) at every MiB boundary off.
func pagerImage(t *testing.T, env *vmtest.Env, size uint64) (*vm.MemoryEntry, *vm.MemoryPager) {
	t.Helper()
	pg := vm.NewMemoryPager()
	for off := uint64(0); off < size; off += 1 << 20 {
		pg.SetData(off, []byte{marker(off)})
	}
	obj, err := env.VM.NewPagerObject(pg, size)
	if err != nil {
		t.Fatal(err)
	}
	me, err := env.VM.NewMemoryEntry(obj, vm.ProtDefault)
	obj.Release()
	if err != nil {
		t.Fatal(err)
	}
	return me, pg
}

func marker(off uint64) byte { return byte(off>>20) | 0x80 }

// TestDelayedCopyOfPagerObject maps a 64 MiB pager-backed object with copy
// (as task loading maps an image's segments) beside a shared mapping of the
// same object: nothing is paged in or copied until touched, writes through
// the copy are private, reads see the pager's data, and in-place writes of
// the sharer push the old data into the copy first.
func TestDelayedCopyOfPagerObject(t *testing.T) {
	const size = 64 << 20
	env := newEnv(t, vmtest.Options{PoolPages: 256})
	m := newMap(t, env)
	me, pg := pagerImage(t, env, size)
	shared, err := m.MapMemory(0, size, vm.MapOptions{Flags: vm.FlagsAnywhere, Entry: me,
		Cur: vm.ProtDefault, Max: vm.ProtDefault, Inherit: new(vm.InheritShare)})
	if err != nil {
		t.Fatal(err)
	}
	before, free := env.VM.Statistics(), env.VM.FreePages()
	cp, err := m.MapMemory(0, size, vm.MapOptions{Flags: vm.FlagsAnywhere, Entry: me, Copy: true,
		Cur: vm.ProtDefault, Max: vm.ProtDefault, Inherit: new(vm.InheritCopy)})
	if err != nil {
		t.Fatal(err)
	}
	after := env.VM.Statistics()
	if pg.Requests != 0 || after.Pageins != before.Pageins || after.CowFaults != before.CowFaults ||
		after.CopyPushes != before.CopyPushes || after.ZeroFills != before.ZeroFills || env.VM.FreePages() != free {
		t.Fatalf("vm_map copy of 64 MiB: %d page-ins, %d cow, %d pushes, %d zero-fills, %d frames taken",
			pg.Requests, after.CowFaults-before.CowFaults, after.CopyPushes-before.CopyPushes,
			after.ZeroFills-before.ZeroFills, free-env.VM.FreePages())
	}
	cpu := env.CPU(m)
	load := func(va vm.VAddr) byte {
		t.Helper()
		b, err := cpu.Load8(va)
		if err != nil {
			t.Fatalf("load %v: %v", va, err)
		}
		return b
	}
	store := func(va vm.VAddr, b byte) {
		t.Helper()
		if err := cpu.Store8(va, b); err != nil {
			t.Fatalf("store %v: %v", va, err)
		}
	}
	const mib = 1 << 20
	if b := load(cp + 5*mib); b != marker(5*mib) || pg.Requests != 1 {
		t.Fatalf("copy reads %#x after %d page-ins, want %#x after 1", b, pg.Requests, marker(5*mib))
	}
	store(cp+5*mib, 1)
	if b := load(shared + 5*mib); b != marker(5*mib) {
		t.Fatalf("write through the copy reached the object: %#x", b)
	}
	store(shared+7*mib, 2)
	if b := load(cp + 7*mib); b != marker(7*mib) {
		t.Fatalf("copy sees the sharer's in-place write: %#x", b)
	}
	load(cp + 9*mib) // mapped read-only from the object itself
	store(shared+9*mib, 3)
	if b := load(cp + 9*mib); b != marker(9*mib) {
		t.Fatalf("copy kept a stale mapping of the object's page: %#x", b)
	}
	if st := env.VM.Statistics(); st.CopyPushes-before.CopyPushes != 2 || pg.Requests > 4 {
		t.Fatalf("%d pushes and %d page-ins, want 2 and at most 4", st.CopyPushes-before.CopyPushes, pg.Requests)
	}
	check(t, env)
	me.Release()
	m.Destroy()
	if err := env.CheckEmpty(); err != nil {
		t.Fatal(err)
	}
}

// TestDelayedCopyOfSharedRegion vm_copies a shared region of 16 MiB: no
// page is copied; a later in-place write of the source pushes one page; the
// destination keeps the data of the time of the copy; a second copy after
// the write gets a new copy object, and both copies stay right.
func TestDelayedCopyOfSharedRegion(t *testing.T) {
	const size, pages = 16 << 20, 16 << 8
	env := newEnv(t, vmtest.Options{PoolPages: 512})
	m := newMap(t, env)
	cpu := env.CPU(m)
	src, _ := m.Allocate(0, size, vm.FlagsAnywhere)
	if err := m.Inherit(src, size, vm.InheritShare); err != nil {
		t.Fatal(err)
	}
	pm, _ := env.Pmap.Create(0)
	child, err := m.Fork(pm) // src is now shared with the child
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 64; i++ {
		cpu.Store8(src+vm.VAddr(i*page), byte(i))
	}
	dst1, _ := m.Allocate(0, size, vm.FlagsAnywhere)
	dst2, _ := m.Allocate(0, size, vm.FlagsAnywhere)
	free, before := env.VM.FreePages(), env.VM.Statistics()
	if err := m.Copy(src, size, dst1); err != nil {
		t.Fatal(err)
	}
	if st := env.VM.Statistics(); env.VM.FreePages() != free || st.CowFaults != before.CowFaults {
		t.Fatalf("vm_copy of a shared region took %d frames", free-env.VM.FreePages())
	}
	env.CPU(child).Store8(src+3*page, 0xaa) // in place, through the sharer
	if err := m.Copy(src, size, dst2); err != nil {
		t.Fatal(err)
	}
	cpu.Store8(src+4*page, 0xbb)
	for i, want := range map[int][3]byte{3: {3, 0xaa, 0xaa}, 4: {4, 4, 0xbb}, 5: {5, 5, 5}, pages - 1: {}} {
		for k, va := range []vm.VAddr{dst1, dst2, src} {
			if b, err := cpu.Load8(va + vm.VAddr(i*page)); err != nil || b != want[k] {
				t.Errorf("page %d of region %d = %#x (%v), want %#x", i, k, b, err, want[k])
			}
		}
	}
	if st := env.VM.Statistics(); st.CopyPushes-before.CopyPushes != 2 {
		t.Errorf("%d pages pushed, want 2", st.CopyPushes-before.CopyPushes)
	}
	check(t, env)
	child.Destroy()
	m.Destroy()
	if err := env.CheckEmpty(); err != nil {
		t.Fatal(err)
	}
}
