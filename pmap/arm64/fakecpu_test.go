package arm64

// fakeCPU records the TLB maintenance the pmap performs and models a TLB
// with walk caches, so tests can check that no stale translation survives an
// operation and that break-before-make is respected.

import (
	"fmt"
	"sync/atomic"

	"github.com/tamach/tamach/pmap"
)

// tlbEntry is a cached leaf or table descriptor (Arm ARM D8.13).
type tlbEntry struct {
	asid   ASID
	global bool
	upper  bool
	root   uint64 // table base the entry was walked from
	level  int
	base   uint64 // first VA the entry translates
	desc   uint64
	table  bool // a walk-cache entry for a table descriptor
}

func (e tlbEntry) size() uint64 { return 1 << (39 - 9*uint(e.level)) }

func (e tlbEntry) covers(va uint64) bool { return va >= e.base && va-e.base < e.size() }

// tlbCapacity bounds the model TLB, as real TLBs are bounded.
const tlbCapacity = 512

type fakeCPU struct {
	mem          pmap.Memory
	mmfr0, mmfr1 uint64
	ttbr0, ttbr1 uint64

	tlb []tlbEntry

	invPage, invASID, invAll, syncs, loads int
	caches                                 []cacheCall  // CleanInvalidateDataCache and SyncInstructionCache, in order
	pages                                  []pmap.VAddr // VAs of InvalidatePage, in order

	violations []string // break-before-make violations seen at a CPU operation

	// onInvalidatePage, if set, runs at each InvalidatePage before the
	// TLB entries go: tests look at the tables at that moment.
	onInvalidatePage func(asid ASID, va pmap.VAddr)
}

// QEMU's cortex-a57 ID_AA64MMFR0_EL1 (target/arm/cpu64.c): PARange 44 bits,
// 16-bit ASIDs, 4KB granule.
const qemuA57MMFR0 = 0x00001124

func newFakeCPU(mem pmap.Memory, hafdbs uint64) *fakeCPU {
	return &fakeCPU{mem: mem, mmfr0: qemuA57MMFR0, mmfr1: hafdbs}
}

func (c *fakeCPU) MMFR0() uint64 { return c.mmfr0 }
func (c *fakeCPU) MMFR1() uint64 { return c.mmfr1 }

func (c *fakeCPU) SetTTBR0(v uint64) { c.checkBBM(); c.ttbr0 = v; c.loads++ }
func (c *fakeCPU) SetTTBR1(v uint64) { c.checkBBM(); c.ttbr1 = v; c.loads++ }
func (c *fakeCPU) Sync()             { c.checkBBM(); c.syncs++ }

func (c *fakeCPU) ZeroFrame(f *[pmap.PageSize]byte) { clear(f[:]) }

func (c *fakeCPU) InvalidatePage(asid ASID, va pmap.VAddr) {
	c.checkBBM()
	if c.onInvalidatePage != nil {
		c.onInvalidatePage(asid, va)
	}
	c.invPage++
	c.pages = append(c.pages, va)
	c.drop(func(e tlbEntry) bool { return (e.global || e.asid == asid) && e.covers(uint64(va)) })
}

func (c *fakeCPU) InvalidateASID(asid ASID) {
	c.checkBBM()
	c.invASID++
	c.drop(func(e tlbEntry) bool { return !e.global && e.asid == asid })
}

// cacheCall is one cache maintenance call the fake CPU received.
type cacheCall struct {
	data bool // CleanInvalidateDataCache (else SyncInstructionCache)
	pa   pmap.PAddr
	size uint64
}

func (c *fakeCPU) CleanInvalidateDataCache(pa pmap.PAddr, size uint64) {
	c.caches = append(c.caches, cacheCall{data: true, pa: pa, size: size})
}

func (c *fakeCPU) SyncInstructionCache(pa pmap.PAddr, size uint64) {
	c.caches = append(c.caches, cacheCall{pa: pa, size: size})
}

func (c *fakeCPU) InvalidateAll() {
	c.checkBBM()
	c.invAll++
	c.tlb = c.tlb[:0]
}

func (c *fakeCPU) drop(match func(tlbEntry) bool) {
	kept := c.tlb[:0]
	for _, e := range c.tlb {
		if !match(e) {
			kept = append(kept, e)
		}
	}
	c.tlb = kept
}

func (c *fakeCPU) resetCounts() {
	c.invPage, c.invASID, c.invAll, c.syncs, c.loads = 0, 0, 0, 0, 0
	c.pages = c.pages[:0]
}

func (c *fakeCPU) asid() ASID { return ASID(c.ttbr0 >> 48) }

// rootFor is the table base the CPU walks for va.
func (c *fakeCPU) rootFor(va uint64) (root uint64, upper bool) {
	if va&wUpper == wUpper {
		return c.ttbr1 & wAddr, true
	}
	return c.ttbr0 & wAddr, false
}

