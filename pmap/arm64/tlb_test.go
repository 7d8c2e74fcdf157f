package arm64

import (
	"testing"

	"github.com/tamach/tamach/pmap"
)

const rw = pmap.ProtRead | pmap.ProtWrite

// TestRemapBreakBeforeMake: replacing a cached translation by one to another
// frame goes through an invalid entry and a TLBI (D8.16.1).
func TestRemapBreakBeforeMake(t *testing.T) {
	h := newHarness(t, modeHardware)
	s := h.create(pmap.KindUser)
	const va = pmap.VAddr(0x40_0000)
	must(t, s.Enter(va, frame(1), rw, 0), "Enter")
	if _, f := h.touch(s, va, wAccess{el0: true}); f != wOK {
		t.Fatalf("touch: %v", f)
	}
	var sawBreak bool
	h.cpu.onInvalidatePage = func(asid ASID, at pmap.VAddr) {
		if at != va || asid != s.ASID() {
			t.Errorf("TLBI for %v asid %d, want %v asid %d", at, asid, va, s.ASID())
		}
		w := softWalk(h.arena, uint64(s.root), uint64(va))
		sawBreak = w.fault == wTranslation
	}
	h.cpu.resetCounts()
	must(t, s.Enter(va, frame(2), rw, 0), "Enter other frame")
	if !sawBreak || h.cpu.invPage != 1 {
		t.Fatalf("remap: break seen %v, %d TLBIs; want the entry invalid at the one TLBI", sawBreak, h.cpu.invPage)
	}
	h.checkTLB()
	if pa, f := h.touch(s, va, wAccess{el0: true}); f != wOK || pa != uint64(frame(2)) {
		t.Fatalf("after remap the access reaches %#x (%v)", pa, f)
	}
	// Device memory at the same frame is a memory type change: also BBM.
	sawBreak = false
	must(t, s.Enter(va, frame(2), rw, pmap.Device), "Enter as device")
	if !sawBreak {
		t.Fatal("memory type change without break-before-make")
	}
	h.checkTLB()
}

// TestPermissionChangeWithoutBreak: lowering permissions keeps the entry
// valid (no break-before-make needed) and is followed by a TLBI.
func TestPermissionChangeWithoutBreak(t *testing.T) {
	h := newHarness(t, modeSoftware)
	s := h.create(pmap.KindUser)
	const va = pmap.VAddr(0x40_0000)
	must(t, s.Enter(va, frame(1), rw, 0), "Enter")
	h.touch(s, va, wAccess{el0: true, write: true})
	var during uint64
	h.cpu.onInvalidatePage = func(_ ASID, _ pmap.VAddr) {
		during = softWalk(h.arena, uint64(s.root), uint64(va)).desc
	}
	h.cpu.resetCounts()
	must(t, s.Protect(va, va+pmap.PageSize, pmap.ProtRead), "Protect")
	if h.cpu.invPage != 1 || during&wValid == 0 || during&wAP2 == 0 {
		t.Fatalf("Protect: %d TLBIs, entry at the TLBI %#x; want one TLBI after writing a valid read-only entry", h.cpu.invPage, during)
	}
	if _, f := h.touch(s, va, wAccess{el0: true, write: true}); f != wPermission {
		t.Fatalf("write after Protect(r): %v", f)
	}
	if !h.sys.IsModified(frame(1)) {
		t.Fatal("dirty state lost when write access was removed")
	}
	h.checkTLB()
}

// TestSplitBreakBeforeMake: a page removed from a 2 MiB block splits the
// block: the block entry is invalid when its TLBI runs, and the other pages
// keep their translation.
func TestSplitBreakBeforeMake(t *testing.T) {
	for _, size := range []uint64{2 << 20, 1 << 30} {
		h := newHarness(t, modeSoftware)
		k := h.create(pmap.KindKernel)
		base := pmap.VAddr(1 << 30)
		must(t, k.MapRange(base, pmap.PAddr(base), size, rw, pmap.Wired), "MapRange")
		h.touch(k, base+0x5000, wAccess{})
		var breaks int
		h.cpu.onInvalidatePage = func(_ ASID, va pmap.VAddr) {
			w := softWalk(h.arena, uint64(k.root), uint64(va))
			if w.fault == wTranslation && w.level < 3 {
				breaks++
			}
		}
		must(t, k.Remove(base+0x3000, base+0x4000), "Remove")
		if breaks == 0 {
			t.Fatalf("size %#x: block split without an invalid entry at the TLBI", size)
		}
		h.checkTLB()
		for _, off := range []pmap.VAddr{0, 0x2000, 0x4000, pmap.VAddr(size) - pmap.PageSize} {
			if pa, f := h.touch(k, base+off, wAccess{write: true}); f != wOK || pa != uint64(base+off) {
				t.Fatalf("size %#x: page %v after split: %#x %v", size, base+off, pa, f)
			}
		}
		if _, f := h.touch(k, base+0x3000, wAccess{}); f != wTranslation {
			t.Fatalf("removed page still reachable: %v", f)
		}
		if st := k.Stats(); st.Resident != size/pmap.PageSize-1 || st.Wired != st.Resident {
			t.Fatalf("size %#x: Stats %+v", size, st)
		}
	}
}

