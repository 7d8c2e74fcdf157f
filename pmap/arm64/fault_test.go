package arm64

import (
	"testing"

	"github.com/tamach/tamach/pmap"
)

// TestSoftwareReferencedModified walks one page through the software
// emulation: Access flag fault, first-write fault, ClearModify and
// ClearReference re-arming them.
func TestSoftwareReferencedModified(t *testing.T) {
	for _, mode := range []accessMode{modeSoftware, modeForcedSoftware} {
		h := newHarness(t, mode)
		s := h.create(pmap.KindUser)
		const va = pmap.VAddr(0x40_0000)
		pa := frame(3)
		must(t, s.Enter(va, pa, rw, 0), "Enter")
		h.activate(s)
		if h.sys.IsReferenced(pa) || h.sys.IsModified(pa) {
			t.Fatal("fresh mapping already referenced or modified")
		}
		// First read: Access flag fault, resolved without a TLBI.
		if _, f := h.cpu.access(uint64(va), wAccess{el0: true}, false, false); f != wAccessFlag {
			t.Fatalf("%v: first read: %v, want an Access flag fault", mode, f)
		}
		h.cpu.resetCounts()
		if !s.FastFault(va+0x10, pmap.ProtRead) {
			t.Fatal("FastFault did not resolve the Access flag fault")
		}
		if h.cpu.invPage != 0 || h.cpu.syncs != 1 {
			t.Fatalf("setting AF: %d TLBIs, %d syncs; want none and one", h.cpu.invPage, h.cpu.syncs)
		}
		if !h.sys.IsReferenced(pa) || h.sys.IsModified(pa) {
			t.Fatal("after a read: want referenced, not modified")
		}
		if _, f := h.cpu.access(uint64(va), wAccess{el0: true}, false, false); f != wOK {
			t.Fatalf("read after FastFault: %v", f)
		}
		// First write: Permission fault on the clean page; resolved with a
		// TLBI since the read-only entry is cached now.
		if _, f := h.cpu.access(uint64(va), wAccess{el0: true, write: true}, false, false); f != wPermission {
			t.Fatalf("first write: %v, want a Permission fault", f)
		}
		h.cpu.resetCounts()
		if !s.FastFault(va, pmap.ProtWrite) || h.cpu.invPage != 1 {
			t.Fatalf("FastFault(write): %d TLBIs", h.cpu.invPage)
		}
		if _, f := h.cpu.access(uint64(va), wAccess{el0: true, write: true}, false, false); f != wOK {
			t.Fatalf("write after FastFault: %v", f)
		}
		if !h.sys.IsModified(pa) {
			t.Fatal("not modified after a write")
		}
		h.checkTLB()
		// A second FastFault has nothing to do.
		if s.FastFault(va, pmap.ProtWrite) {
			t.Fatal("FastFault resolved a fault that cannot happen")
		}
		h.sys.ClearModify(pa)
		h.checkTLB()
		if h.sys.IsModified(pa) {
			t.Fatal("modified after ClearModify")
		}
		if _, f := h.cpu.access(uint64(va), wAccess{el0: true, write: true}, false, false); f != wPermission {
			t.Fatalf("write after ClearModify: %v, want a fault", f)
		}
		h.sys.ClearReference(pa)
		h.checkTLB()
		if h.sys.IsReferenced(pa) {
			t.Fatal("referenced after ClearReference")
		}
		if _, f := h.cpu.access(uint64(va), wAccess{el0: true}, false, false); f != wAccessFlag {
			t.Fatalf("read after ClearReference: %v, want an Access flag fault", f)
		}
		// A write with AF clear resolves both at once.
		if !s.FastFault(va, pmap.ProtWrite) || !h.sys.IsReferenced(pa) || !h.sys.IsModified(pa) {
			t.Fatal("FastFault(write) on an unreferenced page")
		}
		// Removing the mapping keeps the answers.
		must(t, s.Remove(va, va+pmap.PageSize), "Remove")
		if !h.sys.IsReferenced(pa) || !h.sys.IsModified(pa) {
			t.Fatal("state lost when the mapping was removed")
		}
	}
}

// TestFastFaultRefuses: faults the vm must handle are not resolved and
// change nothing.
func TestFastFaultRefuses(t *testing.T) {
	h := newHarness(t, modeSoftware)
	s := h.create(pmap.KindUser)
	must(t, s.Enter(0x40_0000, frame(1), pmap.ProtRead, 0), "Enter r--")
	must(t, s.Enter(0x40_1000, frame(2), rw, pmap.Kernel), "Enter kernel rw")
	must(t, s.Enter(0x40_2000, 0x4100_0000, rw, 0), "Enter unmanaged")
	must(t, s.Enter(0x40_3000, deviceBase, rw, pmap.Device), "Enter device")
	cases := []struct {
		va     pmap.VAddr
		access pmap.Prot
	}{
		{0x40_0000, pmap.ProtWrite},   // write to read-only
		{0x40_0000, pmap.ProtExecute}, // execute non-executable
		{0x40_1000, pmap.ProtRead},    // untracked kernel mapping
		{0x40_2000, pmap.ProtWrite},   // unmanaged: not tracked
		{0x40_3000, pmap.ProtRead},    // device
		{0x50_0000, pmap.ProtRead},    // unmapped
		{0xffff_0000_0000_0000, pmap.ProtRead},
		{0x40_0000, 0},
	}
	for _, c := range cases {
		before := tableSnapshot(h, s)
		if s.FastFault(c.va, c.access) {
			t.Errorf("FastFault(%v, %v) resolved", c.va, c.access)
		}
		if !equalSnapshots(before, tableSnapshot(h, s)) {
			t.Errorf("FastFault(%v, %v) changed the tables", c.va, c.access)
		}
	}
}
