package amd64

import (
	"fmt"

	"github.com/tamach/tamach/pmap"
)

// MapRange maps [va, va+size) to [pa, pa+size) in the kernel's address space
// with the largest pages that fit: 1 GiB pages (PDPTE with PS = 1, Intel SDM
// Vol. 3A Table 4-16) when the CPU has them and both addresses are 1 GiB
// aligned, 2 MiB pages (PDE with PS = 1, Table 4-18), else 4 KiB pages. It
// replaces what the range mapped before. The boot code builds the kernel's
// identity map of RAM and devices with it (Device: uncached). Such mappings
// never enter the reverse map, even over managed frames.
//
// Precondition: va, pa and size are page-aligned. On ErrNoFrames, the pages
// mapped so far stay mapped.
func (s *Space) MapRange(va pmap.VAddr, pa pmap.PAddr, size uint64, prot pmap.Prot, flags pmap.Flags) error {
	if s.kind != pmap.KindKernel {
		return ErrNotKernel
	}
	end, err := s.checkMapRange(va, pa, size, prot, flags)
	if err != nil {
		return err
	}
	if err := s.removeRange(va, end); err != nil || prot == pmap.ProtNone {
		return err
	}
	a := s.leafAttrs(pa, prot, flags)
	a.managed = false // the kernel's window on RAM, never in the reverse map
	for size > 0 {
		level := s.largestFit(va, pa, size)
		slot, parent, err := s.walk(va, level)
		if err != nil {
			return err
		}
		s.install(slot, parent, level, va, leafEntry(pa, level, a))
		step := levelSize(level)
		va, pa, size = va+pmap.VAddr(step), pa+pmap.PAddr(step), size-step
	}
	return nil
}

// checkMapRange validates the arguments of MapRange and returns the end of
// the virtual range.
func (s *Space) checkMapRange(va pmap.VAddr, pa pmap.PAddr, size uint64, prot pmap.Prot, flags pmap.Flags) (pmap.VAddr, error) {
	if err := checkProt(prot, flags); err != nil {
		return 0, err
	}
	if size&pmap.PageMask != 0 {
		return 0, fmt.Errorf("%w: size %#x", pmap.ErrUnaligned, size)
	}
	end := va + pmap.VAddr(size)
	if end < va || pa+pmap.PAddr(size) < pa {
		return 0, fmt.Errorf("%w: size %#x wraps", pmap.ErrBadRange, size)
	}
	if err := checkRange(va, end, s.kind, flags); err != nil {
		return 0, err
	}
	if err := checkPA(pa, s.sys.physBits); err != nil {
		return 0, err
	}
	if size > 0 {
		if err := checkPA(pa+pmap.PAddr(size-pmap.PageSize), s.sys.physBits); err != nil {
			return 0, err
		}
	}
	return end, nil
}

// largestFit returns the level of the largest page that can map va to pa with
// at most size bytes.
func (s *Space) largestFit(va pmap.VAddr, pa pmap.PAddr, size uint64) int {
	fits := func(n uint64) bool {
		return size >= n && uint64(va)&(n-1) == 0 && uint64(pa)&(n-1) == 0
	}
	switch {
	case s.sys.feat.Page1G && fits(pageSize1G):
		return levelPDPT
	case fits(pageSize2M):
		return levelPD
	}
	return levelPT
}
