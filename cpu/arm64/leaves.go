//go:build tamago && arm64

package arm64

// System-register leaves, defined in leaves_arm64.s: one MRS each (Arm ARM
// C6.2 "MRS"), readable at EL1.

// CurrentEL returns PSTATE.EL, the exception level the CPU runs at (Arm ARM
// D24.2 "CurrentEL").
func CurrentEL() uint64

// ReadMIDR returns MIDR_EL1, the CPU's identification.
func ReadMIDR() uint64

// ReadPFR0 returns ID_AA64PFR0_EL1 (EL and GIC interface support).
func ReadPFR0() uint64

// ReadISAR0 returns ID_AA64ISAR0_EL1 (FEAT_RNG in bits [63:60]).
func ReadISAR0() uint64

// ReadMMFR0 returns ID_AA64MMFR0_EL1 (PARange, ASID bits, granules).
func ReadMMFR0() uint64

// ReadMMFR1 returns ID_AA64MMFR1_EL1 (HAFDBS in bits [3:0]).
func ReadMMFR1() uint64

// ReadCNTFRQ returns CNTFRQ_EL0, the system counter's frequency in Hz.
func ReadCNTFRQ() uint64

// ReadCNTVCT returns CNTVCT_EL0, the virtual count, after an ISB so that
// the read is not taken early (Arm ARM D12 "The Generic Timer", reading
// the counter).
func ReadCNTVCT() uint64

// ReadSCTLR returns SCTLR_EL1.
func ReadSCTLR() uint64

// ReadVBAR returns VBAR_EL1, the exception vector table's base.
func ReadVBAR() uint64

// ReadTTBR0 returns TTBR0_EL1 (ASID in bits [63:48]).
func ReadTTBR0() uint64

// ReadTCR returns TCR_EL1.
func ReadTCR() uint64

// ReadMAIR returns MAIR_EL1.
func ReadMAIR() uint64

// ReadDCZID returns DCZID_EL0 (Arm ARM D19.2): DZP, bit [4], set when DC
// ZVA is prohibited; BS, bits [3:0], log2 of its block size in words.
func ReadDCZID() uint64

// RNDR reads RNDR (FEAT_RNG); ok is false when the hardware could not
// deliver a number this time (Arm ARM D24.2 "RNDR": NZCV = 0b0100).
func RNDR() (v uint64, ok bool)
