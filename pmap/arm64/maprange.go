package arm64

import (
	"fmt"

	"github.com/tamach/tamach/pmap"
)

// MapRange maps [va, va+size) to [pa, pa+size) in a kernel space (the
// identity map of RAM and devices, built at boot) with the largest
// translations that fit: 1 GiB blocks at L1, 2 MiB blocks at L2 (block
// descriptors, Arm ARM D8.3.2), 4 KiB pages elsewhere. Where smaller
// mappings already exist, they are replaced one by one rather than merged
// into a block. Existing mappings of other frames are replaced with
// break-before-make. flags may hold Wired and Device (Device-nGnRE, never
// executable).
//
// These mappings are the kernel's window on physical memory, not mappings
// of vm pages: they never enter the reverse map, so PageProtect and the
// referenced/modified bits ignore them. They are accessed and writable from
// the start (AF = 1, AP[2] as prot says).
//
// Precondition: va, pa and size are page-aligned, size > 0. On ErrNoFrames
// the range may be partly mapped.
func (s *Space) MapRange(va pmap.VAddr, pa pmap.PAddr, size uint64, prot pmap.Prot, flags pmap.Flags) error {
	if s.kind != pmap.KindKernel {
		return ErrNotKernel
	}
	if err := checkProt(prot, flags); err != nil {
		return err
	}
	if size == 0 || size&pmap.PageMask != 0 {
		return fmt.Errorf("%w: size %#x", pmap.ErrUnaligned, size)
	}
	end := va + pmap.VAddr(size)
	if end < va && !(s.upper && end == 0) {
		return fmt.Errorf("%w: %v + %#x wraps", pmap.ErrBadRange, va, size)
	}
	lo, hi, err := s.checkRange(va, end)
	if err != nil {
		return err
	}
	if err := checkPA(pa); err != nil {
		return err
	}
	if size > paLimit-uint64(pa) {
		return fmt.Errorf("%w: %v + %#x is beyond 48 bits", pmap.ErrOutOfRange, pa, size)
	}
	a := s.leafAttrs(pa, prot, flags)
	a.direct = true
	if a.prot == pmap.ProtNone {
		return s.Remove(va, end)
	}
	for off := lo; off < hi; {
		l := largestFit(off, uint64(pa), hi-off)
		if err := s.mapLeaf(off, l, pa, a); err != nil {
			s.prune(off)
			return err
		}
		off += levelSize(l)
		pa += pmap.PAddr(levelSize(l))
	}
	return nil
}

// largestFit is the level of the largest leaf that maps offset off to pa
// with at most n bytes: both must be aligned to the leaf's size.
func largestFit(off, pa, n uint64) int {
	for l := blockLevel; l < leafLevel; l++ {
		sz := levelSize(l)
		if off&(sz-1) == 0 && pa&(sz-1) == 0 && n >= sz {
			return l
		}
	}
	return leafLevel
}

// mapLeaf maps the level-l leaf at offset off to pa with the attributes a,
// descending into an existing table instead when there is one.
func (s *Space) mapLeaf(off uint64, l int, pa pmap.PAddr, a leafAttrs) error {
	slot, parent, err := s.walk(off, l)
	if err != nil {
		return err
	}
	old := loadLeaf(slot)
	if old.isTable(l) {
		sub := levelSize(l + 1)
		for i := uint64(0); i < entries; i++ {
			if err := s.mapLeaf(off+i*sub, l+1, pa+pmap.PAddr(i*sub), a); err != nil {
				return err
			}
		}
		return nil
	}
	e := leafEntry(pa, l, a)
	switch {
	case old.valid() && old.frame(l) == pa && old&entryAttrIndxMask == e&entryAttrIndxMask:
		s.replaceInPlace(slot, l, off, e)
	case old.valid():
		s.breakLeaf(slot, l, off, parent)
		s.installLeaf(slot, l, off, parent, e)
	default:
		s.installLeaf(slot, l, off, parent, e)
	}
	return nil
}
