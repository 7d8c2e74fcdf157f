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

// ASID is the space's current ASID (0 before a user space's first
// Activate, and for the upper half).
func (s *Space) ASID() ASID { return s.asid }

// TTBR is the value Activate loads: TTBR0_EL1 (ASID and root) for a lower
// half, TTBR1_EL1 (root) for the upper half. A user space's value changes
// when it gets a new ASID, so it is only meaningful after Activate; a kernel
// space's never changes, so the trampoline may keep it.
func (s *Space) TTBR() uint64 {
	if s.upper {
		return uint64(s.root)
	}
	return ttbr0Value(s.root, s.asid)
}

// Activate implements pmap.Pmap: it loads TTBR0_EL1 (TTBR1_EL1 for the upper
// half) with the value Prepare returns.
//
// Kernel code running in the lower half can only Activate a kernel space:
// a task's tables do not map the kernel, so the next instruction would
// fault. For a task, the kernel calls Prepare and the trap trampoline,
// which runs in the upper half, loads the value on its way to EL0.
func (s *Space) Activate() {
	if s.upper {
		s.sys.cpu.SetTTBR1(s.TTBR())
		return
	}
	s.sys.cpu.SetTTBR0(s.Prepare())
}

// Prepare gives a user space an ASID of the current generation if it has
// none (starting a new generation, with a full TLB flush, when they run
// out) and returns the TTBR0_EL1 value that activates the space. The value
// stays valid until the next Prepare of another space starts a new
// generation. For the upper half it returns TTBR1_EL1's value.
func (s *Space) Prepare() uint64 {
	if !s.upper && !s.pinned && s.gen != s.sys.asids.gen {
		asid, gen, rollover := s.sys.asids.take()
		if rollover {
			s.sys.cpu.InvalidateAll()
		}
		s.asid, s.gen = asid, gen
	}
	return s.TTBR()
}

// live reports whether the TLB may hold entries of this space, so that
// changes need TLB maintenance: always for kernel spaces and the upper half;
// for a user space, only if its ASID is of the current generation (it has
// been activated since the last full flush).
func (s *Space) live() bool {
	return s.upper || s.pinned || (s.gen != 0 && s.gen == s.sys.asids.gen)
}

// invalidate removes the TLB entries of every level for the address at
// offset off, if the space may have any.
func (s *Space) invalidate(off uint64) {
	if s.live() {
		s.sys.cpu.InvalidatePage(s.asid, s.vaddr(off))
	}
}

// publish makes a newly valid entry visible to the walker.
func (s *Space) publish() {
	if s.live() {
		s.sys.cpu.Sync()
	}
}

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
	s.flushAll()
	s.freeTree(s.root, 0, 0)
	s.sys.frames.FreeFrame(s.root)
	if s.pinned {
		s.sys.asids.unpin(s.asid)
		s.pinned = false
	}
	s.root, s.gen, s.asid = 0, 0, 0
	s.stats = pmap.Stats{}
}

// flushAll removes every TLB entry the space may have.
func (s *Space) flushAll() {
	switch {
	case s.upper:
		s.sys.cpu.InvalidateAll() // global entries: no ASID to name
	case s.live():
		s.sys.cpu.InvalidateASID(s.asid)
	}
}

// offset returns va relative to the base of the space's half. It assumes
// checkVA accepted va.
func (s *Space) offset(va pmap.VAddr) uint64 {
	if s.upper {
		return uint64(va) - upperBase
	}
	return uint64(va)
}

// vaddr is the inverse of offset.
func (s *Space) vaddr(off uint64) pmap.VAddr {
	if s.upper {
		return pmap.VAddr(off + upperBase)
	}
	return pmap.VAddr(off)
}

// checkVA returns the error for a page address va this space cannot map:
// unaligned; beyond bit 47 in a lower half (out of range below bit 63,
// non-canonical above unless bits[63:48] are all ones); in the upper half
// (the kernel's range, ErrKernelRange, in a user space); in the lower half
// for the upper space.
func (s *Space) checkVA(va pmap.VAddr) error {
	if !va.Aligned() {
		return fmt.Errorf("%w: %v", pmap.ErrUnaligned, va)
	}
	v := uint64(va)
	inUpper := v >= upperBase
	switch {
	case s.upper && inUpper, !s.upper && v < halfSize:
		return nil
	case s.upper && v < halfSize:
		return fmt.Errorf("%w: %v is below the TTBR1 half", pmap.ErrOutOfRange, va)
	case inUpper && s.kind == pmap.KindUser:
		return fmt.Errorf("%w: %v", pmap.ErrKernelRange, va)
	case inUpper:
		return fmt.Errorf("%w: %v is in the TTBR1 half", pmap.ErrOutOfRange, va)
	case v < 1<<63:
		return fmt.Errorf("%w: %v is beyond 48 bits", pmap.ErrOutOfRange, va)
	}
	return fmt.Errorf("%w: %v", pmap.ErrNonCanonical, va)
}

// checkRange validates [start, end) and returns it as offsets. For the upper
// half an end of 0 stands for 1<<64.
func (s *Space) checkRange(start, end pmap.VAddr) (uint64, uint64, error) {
	if err := s.checkVA(start); err != nil {
		return 0, 0, err
	}
	if !end.Aligned() {
		return 0, 0, fmt.Errorf("%w: %v", pmap.ErrUnaligned, end)
	}
	lo := s.offset(start)
	if s.upper && end == 0 {
		return lo, halfSize, nil
	}
	if end < start {
		return 0, 0, fmt.Errorf("%w: [%v, %v)", pmap.ErrBadRange, start, end)
	}
	if end > start {
		if err := s.checkVA(end - pmap.PageSize); err != nil {
			return 0, 0, err
		}
	}
	return lo, s.offset(end-pmap.PageSize) + pmap.PageSize, nil
}

