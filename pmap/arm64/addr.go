package arm64

import (
	"fmt"

	"github.com/tamach/tamach/pmap"
)

// Translation geometry for the 4KB granule with 48-bit virtual addresses
// (Arm ARM D8.2, "Translation process": with TCR_ELx.T0SZ = 16 the walk
// starts at level 0; each level resolves 9 bits of the input address).
const (
	levels     = 4              // L0..L3
	leafLevel  = levels - 1     // L3 holds page descriptors
	indexBits  = 9              // bits of VA resolved per level
	entries    = 1 << indexBits // entries per table
	indexMask  = entries - 1    // one table index
	vaBits     = 48             // input address size of each half
	halfSize   = uint64(1) << vaBits
	upperBase  = ^(halfSize - 1) // 0xffff000000000000, first TTBR1 address
	paBits     = 48              // output address size we program (TCR_EL1.IPS)
	paLimit    = uint64(1) << paBits
	blockLevel = 1 // first level that may hold a block (1 GiB) with 4KB granule, D8.3.1
)

// levelShift is log2 of the size mapped by one entry of a level-l table:
// 39 (512 GiB) at L0, 30 (1 GiB) at L1, 21 (2 MiB) at L2, 12 (4 KiB) at L3.
func levelShift(l int) uint { return uint(pmap.PageShift + indexBits*(leafLevel-l)) }

// levelSize is the number of bytes one entry of a level-l table maps.
func levelSize(l int) uint64 { return 1 << levelShift(l) }

// levelPages is the number of 4 KiB pages one leaf at level l maps.
func levelPages(l int) uint64 { return levelSize(l) >> pmap.PageShift }

// index is the entry of a level-l table that translates the offset off
// (an address with the half's base removed).
func index(off uint64, l int) int { return int(off>>levelShift(l)) & indexMask }

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
