//go:build tamago

package virt

// entryEL is the exception level QEMU started the CPU at, stored by
// cpuinit before it drops to EL1.
var entryEL uint64

// The board's own system-register leaf, defined in cpu_arm64.s; the plain
// register reads are cpu/arm64's.

// enableMMU loads MAIR_EL1, TCR_EL1 and TTBR0_EL1, invalidates the EL1
// TLBs and sets SCTLR_EL1 to sctlr (Arm ARM chapter D8, VMSAv8-64;
// the register writes are made visible by ISB).
func enableMMU(mair, tcr, ttbr0, sctlr uint64)
