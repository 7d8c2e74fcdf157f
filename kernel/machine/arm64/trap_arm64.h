// System register fields used by the machine package's assembly. Section
// numbers are those of the Arm ARM, DDI 0487 J.a, where AArch64 system
// registers are described in D19.2 (later issues renumber: K.a and L.a use
// D24.2); each register is named too.

// SCTLR_EL1.M, bit [0]: stage 1 translation of the EL1&0 regime on
// (D19.2, "SCTLR_EL1").
#define SCTLR_M	1

// TRAP_AREA_VA is machine.TrapAreaVA (layout.go): the per-CPU trap
// area in the TTBR1 half.
#define TRAP_AREA_VA	$0xffffff8000010000

// CNTV_CTL_EL0 (D19.12, "CNTV_CTL_EL0"): ENABLE bit [0], IMASK bit [1].
#define CNTV_ENABLE	1

// The trampoline's sentinel, BRK #0x7e57 (C6.2 "BRK": 0xd4200000 |
// imm16 << 5), ends its text: Go finds the trampoline's size by it.
#define TRAMPOLINE_END	WORD	$0xd42fcae0

// AT S1E1R, X0 and AT S1E0R, X0, which the Go assembler does not name:
// SYS #op1, C7, C8, #op2, X0 (C6.2 "AT", "SYS": 0xd5080000 | op1 << 16 |
// CRn << 12 | CRm << 8 | op2 << 5 | Rt; C5.5, S1E1R op1 0 op2 0, S1E0R
// op1 0 op2 2). insn_test.go checks the words.
#define AT_S1E1R_X0	WORD	$0xd5087800
#define AT_S1E0R_X0	WORD	$0xd5087840
