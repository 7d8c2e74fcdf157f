package amd64

import (
	"fmt"

	"github.com/tamach/tamach/pmap"
)

// Space is one x86-64 address space: a PML4 table and everything below it.
// It implements pmap.Pmap.
//
// A Space is not safe for concurrent use: the vm system holds the map lock
// of the space across each call.
type Space struct {
	sys  *System
	kind pmap.Kind
	refs int

	// top stands for the entry that would reference the root: its
	// address is the PML4 table's and its count field the number of
	// non-zero PML4Es, so the root is handled like any other table.
	top   entry
	stats pmap.Stats

	// PCID state (tlb.go). pcid is valid only while pcidGen equals
	// sys.pcidGen; flushOnLoad asks the next CR3 load to drop the
	// entries the PCID tags.
	pcid        PCID
	pcidGen     uint64
	flushOnLoad bool
}

var (
	_ pmap.Pmap   = (*Space)(nil)
	_ pmap.System = (*System)(nil)
)

// Kind implements pmap.Pmap.
func (s *Space) Kind() pmap.Kind { return s.kind }

// Root implements pmap.Pmap.
func (s *Space) Root() pmap.PAddr { return s.top.tableAddr() }

// Stats implements pmap.Pmap.
func (s *Space) Stats() pmap.Stats { return s.stats }

// FastFault implements pmap.Pmap: the x86-64 MMU keeps Accessed and Dirty in
// hardware (Intel SDM Vol. 3A §4.8), so no fault is ever the pmap's own.
func (s *Space) FastFault(va pmap.VAddr, access pmap.Prot) bool { return false }

// Reference implements pmap.Pmap.
func (s *Space) Reference() {
	if s.refs <= 0 {
		panic("amd64.(*Space).Reference: space already destroyed")
	}
	s.refs++
}

// Destroy implements pmap.Pmap. Precondition: the space is not the one CR3
// holds.
func (s *Space) Destroy() {
	if s.refs <= 0 {
		panic("amd64.(*Space).Destroy: space already destroyed")
	}
	s.refs--
	if s.refs > 0 {
		return
	}
	if s.sys.active == s {
		panic("amd64.(*Space).Destroy: destroying the space CR3 holds")
	}
	s.removeAll()
	s.sys.frames.FreeFrame(s.Root())
	s.stats.TablePages--
	s.top = 0
	s.releasePCID()
}

// leafAttrs returns the attributes of a leaf Enter makes for pa with prot
// and flags in this space.
func (s *Space) leafAttrs(pa pmap.PAddr, prot pmap.Prot, flags pmap.Flags) leafAttrs {
	return leafAttrs{
		prot:    prot,
		user:    s.kind == pmap.KindUser && flags&pmap.Kernel == 0,
		device:  flags&pmap.Device != 0,
		wired:   flags&pmap.Wired != 0,
		managed: flags&pmap.Device == 0 && s.sys.rmap.Managed(pa),
		nx:      s.sys.feat.NX,
	}
}

// checkEnter validates the arguments of Enter and MapRange.
func (s *Space) checkEnter(va pmap.VAddr, pa pmap.PAddr, prot pmap.Prot, flags pmap.Flags) error {
	if err := checkProt(prot, flags); err != nil {
		return err
	}
	if err := checkVA(va, s.kind, flags); err != nil {
		return err
	}
	return checkPA(pa, s.sys.physBits)
}

// Enter implements pmap.Pmap. Mapping a page inside a 2 MiB or 1 GiB page
// of the kernel's map splits it first.
func (s *Space) Enter(va pmap.VAddr, pa pmap.PAddr, prot pmap.Prot, flags pmap.Flags) error {
	if err := s.checkEnter(va, pa, prot, flags); err != nil {
		return err
	}
	if prot == pmap.ProtNone {
		return s.removeRange(va, va+pmap.PageSize)
	}
	slot, parent, err := s.walk(va, levelPT)
	if err != nil {
		return err
	}
	s.install(slot, parent, levelPT, va, leafEntry(pa, levelPT, s.leafAttrs(pa, prot, flags)))
	return nil
}

// install writes the leaf e into slot (at level, mapping va), replacing what
// was there, and keeps counts, the reverse map and the TLB in step. A
// replaced mapping of the same frame keeps its Accessed and Dirty bits.
func (s *Space) install(slot, parent *entry, level int, va pmap.VAddr, e entry) {
	old := *slot
	if old.valid() && !old.leaf(level) {
		panic("amd64.(*Space).install: slot references a table")
	}
	same := old.valid() && old.frame(level) == e.frame(level) &&
		old&swManaged == e&swManaged
	switch {
	case !old.valid():
		parent.addCount(1)
	case same:
		e |= old & (entryA | entryD)
		s.account(old, level, -1)
	default:
		s.forget(old, level, va)
	}
	if e&swManaged != 0 && !same {
		s.sys.rmap.Add(e.frame(level), s, va)
	}
	*slot = e
	s.account(e, level, +1)
	if old.valid() && old != e {
		// LAB pgtbl-x86: begin
		s.invalidate(va)
		// LAB pgtbl-x86: stub
		// panic("lab pgtbl-x86: not implemented: invalidate the TLB entry of the replaced mapping")
		// LAB pgtbl-x86: end
	}
}

// forget accounts for the removal of the present leaf old (at level,
// mapping va): resident and wired counts, the reverse map, and the frame's
// referenced and modified bits folded into its Attr. The caller clears the
// slot and invalidates the TLB.
func (s *Space) forget(old entry, level int, va pmap.VAddr) {
	s.account(old, level, -1)
	if old&swManaged == 0 {
		return
	}
	pa := old.frame(level)
	if !s.sys.rmap.Remove(pa, s, va) {
		panic("amd64.(*Space).forget: managed mapping missing from the reverse map")
	}
	var a pmap.Attr
	if old.referenced() {
		a |= pmap.AttrReferenced
	}
	if old.dirty() {
		a |= pmap.AttrModified
	}
	s.sys.rmap.SetAttr(pa, a)
}

// account adds (sign +1) or subtracts (sign -1) the leaf e at level to the
// resident and wired counts.
func (s *Space) account(e entry, level int, sign int) {
	n := levelPages(level)
	if sign < 0 {
		n = -n
	}
	s.stats.Resident += n
	if e&swWired != 0 {
		s.stats.Wired += n
	}
}

// Extract implements pmap.Pmap. va need not be page-aligned: the offset is
// carried into pa.
func (s *Space) Extract(va pmap.VAddr) (pmap.PAddr, pmap.Prot, bool) {
	if !canonical(va) {
		return 0, pmap.ProtNone, false
	}
	slot, level := s.lookup(va)
	if slot == nil {
		return 0, pmap.ProtNone, false
	}
	off := pmap.PAddr(uint64(va) & (levelSize(level) - 1))
	return slot.frame(level) + off, slot.prot(), true
}

// SetWired implements pmap.Pmap.
func (s *Space) SetWired(va pmap.VAddr, wired bool) error {
	if err := checkVA(va, s.kind, 0); err != nil {
		return err
	}
	slot, level := s.lookup(va)
	if slot == nil {
		return fmt.Errorf("%w: %v", pmap.ErrNotMapped, va)
	}
	s.account(*slot, level, -1)
	if wired {
		*slot |= swWired
	} else {
		*slot &^= swWired
	}
	s.account(*slot, level, +1)
	return nil
}
