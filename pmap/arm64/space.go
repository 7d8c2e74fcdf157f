package arm64

import (
	"fmt"

	"github.com/tamach/tamach/pmap"
)

// Space is one translation table tree: a task's or the kernel's lower half
// (TTBR0_EL1), or the shared upper half (TTBR1_EL1, see
// System.CreateUpper). It implements pmap.Pmap.
//
// All fields are guarded by the vm system's lock on the space (the contract:
// calls on one space are serialised); asid and gen also change under the
// System (Activate).
type Space struct {
	sys   *System
	kind  pmap.Kind
	upper bool // translates the TTBR1 half
	root  pmap.PAddr
	refs  int

	asid   ASID   // TTBR0 tag; meaningless for the upper half
	gen    uint64 // generation of asid (user spaces); 0: none yet
	pinned bool   // asid is a kernel ASID, valid in every generation

	stats pmap.Stats
}

var _ pmap.Pmap = (*Space)(nil)

// Kind implements pmap.Pmap.
func (s *Space) Kind() pmap.Kind { return s.kind }

// Root implements pmap.Pmap.
func (s *Space) Root() pmap.PAddr { return s.root }

// Upper reports whether the space translates the TTBR1 half.
func (s *Space) Upper() bool { return s.upper }

// Stats implements pmap.Pmap.
func (s *Space) Stats() pmap.Stats { return s.stats }

// Reference implements pmap.Pmap.
func (s *Space) Reference() { s.refs++ }

// Destroy implements pmap.Pmap. When the last reference goes, the TLB
// entries of the space are flushed first, then every mapping and every
// table, root included, is dropped.
//
// Precondition: the space is not loaded in TTBR0_EL1 (TTBR1_EL1) of any CPU,
// so no new TLB entry can appear after the flush.
func (s *Space) Destroy() {
	s.refs--
	if s.refs > 0 {
		return
	}
	if s.refs < 0 {
		panic("arm64.Space.Destroy: reference count below zero")
	}
	s.invalidateAll()
	s.freeTree(s.root, 0, 0)
	s.sys.frames.FreeFrame(s.root)
	if s.pinned {
		s.sys.asids.unpin(s.asid)
		s.pinned = false
	}
	s.root, s.gen, s.asid = 0, 0, 0
	s.stats = pmap.Stats{}
}

// leafAttrs returns the attributes of a leaf Enter makes for pa with prot and
// flags in this space.
func (s *Space) leafAttrs(pa pmap.PAddr, prot pmap.Prot, flags pmap.Flags) leafAttrs {
	user := s.kind == pmap.KindUser && !s.upper && flags&pmap.Kernel == 0
	device := flags&pmap.Device != 0
	return leafAttrs{
		prot:    effectiveProt(prot, user, device),
		user:    user,
		global:  s.upper,
		device:  device,
		wired:   flags&pmap.Wired != 0,
		tracked: user && !device && s.sys.rmap.Managed(pa),
		hwDirty: s.sys.hwDirty,
	}
}

// Enter implements pmap.Pmap. Replacing a valid mapping of another frame or
// memory type uses break-before-make; a new protection for the same frame is
// written in place followed by a TLBI.
func (s *Space) Enter(va pmap.VAddr, pa pmap.PAddr, prot pmap.Prot, flags pmap.Flags) error {
	if err := checkProt(prot, flags); err != nil {
		return err
	}
	if err := s.checkVA(va); err != nil {
		return err
	}
	if err := checkPA(pa); err != nil {
		return err
	}
	a := s.leafAttrs(pa, prot, flags)
	if a.prot == pmap.ProtNone {
		return s.Remove(va, va+pmap.PageSize)
	}
	off := s.offset(va)
	slot, parent, err := s.walk(off, leafLevel)
	if err != nil {
		s.prune(off)
		return err
	}
	e := leafEntry(pa, leafLevel, a)
	old := loadLeaf(slot)
	// LAB pgtbl-arm64: begin
	if old.valid() && old.frame(leafLevel) == pa && old&entryAttrIndxMask == e&entryAttrIndxMask {
		s.replaceInPlace(slot, leafLevel, off, e)
		return nil
	}
	if old.valid() {
		s.breakLeaf(slot, leafLevel, off, parent)
	}
	// LAB pgtbl-arm64: stub
	// if old.valid() {
	// 	panic("lab pgtbl-arm64: not implemented: replacing a valid mapping (break-before-make)")
	// }
	// LAB pgtbl-arm64: end
	s.installLeaf(slot, leafLevel, off, parent, e)
	return nil
}