// lookupTLB finds a cached leaf for va in the current context.
func (c *fakeCPU) lookupTLB(va uint64) (tlbEntry, bool) {
	for _, e := range c.tlb {
		if !e.table && (e.global || e.asid == c.asid()) && e.covers(va) {
			return e, true
		}
	}
	return tlbEntry{}, false
}

func (c *fakeCPU) insert(e tlbEntry) {
	if len(c.tlb) >= tlbCapacity {
		copy(c.tlb, c.tlb[1:])
		c.tlb = c.tlb[:len(c.tlb)-1]
	}
	c.tlb = append(c.tlb, e)
}

// access performs a as the CPU would with the current TTBRs: through the
// TLB if it holds the translation, else by a walk that fills the TLB (walk
// caches for the tables, the leaf if its AF is set). hwAF and hwDirty are
// TCR_EL1.HA and HD.
func (c *fakeCPU) access(va uint64, a wAccess, hwAF, hwDirty bool) (uint64, wFault) {
	if e, ok := c.lookupTLB(va); ok {
		if wPermits(e.desc, a) {
			return e.desc&wAddr&^(e.size()-1) | va&(e.size()-1), wOK
		}
		if !(a.write && hwDirty && e.desc&wDBM != 0) {
			return 0, wPermission // permission faults may come from the TLB
		}
		c.drop(func(x tlbEntry) bool { return x == e }) // hardware re-walks to update the dirty state
	}
	root, upper := c.rootFor(va)
	w := softWalk(c.mem, root, va)
	f := softAccess(&w, a, hwAF, hwDirty)
	c.fill(root, upper, va, w)
	if f != wOK {
		return 0, f
	}
	return w.pa | va&0xfff, wOK
}

// fill caches what a walk found: every table descriptor on the way, and the
// leaf unless it faults for a reason that forbids caching (D8.13.1:
// Translation, Address size and Access flag faults are never cached).
func (c *fakeCPU) fill(root uint64, upper bool, va uint64, w wWalk) {
	global := upper
	for l := 0; l < w.level; l++ {
		c.insert(tlbEntry{asid: c.asid(), global: global, upper: upper, root: root, level: l,
			base: va &^ (uint64(1)<<(39-9*uint(l)) - 1), desc: w.tables[l], table: true})
	}
	if w.fault != wOK && w.fault != wPermission {
		return
	}
	d := atomic.LoadUint64(w.slot)
	if d&wAF == 0 {
		return
	}
	c.insert(tlbEntry{asid: c.asid(), global: d&wNG == 0, upper: upper, root: root, level: w.level,
		base: va &^ (uint64(1)<<(39-9*uint(w.level)) - 1), desc: d})
}

// current returns what the tables now hold where e was walked from.
func (c *fakeCPU) current(e tlbEntry) (uint64, bool) {
	w := softWalk(c.mem, e.root, e.base)
	if e.table {
		if w.level <= e.level || w.tables[e.level] == 0 {
			return 0, false
		}
		return w.tables[e.level], true
	}
	if w.fault == wTranslation || w.level != e.level {
		return 0, false
	}
	return w.desc, true
}

// hardwareBits are the bits of a descriptor the hardware interprets (table
// descriptors: not the ignored bits[11:2] where the pmap keeps its counts).
func hardwareBits(d uint64, table bool) uint64 {
	if table {
		return d &^ (0x3ff << 2) &^ (0x7f << 52)
	}
	return d &^ (wSoftware | wPBHA)
}

// checkBBM records, at a CPU operation, every TLB entry whose table entry has
// meanwhile become a different valid translation (other output address, size
// or memory type) without having been invalidated first.
func (c *fakeCPU) checkBBM() {
	for _, e := range c.tlb {
		if e.table {
			continue
		}
		now, ok := c.current(e)
		if !ok || now&wValid == 0 {
			continue
		}
		if now&wAddr != e.desc&wAddr || now&wAttrIdx != e.desc&wAttrIdx {
			c.violations = append(c.violations, fmt.Sprintf("va %#x level %d: cached %#x, tables now %#x", e.base, e.level, e.desc, now))
		}
	}
}

// stale lists the TLB entries that no longer match the tables exactly:
// after every pmap operation there must be none.
func (c *fakeCPU) stale(liveRoots map[uint64]bool) []string {
	var out []string
	for _, e := range c.tlb {
		if !liveRoots[e.root] {
			out = append(out, fmt.Sprintf("entry for dead root %#x va %#x", e.root, e.base))
			continue
		}
		now, ok := c.current(e)
		if !ok || hardwareBits(now, e.table) != hardwareBits(e.desc, e.table) {
			out = append(out, fmt.Sprintf("va %#x level %d table=%v: cached %#x, tables %#x", e.base, e.level, e.table, e.desc, now))
		}
	}
	return out
}
