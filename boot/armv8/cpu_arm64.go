//go:build tamago

package armv8

// entryEL is the exception level the loader started the CPU at, stored by
// Entry before it drops to EL1.
var entryEL uint64

// EntryEL returns the exception level the CPU was entered at: 3, 2 or 1.
func EntryEL() uint64 { return entryEL }

// Entry is the code the board's cpuinit branches to (entry_arm64.s), with
// the GIC distributor in R19 and CPU 0's redistributor in R20. It is never
// called from Go.
func Entry()

// The package's own system-register leaf, defined in cpu_arm64.s; the plain
// register reads are cpu/arm64's.

// enableMMU loads MAIR_EL1, TCR_EL1 and TTBR0_EL1, invalidates the EL1
// TLBs and sets SCTLR_EL1 to sctlr (Arm ARM chapter D8, VMSAv8-64;
// the register writes are made visible by ISB).
func enableMMU(mair, tcr, ttbr0, sctlr uint64)