// checkPA returns the error for a frame address no descriptor can hold.
func checkPA(pa pmap.PAddr) error {
	if !pa.Aligned() {
		return fmt.Errorf("%w: %v", pmap.ErrUnaligned, pa)
	}
	if uint64(pa) >= paLimit {
		return fmt.Errorf("%w: %v is beyond 48 bits", pmap.ErrOutOfRange, pa)
	}
	return nil
}

// checkProt returns the error for unknown protection or flag bits.
func checkProt(prot pmap.Prot, flags pmap.Flags) error {
	if prot&^pmap.ProtAll != 0 || flags&^(pmap.Wired|pmap.Device|pmap.Kernel) != 0 {
		return fmt.Errorf("%w: prot %#x flags %#x", pmap.ErrBadFlags, uint8(prot), uint8(flags))
	}
	return nil
}

// spec describes the leaf Enter makes for pa with prot and flags.
func (s *Space) spec(pa pmap.PAddr, prot pmap.Prot, flags pmap.Flags) leafSpec {
	user := s.kind == pmap.KindUser && !s.upper && flags&pmap.Kernel == 0
	device := flags&pmap.Device != 0
	return leafSpec{
		pa:      pa,
		prot:    effectiveProt(prot, user, device),
		user:    user,
		global:  s.upper,
		device:  device,
		wired:   flags&pmap.Wired != 0,
		tracked: user && !device && s.sys.rmap.Managed(pa),
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
	sp := s.spec(pa, prot, flags)
	if sp.prot == pmap.ProtNone {
		return s.Remove(va, va+pmap.PageSize)
	}
	off := s.offset(va)
	slot, counter, err := s.walkCreate(off, leafLevel)
	if err != nil {
		s.prune(off)
		return err
	}
	d := sp.encode(leafLevel, s.sys.hwDirty)
	old := loadLeaf(slot)
	if valid(old) && outputAddr(old, leafLevel) == pa && old&descAttrIndxMask == d&descAttrIndxMask {
		s.replaceInPlace(slot, leafLevel, off, d)
		return nil
	}
	if valid(old) {
		s.breakLeaf(slot, leafLevel, off, counter)
	}
	s.installLeaf(slot, leafLevel, off, counter, d)
	return nil
}

// replaceInPlace writes the level-l leaf d over a valid leaf of the same
// output address, size and memory type: permissions, AF or wiring change,
// which needs no break-before-make (D8.16.1), only a TLBI since the old entry
// may be cached. The old referenced/modified state is folded into the
// reverse map.
func (s *Space) replaceInPlace(slot *uint64, l int, off uint64, d uint64) {
	old := swapLeaf(slot, d)
	s.invalidate(off)
	pa := outputAddr(d, l)
	wasIn, isIn := s.sys.inRmap(old, pa), s.sys.inRmap(d, pa)
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
	s.countWired(d, l, 1)
}

// installLeaf writes the leaf d into the invalid slot at level l and records
// it: entry count, statistics, reverse map.
func (s *Space) installLeaf(slot *uint64, l int, off uint64, counter *uint64, d uint64) {
	storeLeaf(slot, d)
	bump(counter, 1)
	s.publish()
	s.stats.Resident += levelPages(l)
	s.countWired(d, l, 1)
	if pa := outputAddr(d, l); s.sys.inRmap(d, pa) {
		s.sys.rmap.Add(pa, s, s.vaddr(off))
	}
}

// breakLeaf is the "break" of break-before-make and the whole of an unmap:
// it invalidates the valid leaf at slot (level l, mapping offset off), waits
// for the TLBI, and forgets the mapping: entry count, statistics, reverse
// map, whose attributes receive the final referenced/modified state.
func (s *Space) breakLeaf(slot *uint64, l int, off uint64, counter *uint64) {
	old := swapLeaf(slot, 0)
	bump(counter, -1)
	s.invalidate(off)
	s.stats.Resident -= levelPages(l)
	s.countWired(old, l, -1)
	if pa := outputAddr(old, l); s.sys.inRmap(old, pa) {
		s.sys.foldLeaf(old, pa)
		if !s.sys.rmap.Remove(pa, s, s.vaddr(off)) {
			panic("arm64.Space.breakLeaf: managed mapping missing from the reverse map")
		}
	}
}

// countWired adds sign times the pages of the leaf d at level l to the wired
// count if d is wired.
func (s *Space) countWired(d uint64, l int, sign int) {
	if d&swWired == 0 {
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
	d := loadLeaf(slot)
	pa := outputAddr(d, l) + pmap.PAddr(off&(levelSize(l)-1))
	return pa + pmap.PAddr(va&pmap.PageMask), leafProt(d), true
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
		if slot, _, err = s.walkCreate(off, leafLevel); err != nil {
			return err
		}
		l = leafLevel
	}
	var old uint64
	if wired {
		old = updateLeaf(slot, 0, swWired)
	} else {
		old = updateLeaf(slot, swWired, 0)
	}
	s.countWired(old, l, -1)
	s.countWired(loadLeaf(slot), l, 1)
	return nil
}
