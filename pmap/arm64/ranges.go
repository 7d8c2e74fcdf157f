package arm64

import (
	"fmt"

	"github.com/tamach/tamach/pmap"
)

// rangeOp is what Remove and Protect do to each leaf of a range.
type rangeOp struct {
	remove bool      // unmap
	prot   pmap.Prot // otherwise: lower the protection to prot
	// tlb gathers the invalidations of the leaves Protect lowers; nil:
	// each leaf is invalidated at once (Remove, whose breaks and freed
	// tables must be invalidated before they are reused).
	tlb *batch
}

// Remove implements pmap.Pmap. A block only partly inside the range is split
// first (which needs a frame: ErrNoFrames leaves the rest of the range
// untouched).
func (s *Space) Remove(start, end pmap.VAddr) error {
	lo, hi, err := s.checkRange(start, end)
	if err != nil {
		return err
	}
	if hi-lo == pmap.PageSize && s.removePage(lo) {
		return nil
	}
	return s.rangeLevel(s.sys.table(s.root), 0, 0, lo, hi, nil, rangeOp{remove: true})
}

// removePage is Remove's path for one page: a direct walk instead of the
// range recursion. It reports false, changing nothing, if the page lies in
// a block (which the range path splits).
func (s *Space) removePage(off uint64) bool {
	tbl := s.sys.table(s.root)
	var parent *entry
	for l := 0; l < levels; l++ {
		slot := &tbl[index(off, l)]
		e := *slot
		switch {
		case !e.valid():
			return true
		case e.isTable(l):
			parent = slot
			tbl = s.sys.table(e.tableAddr())
		case l != leafLevel:
			return false
		default:
			s.breakLeaf(slot, l, off, parent)
			if parent.count() == 0 {
				s.prune(off)
			}
			return true
		}
	}
	panic("arm64.Space.removePage: level 3 entry is a table")
}

// Protect implements pmap.Pmap. Lowering a protection changes permission
// bits only, written in place and followed by a TLBI (no break-before-make,
// D8.16.1). When write access goes, the leaf keeps its dirty state in
// swDirty (entry.readOnly).
func (s *Space) Protect(start, end pmap.VAddr, prot pmap.Prot) error {
	if prot&^pmap.ProtAll != 0 {
		return fmt.Errorf("%w: prot %#x", pmap.ErrBadFlags, uint8(prot))
	}
	lo, hi, err := s.checkRange(start, end)
	if err != nil {
		return err
	}
	if prot == pmap.ProtNone {
		return s.rangeLevel(s.sys.table(s.root), 0, 0, lo, hi, nil, rangeOp{remove: true, prot: prot})
	}
	b := batch{s: s}
	err = s.rangeLevel(s.sys.table(s.root), 0, 0, lo, hi, nil, rangeOp{prot: prot, tlb: &b})
	b.finish()
	return err
}

// rangeLevel applies op to the offsets [lo, hi) of the level-l table tbl,
// whose first entry maps offset base; parent points to tbl and counts its
// entries. Tables emptied on the way are freed.
func (s *Space) rangeLevel(tbl *[entries]entry, l int, base, lo, hi uint64, parent *entry, op rangeOp) error {
	if lo >= hi {
		return nil
	}
	size := levelSize(l)
	last := entries - 1
	if hi-base < entries*size {
		last = index(hi-1, l)
	}
	if l == leafLevel {
		s.rangePages(tbl, index(lo, l), last, base, parent, op)
		return nil
	}
	for i := index(lo, l); i <= last; i++ {
		if !tbl[i].valid() {
			continue
		}
		eLo := base + uint64(i)*size
		if err := s.rangeEntry(&tbl[i], l, eLo, max(lo, eLo), min(hi, eLo+size), parent, op); err != nil {
			return err
		}
	}
	return nil
}

// rangeEntry applies op to [lo, hi) within the one entry slot of a level-l
// table, which maps from offset eLo.
func (s *Space) rangeEntry(slot *entry, l int, eLo, lo, hi uint64, parent *entry, op rangeOp) error {
	e := *slot
	if !e.valid() {
		return nil
	}
	if e.leaf(l) && (lo > eLo || hi < eLo+levelSize(l)) {
		if err := s.split(slot, l, eLo); err != nil {
			return err
		}
		e = *slot
	}
	if !e.isTable(l) {
		s.applyLeaf(slot, l, eLo, parent, op)
		return nil
	}
	err := s.rangeLevel(s.sys.table(e.tableAddr()), l+1, eLo, lo, hi, slot, op)
	if slot.count() == 0 {
		s.freeTable(slot, l, eLo, parent)
	}
	return err
}

