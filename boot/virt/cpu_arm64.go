//go:build tamago

package virt

// entryEL is the exception level QEMU started the CPU at, stored by
// cpuinit before it drops to EL1.
var entryEL uint64

// System register reads and writes, defined in cpu_arm64.s.

// currentEL returns PSTATE.EL (Arm ARM D24.2 "CurrentEL").
func currentEL() uint64

// readMIDR returns MIDR_EL1, the CPU's identification.
func readMIDR() uint64

// readPFR0 returns ID_AA64PFR0_EL1 (EL and GIC interface support).
func readPFR0() uint64

// readISAR0 returns ID_AA64ISAR0_EL1 (FEAT_RNG in bits [63:60]).
func readISAR0() uint64

// readMMFR0 returns ID_AA64MMFR0_EL1 (PARange in bits [3:0]).
func readMMFR0() uint64

// readCNTFRQ returns CNTFRQ_EL0, the system counter frequency in Hz.
func readCNTFRQ() uint64

// readCNTVCT returns CNTVCT_EL0, the virtual count.
func readCNTVCT() uint64

// readVBAR returns VBAR_EL1.
func readVBAR() uint64

// readSCTLR returns SCTLR_EL1.
func readSCTLR() uint64

// rndr reads RNDR (FEAT_RNG); ok is false when the hardware could not
// deliver a number this time (Arm ARM D24.2 "RNDR": NZCV = 0b0100).
func rndr() (v uint64, ok bool)

// enableMMU loads MAIR_EL1, TCR_EL1 and TTBR0_EL1, invalidates the EL1
// TLBs and sets SCTLR_EL1 to sctlr (Arm ARM chapter D8, VMSAv8-64;
// the register writes are made visible by ISB).
func enableMMU(mair, tcr, ttbr0, sctlr uint64)