// replaceInPlace writes the level-l leaf e over a valid leaf of the same
// output address, size and memory type: permissions, AF or wiring change,
// which needs no break-before-make (D8.16.1), only a TLBI since the old entry
// may be cached. The old referenced/modified state is folded into the
// reverse map.
func (s *Space) replaceInPlace(slot *entry, l int, off uint64, e entry) {
	old := swapLeaf(slot, e)
	s.invalidate(off)
	pa := e.frame(l)
	wasIn, isIn := s.sys.inRmap(old, pa), s.sys.inRmap(e, pa)
	if wasIn {
		s.sys.foldLeaf(old, pa)
	}
	switch {
	case wasIn && !isIn:
		s.sys.rmap.Remove(pa, s, s.vaddr(off))
	case !wasIn && isIn:
		s.sys.rmap.Add(pa, s, s.vaddr(off))
	}
	s.countWired(old, l, -1)
	s.countWired(e, l, 1)
}

// installLeaf writes the leaf e into the invalid slot at level l and records
// it: entry count, statistics, reverse map.
func (s *Space) installLeaf(slot *entry, l int, off uint64, parent *entry, e entry) {
	storeLeaf(slot, e)
	parent.addCount(1)
	s.publish()
	s.stats.Resident += levelPages(l)
	s.countWired(e, l, 1)
	if pa := e.frame(l); s.sys.inRmap(e, pa) {
		s.sys.rmap.Add(pa, s, s.vaddr(off))
	}
}

// breakLeaf is the "break" of break-before-make and the whole of an unmap:
// it invalidates the valid leaf at slot (level l, mapping offset off), waits
// for the TLBI, and forgets the mapping: entry count, statistics, reverse
// map, whose attributes receive the final referenced/modified state.
func (s *Space) breakLeaf(slot *entry, l int, off uint64, parent *entry) {
	old := swapLeaf(slot, 0)
	parent.addCount(-1)
	s.invalidate(off)
	s.stats.Resident -= levelPages(l)
	s.countWired(old, l, -1)
	if pa := old.frame(l); s.sys.inRmap(old, pa) {
		s.sys.foldLeaf(old, pa)
		if !s.sys.rmap.Remove(pa, s, s.vaddr(off)) {
			panic("arm64.Space.breakLeaf: managed mapping missing from the reverse map")
		}
	}
}

// countWired adds sign times the pages of the leaf e at level l to the wired
// count if e is wired.
func (s *Space) countWired(e entry, l int, sign int) {
	if e&swWired == 0 {
		return
	}
	if sign > 0 {
		s.stats.Wired += levelPages(l)
	} else {
		s.stats.Wired -= levelPages(l)
	}
}

// Extract implements pmap.Pmap.
func (s *Space) Extract(va pmap.VAddr) (pmap.PAddr, pmap.Prot, bool) {
	if s.checkVA(va.Trunc()) != nil {
		return 0, 0, false
	}
	off := s.offset(va.Trunc())
	slot, l := s.lookup(off)
	if slot == nil {
		return 0, 0, false
	}
	e := loadLeaf(slot)
	pa := e.frame(l) + pmap.PAddr(off&(levelSize(l)-1))
	return pa + pmap.PAddr(va&pmap.PageMask), e.prot(), true
}

// SetWired implements pmap.Pmap. A page inside a block is split out first.
func (s *Space) SetWired(va pmap.VAddr, wired bool) error {
	if err := s.checkVA(va); err != nil {
		return err
	}
	off := s.offset(va)
	slot, l := s.lookup(off)
	if slot == nil {
		return fmt.Errorf("%w: %v", pmap.ErrNotMapped, va)
	}
	if l != leafLevel {
		var err error
		if slot, _, err = s.walk(off, leafLevel); err != nil {
			return err
		}
		l = leafLevel
	}
	var old entry
	if wired {
		old = updateLeaf(slot, 0, swWired)
	} else {
		old = updateLeaf(slot, swWired, 0)
	}
	s.countWired(old, l, -1)
	s.countWired(loadLeaf(slot), l, 1)
	return nil
}