// TestNoMaintenanceForDeadASIDs: a user space never activated (or not since
// the last full flush) cannot have TLB entries: no TLBI is issued for it.
func TestNoMaintenanceForDeadASIDs(t *testing.T) {
	h := newHarness(t, modeSoftware)
	s := h.create(pmap.KindUser)
	h.cpu.resetCounts()
	for i := 0; i < 64; i++ {
		va := pmap.VAddr(0x40_0000 + i*pmap.PageSize)
		must(t, s.Enter(va, frame(i), rw, 0), "Enter")
		must(t, s.Enter(va, frame(i+1), rw, 0), "Enter again")
	}
	must(t, s.Remove(0x40_0000, 0x80_0000), "Remove")
	if h.cpu.invPage+h.cpu.invASID+h.cpu.invAll+h.cpu.syncs != 0 {
		t.Fatalf("maintenance for a space never activated: %+v", h.cpu)
	}
	h.activate(s)
	h.cpu.resetCounts()
	must(t, s.Enter(0x40_0000, frame(1), rw, 0), "Enter live")
	must(t, s.Remove(0x40_0000, 0x40_1000), "Remove live")
	if h.cpu.invPage == 0 {
		t.Fatal("no TLBI for a live space")
	}
}

// TestASIDRollover uses 8-bit ASIDs: when a generation runs out the whole
// TLB is flushed once and spaces of the old generation get new ASIDs.
func TestASIDRollover(t *testing.T) {
	arena := pmap.NewArena(arenaBase, 4<<20)
	cpu := newFakeCPU(arena, 0)
	cpu.mmfr0 = 0b0101 // PARange 48 bits, ASIDBits 8, TGran4 supported
	sys, err := New(Config{Memory: arena, Frames: arena, CPU: cpu})
	must(t, err, "New")
	kp, err := sys.Create(pmap.KindKernel)
	must(t, err, "Create kernel")
	k := kp.(*Space)
	perGen := 256 - firstUserASID
	spaces := make([]*Space, perGen+10)
	seen := map[ASID]bool{}
	for i := range spaces {
		p, err := sys.Create(pmap.KindUser)
		must(t, err, "Create")
		spaces[i] = p.(*Space)
		spaces[i].Activate()
		asid := spaces[i].ASID()
		if cpu.ttbr0 != uint64(asid)<<48|uint64(spaces[i].root) {
			t.Fatalf("TTBR0 %#x for asid %d root %v", cpu.ttbr0, asid, spaces[i].root)
		}
		if asid <= kernelASIDs || asid > 255 {
			t.Fatalf("space %d got ASID %d", i, asid)
		}
		if i == perGen {
			if cpu.invAll != 1 {
				t.Fatalf("no full flush at rollover (space %d)", i)
			}
			seen = map[ASID]bool{}
		} else if cpu.invAll != 0 && i < perGen {
			t.Fatalf("flush before the generation ran out (space %d)", i)
		}
		if seen[asid] {
			t.Fatalf("ASID %d handed out twice in one generation", asid)
		}
		seen[asid] = true
	}
	old := spaces[0].ASID()
	spaces[0].Activate()
	if spaces[0].gen != sys.asids.gen || seen[spaces[0].ASID()] {
		t.Fatalf("space of the old generation kept ASID %d (was %d)", spaces[0].ASID(), old)
	}
	k.Activate()
	if k.ASID() != 1 || cpu.ttbr0>>48 != 1 || cpu.invAll != 1 {
		t.Fatalf("kernel ASID %d, TTBR0 %#x, %d flushes", k.ASID(), cpu.ttbr0, cpu.invAll)
	}
	if k.TTBR() != uint64(k.root)|1<<48 {
		t.Fatalf("kernel TTBR %#x", k.TTBR())
	}
}