// rangePages applies op to the entries first to last of the level-3 table
// tbl, whose first entry maps offset base. The last level holds pages only,
// each wholly inside the page-aligned range, so this is a plain loop,
// without rangeEntry's splitting and descending. Most of a fork's cost is
// here: every resident page of the parent loses write access and nothing
// else, which the loop does itself; anything else goes to applyLeaf.
func (s *Space) rangePages(tbl *[entries]entry, first, last int, base uint64, parent *entry, op rangeOp) {
	for i := first; i <= last; i++ {
		slot := &tbl[i]
		e := loadLeaf(slot)
		if !e.valid() {
			continue
		}
		off := base + uint64(i)*pmap.PageSize
		if op.remove {
			s.breakLeaf(slot, leafLevel, off, parent)
			continue
		}
		switch lost := e.prot() &^ op.prot; {
		case lost == 0:
			continue // nothing to take away (a page a fork found read-only)
		case lost != pmap.ProtWrite:
			s.applyLeaf(slot, leafLevel, off, parent, op)
			continue
		}
		// Only write access goes.
		for !casLeaf(slot, e, e.readOnly()) {
			e = loadLeaf(slot) // the hardware set AF or the dirty state
		}
		op.tlb.add(off)
	}
}

// applyLeaf applies op to the valid leaf at slot.
func (s *Space) applyLeaf(slot *entry, l int, off uint64, parent *entry, op rangeOp) {
	if op.remove {
		s.breakLeaf(slot, l, off, parent)
		return
	}
	e := loadLeaf(slot)
	cur := e.prot()
	if cur&^op.prot == 0 {
		return // nothing to take away
	}
	p := effectiveProt(cur&op.prot, e.user(), e.device())
	switch {
	case p == pmap.ProtNone:
		s.breakLeaf(slot, l, off, parent)
	case p != cur:
		s.lowerLeaf(slot, l, off, p, op.tlb)
	}
}

// lowerLeaf lowers the protection of the valid leaf at slot to p; b, if
// not nil, takes its TLB invalidation.
func (s *Space) lowerLeaf(slot *entry, l int, off uint64, p pmap.Prot, b *batch) {
	var old entry
	for {
		old = loadLeaf(slot)
		if casLeaf(slot, old, old.lowered(p)) {
			break
		}
	}
	if b != nil {
		b.add(off)
	} else {
		s.invalidate(off)
	}
}

// protectPage lowers the protection of the page mapped at va to prot
// (PageProtect). Reverse-mapped pages are 4 KiB leaves: no split, no error.
func (s *Space) protectPage(va pmap.VAddr, prot pmap.Prot) {
	if err := s.Protect(va, va+pmap.PageSize, prot); err != nil {
		panic("arm64.Space.protectPage: reverse-mapped page could not be changed")
	}
}

// cleanPage makes the page at va clean again: a tracked page gets AP[2] = 1
// if it is dirty, so that the next write is seen; any page forgets a write
// from before it was made read-only (swDirty, which the hardware ignores: no
// TLBI).
func (s *Space) cleanPage(va pmap.VAddr) {
	off := s.offset(va)
	slot, _ := s.lookup(off)
	if slot == nil {
		return
	}
	switch e := loadLeaf(slot); {
	case e&swTracked != 0 && e.dirty():
		updateLeaf(slot, swDirty, entryAPRO)
		s.invalidate(off)
	case e&swDirty != 0:
		updateLeaf(slot, swDirty, 0)
	}
}

// unreferencePage clears AF of the tracked page at va, so that the next
// access is seen.
func (s *Space) unreferencePage(va pmap.VAddr) {
	off := s.offset(va)
	slot, _ := s.lookup(off)
	if slot == nil {
		return
	}
	if e := loadLeaf(slot); e&swTracked != 0 && e.referenced() {
		updateLeaf(slot, entryAF, 0)
		s.invalidate(off)
	}
}
