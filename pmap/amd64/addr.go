package amd64

import (
	"fmt"

	"github.com/tamach/tamach/pmap"
)

// Levels of 4-level paging, numbered as the walk meets them from the bottom:
// a linear address is split into four 9-bit table indices and a 12-bit
// offset (Intel SDM Vol. 3A §4.5.4, Figure 4-8).
//
//	 63    48 47     39 38     30 29     21 20     12 11        0
//	+--------+---------+---------+---------+---------+-----------+
//	| sign   |  PML4   |  PDPT   |   PD    |   PT    |  offset   |
//	+--------+---------+---------+---------+---------+-----------+
const (
	levelPT   = 1 // page table: PTEs map 4 KiB pages (Table 4-20)
	levelPD   = 2 // page directory: PDEs (Tables 4-18, 4-19)
	levelPDPT = 3 // page-directory-pointer table: PDPTEs (Tables 4-16, 4-17)
	levelPML4 = 4 // the root, CR3 points here: PML4Es (Table 4-15)

	indexBits = 9
	entries   = 1 << indexBits // entries per table
	indexMask = entries - 1
)

// Canonical address bounds for 48-bit linear addresses: bits 63:47 must all
// be equal (Intel SDM Vol. 1 §3.3.7.1 "Canonical Addressing"; Vol. 3A §4.5).
const (
	// lowerEnd is the first address past the lower canonical half: the
	// user range of a task is [0, lowerEnd).
	lowerEnd pmap.VAddr = 1 << 47
	// upperStart is the first address of the upper canonical half: the
	// kernel range.
	upperStart pmap.VAddr = ^(lowerEnd - 1)
)

// levelShift returns the bit position of the table index used at level.
func levelShift(level int) uint { return pmap.PageShift + uint(level-1)*indexBits }

// levelSize returns the bytes one entry at level covers.
func levelSize(level int) uint64 { return 1 << levelShift(level) }

// levelPages returns how many 4 KiB pages a leaf at level covers.
func levelPages(level int) uint64 { return levelSize(level) / pmap.PageSize }

// index returns the slot va selects in the table at level.
func index(va pmap.VAddr, level int) int { return int(va>>levelShift(level)) & indexMask }

// canonical reports whether va is a canonical 48-bit linear address.
func canonical(va pmap.VAddr) bool { return va < lowerEnd || va >= upperStart }

// signExtend turns the 48-bit linear address formed by the table indices into
// its canonical form, copying bit 47 into bits 63:48.
func signExtend(va pmap.VAddr) pmap.VAddr {
	if va&lowerEnd != 0 {
		return va | upperStart
	}
	return va
}

// linearEnd is the end of the 48-bit linear address space in which the range
// walker works: the upper canonical half appears there without its sign
// extension, at [1<<47, 1<<48).
const linearEnd = 1 << 48

// linear drops the sign extension of a canonical address.
func linear(va pmap.VAddr) uint64 { return uint64(va) & (linearEnd - 1) }

// checkVA validates one page address for a space of the given kind.
func checkVA(va pmap.VAddr, kind pmap.Kind, flags pmap.Flags) error {
	if !va.Aligned() {
		return fmt.Errorf("%w: %v", pmap.ErrUnaligned, va)
	}
	if !canonical(va) {
		return fmt.Errorf("%w: %v", pmap.ErrNonCanonical, va)
	}
	if kind == pmap.KindUser && va >= upperStart && flags&pmap.Kernel == 0 {
		return fmt.Errorf("%w: %v", pmap.ErrKernelRange, va)
	}
	return nil
}

// checkRange validates [start, end) for a space of the given kind. end may be
// lowerEnd, the exclusive end of the lower half; a range may not straddle the
// non-canonical hole. In a user space only Kernel-flagged operations reach
// into the upper half.
func checkRange(start, end pmap.VAddr, kind pmap.Kind, flags pmap.Flags) error {
	if !start.Aligned() || !end.Aligned() {
		return fmt.Errorf("%w: [%v, %v)", pmap.ErrUnaligned, start, end)
	}
	if end < start {
		return fmt.Errorf("%w: [%v, %v)", pmap.ErrBadRange, start, end)
	}
	if !canonical(start) || (!canonical(end) && end != lowerEnd) ||
		(start < lowerEnd && end > lowerEnd) {
		return fmt.Errorf("%w: [%v, %v)", pmap.ErrNonCanonical, start, end)
	}
	if kind == pmap.KindUser && start >= upperStart && start != end && flags&pmap.Kernel == 0 {
		return fmt.Errorf("%w: [%v, %v)", pmap.ErrKernelRange, start, end)
	}
	return nil
}

// checkPA validates a frame address against the CPU's MAXPHYADDR.
func checkPA(pa pmap.PAddr, physBits uint) error {
	if !pa.Aligned() {
		return fmt.Errorf("%w: %v", pmap.ErrUnaligned, pa)
	}
	if uint64(pa)>>physBits != 0 {
		return fmt.Errorf("%w: %v above MAXPHYADDR %d", pmap.ErrOutOfRange, pa, physBits)
	}
	return nil
}

// checkProt validates protection and flag bits.
func checkProt(prot pmap.Prot, flags pmap.Flags) error {
	if prot&^pmap.ProtAll != 0 || flags&^(pmap.Wired|pmap.Device|pmap.Kernel) != 0 {
		return fmt.Errorf("%w: prot %#x flags %#x", pmap.ErrBadFlags, uint8(prot), uint8(flags))
	}
	return nil
}