// TestDestroyFlushesOnce: destroying a live space flushes its ASID once
// instead of page by page, and no entry of it survives.
func TestDestroyFlushesOnce(t *testing.T) {
	h := newHarness(t, modeHardware)
	s := h.create(pmap.KindUser)
	k := h.create(pmap.KindKernel)
	for i := 0; i < 100; i++ {
		va := pmap.VAddr(0x40_0000 + i*pmap.PageSize)
		must(t, s.Enter(va, frame(i), rw, 0), "Enter")
		h.touch(s, va, wAccess{el0: true})
	}
	h.activate(k)
	h.cpu.resetCounts()
	asid := s.ASID()
	h.destroy(s)
	if h.cpu.invASID != 1 || h.cpu.invPage != 0 {
		t.Fatalf("Destroy: %d ASID flushes, %d page TLBIs", h.cpu.invASID, h.cpu.invPage)
	}
	for _, e := range h.cpu.tlb {
		if !e.global && e.asid == asid {
			t.Fatalf("entry of the destroyed space survives: %+v", e)
		}
	}
	h.checkTLB()
}

// TestUpperSpace: the TTBR1 table holds global EL1-only mappings; Activate
// loads TTBR1_EL1; an access from any ASID uses them.
func TestUpperSpace(t *testing.T) {
	h := newHarness(t, modeSoftware)
	up := h.upper()
	const tramp = pmap.VAddr(0xffff_ffff_ffff_0000)
	must(t, up.Enter(tramp, 0x4000_0000, pmap.ProtRead|pmap.ProtExecute, pmap.Wired), "Enter trampoline")
	up.Activate()
	if h.cpu.ttbr1 != uint64(up.root) {
		t.Fatalf("TTBR1 = %#x, want %v", h.cpu.ttbr1, up.root)
	}
	a, b := h.create(pmap.KindUser), h.create(pmap.KindUser)
	for _, s := range []*Space{a, b} {
		h.activate(s)
		if pa, f := h.cpu.access(uint64(tramp), wAccess{exec: true}, false, false); f != wOK || pa != 0x4000_0000 {
			t.Fatalf("trampoline from asid %d: %#x %v", s.ASID(), pa, f)
		}
		if _, f := h.cpu.access(uint64(tramp), wAccess{el0: true}, false, false); f != wPermission {
			t.Fatalf("EL0 reaches the trampoline: %v", f)
		}
	}
	h.cpu.resetCounts()
	must(t, up.Protect(tramp, tramp+pmap.PageSize, pmap.ProtRead), "Protect")
	h.checkTLB()
	if h.cpu.invPage != 1 {
		t.Fatalf("%d TLBIs for a global entry", h.cpu.invPage)
	}
	must(t, up.Remove(pmap.VAddr(upperBase), 0), "Remove the whole upper half")
	h.checkTLB()
	if st := up.Stats(); st.Resident != 0 || st.TablePages != 1 {
		t.Fatalf("upper Stats %+v", st)
	}
}

// TestProtectRangeBatchesTLBI: a Protect that lowers more pages than
// batchLimit invalidates the first batchLimit one by one, then the whole
// ASID once, and leaves no stale entry and no lost dirty state; a smaller
// one stays page by page.
func TestProtectRangeBatchesTLBI(t *testing.T) {
	for _, n := range []int{batchLimit, 4 * batchLimit} {
		h := newHarness(t, modeHardware)
		s := h.create(pmap.KindUser)
		const base = pmap.VAddr(0x40_0000)
		for i := range n {
			va := base + pmap.VAddr(i)*pmap.PageSize
			must(t, s.Enter(va, frame(i), rw, 0), "Enter")
			if _, f := h.touch(s, va, wAccess{el0: true, write: true}); f != wOK {
				t.Fatalf("write to %v: %v", va, f)
			}
		}
		h.cpu.resetCounts()
		end := base + pmap.VAddr(n)*pmap.PageSize
		must(t, s.Protect(base, end, pmap.ProtRead), "Protect")
		wantPage, wantASID := n, 0
		if n > batchLimit {
			wantPage, wantASID = batchLimit, 1
		}
		if h.cpu.invPage != wantPage || h.cpu.invASID != wantASID {
			t.Errorf("%d pages: %d page TLBIs and %d ASID TLBIs, want %d and %d", n, h.cpu.invPage, h.cpu.invASID, wantPage, wantASID)
		}
		h.checkTLB()
		for i := range n {
			va := base + pmap.VAddr(i)*pmap.PageSize
			if _, f := h.touch(s, va, wAccess{el0: true, write: true}); f != wPermission {
				t.Fatalf("%d pages: write to %v after Protect(r): %v", n, va, f)
			}
			if !h.sys.IsModified(frame(i)) {
				t.Fatalf("%d pages: dirty state of page %d lost", n, i)
			}
		}
	}
}
