//go:build tamago && arm64

package arm64

// The machine's own system-instruction leaves, defined in cpu_arm64.s; the
// plain register reads are cpu/arm64's.

// switchTables moves the EL1&0 translation regime to new tables: it turns
// stage 1 translation off (SCTLR_EL1.M = 0), loads MAIR_EL1, TCR_EL1,
// TTBR0_EL1 and TTBR1_EL1, invalidates this PE's EL1&0 TLB entries, and
// restores SCTLR_EL1 = sctlr (M = 1). Between the two SCTLR_EL1 writes it
// makes no data access.
//
// Why translation goes off: the board's boot map and pmap/arm64 use
// different MAIR_EL1 attribute indexes (boot: 0 Device-nGnRnE, 1 Normal;
// pmap/arm64: 0 Normal, 1 Device-nGnRE), so no order of register writes
// keeps RAM Normal memory throughout while translation stays on: either the
// old tables would be read through the new MAIR_EL1 or the new tables
// through the old one, and TLB entries may hold either (Arm ARM D8.13,
// "Translation Lookaside Buffers": MAIR_EL1 and TCR_EL1 fields can be
// cached in TLB entries). With translation off the PE runs on the flat
// map of Arm ARM D8, "The effects of disabling an address translation
// stage" (this code is identity-mapped, so the PC stays valid), and the new registers
// take effect together at the ISB that follows the final SCTLR_EL1 write.
func switchTables(mair, tcr, ttbr0, ttbr1, sctlr uint64)

// atS1E1R translates va as an EL1 read would, with AT S1E1R (Arm ARM C5.5,
// "A64 system instructions for address translation"), and returns PAR_EL1.
// A failed translation does not fault: PAR_EL1.F reports it.
func atS1E1R(va uint64) uint64

// atS1E0R translates va as an EL0 read would (AT S1E0R) and returns PAR_EL1.
func atS1E0R(va uint64) uint64
