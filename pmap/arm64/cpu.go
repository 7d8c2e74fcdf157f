package arm64

import "github.com/tamach/tamach/pmap"

// CPU is what only the hardware can do for the pmap: load translation table
// bases, maintain the TLB, and report the MMU's features. The bare-metal
// implementation is HardwareCPU (cpu_tamago.go); host tests use a recording
// fake.
//
// Every invalidation is a complete sequence (Arm ARM D8.14, "TLB maintenance
// instructions", and its ordering rules in D8.14.4 / B2.3.12): DSB ISHST so
// the table writes that precede it are visible to every walker in the Inner
// Shareable domain, the TLBI, DSB ISH to wait for its completion on every
// PE, and ISB so that this PE's later instructions are fetched and
// translated with the new tables.
type CPU interface {
	// MMFR0 returns ID_AA64MMFR0_EL1.
	MMFR0() uint64

	// MMFR1 returns ID_AA64MMFR1_EL1.
	MMFR1() uint64

	// SetTTBR0 writes TTBR0_EL1 (ASID and table base) followed by ISB.
	SetTTBR0(v uint64)

	// SetTTBR1 writes TTBR1_EL1 followed by ISB.
	SetTTBR1(v uint64)

	// InvalidatePage runs DSB ISHST; TLBI VAE1IS (va, asid); DSB ISH;
	// ISB. VAE1IS removes the entries of every level of the walk for va,
	// table entries included, that are global or tagged with asid.
	InvalidatePage(asid ASID, va pmap.VAddr)

	// InvalidateASID runs DSB ISHST; TLBI ASIDE1IS (asid); DSB ISH; ISB.
	InvalidateASID(asid ASID)

	// InvalidateAll runs DSB ISHST; TLBI VMALLE1IS; DSB ISH; ISB.
	InvalidateAll()

	// Sync runs DSB ISHST; ISB: it publishes a new valid entry, written
	// where the entry was invalid, to the walker before the next access
	// (invalid entries are never held in a TLB, D8.13.1, so no TLBI is
	// needed).
	Sync()

	// CleanInvalidateDataCache runs DC CIVAC on every data-cache line of
	// the RAM [pa, pa+size), reached through the kernel's identity map,
	// then DSB SY: dirty lines are written back to the point of
	// coherency and invalidated (Arm ARM C6.2 "DC CIVAC", D7.4 "Cache
	// maintenance instructions"; the line size is CTR_EL0.DminLine).
	CleanInvalidateDataCache(pa pmap.PAddr, size uint64)

	// SyncInstructionCache makes instruction fetch from [pa, pa+size) see
	// the data written there: DC CVAU on every data-cache line (clean to
	// the point of unification), DSB ISH, IC IVAU on every
	// instruction-cache line (invalidate to the point of unification),
	// DSB ISH, ISB (Arm ARM D7.4.11 / B2.4.4 "Concurrent modification
	// and execution of instructions", the sequence it gives; line sizes
	// from CTR_EL0.DminLine and IminLine).
	SyncInstructionCache(pa pmap.PAddr, size uint64)

	// ZeroFrame fills the 4 KiB frame f, reached through the kernel's
	// map, with zeros. The hardware uses DC ZVA, which zeroes a whole
	// block of memory (64 bytes on the Cortex-A53 and A57) in one
	// instruction (Arm ARM C6.2 "DC ZVA", D19.2 "DCZID_EL0"); a model may
	// simply clear it.
	ZeroFrame(f *[pmap.PageSize]byte)
}
