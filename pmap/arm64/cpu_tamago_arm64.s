//go:build tamago

// Assembly leaves of Hardware (cpu_tamago.go). Barrier options (Arm ARM
// C6.2, "DSB"): 0b1010 = ISHST (stores, Inner Shareable), 0b1011 = ISH,
// 0b1111 = SY. TLBI operands are built in Go (regs.go). Encodings checked
// with go tool objdump: DSB $10 = d5033a9f (dsb ishst), DSB $11 = d5033b9f
// (dsb ish), TLBI VAE1IS, R0 = d5088320, TLBI ASIDE1IS, R0 = d5088340,
// TLBI VMALLE1IS = d508831f, MSR R0, TTBR0_EL1 = d5182000.

#include "textflag.h"

// func readMMFR0() uint64
TEXT ·readMMFR0(SB),NOSPLIT,$0-8
	MRS	ID_AA64MMFR0_EL1, R0
	MOVD	R0, ret+0(FP)
	RET

// func readMMFR1() uint64
TEXT ·readMMFR1(SB),NOSPLIT,$0-8
	MRS	ID_AA64MMFR1_EL1, R0
	MOVD	R0, ret+0(FP)
	RET

// func writeTTBR0(v uint64)
TEXT ·writeTTBR0(SB),NOSPLIT,$0-8
	MOVD	v+0(FP), R0
	MSR	R0, TTBR0_EL1
	ISB	$15
	RET

// func writeTTBR1(v uint64)
TEXT ·writeTTBR1(SB),NOSPLIT,$0-8
	MOVD	v+0(FP), R0
	MSR	R0, TTBR1_EL1
	ISB	$15
	RET

// func tlbiVAE1IS(op uint64)
TEXT ·tlbiVAE1IS(SB),NOSPLIT,$0-8
	MOVD	op+0(FP), R0
	DSB	$10	// DSB ISHST
	TLBI	VAE1IS, R0
	DSB	$11	// DSB ISH
	ISB	$15
	RET

// func tlbiASIDE1IS(op uint64)
TEXT ·tlbiASIDE1IS(SB),NOSPLIT,$0-8
	MOVD	op+0(FP), R0
	DSB	$10	// DSB ISHST
	TLBI	ASIDE1IS, R0
	DSB	$11	// DSB ISH
	ISB	$15
	RET

// func tlbiVMALLE1IS()
TEXT ·tlbiVMALLE1IS(SB),NOSPLIT,$0-0
	DSB	$10	// DSB ISHST
	TLBI	VMALLE1IS
	DSB	$11	// DSB ISH
	ISB	$15
	RET

// func install(mair, tcr, ttbr0, ttbr1 uint64)
//
// The switch runs with the MMU off (SCTLR_EL1.M = 0): writing MAIR, TCR and
// the TTBRs one by one under a live MMU goes through states where the old
// tables are walked with the new TCR or MAIR (T0SZ decides the start level),
// and QEMU, like hardware, may walk again at any instruction. With M = 0
// instructions are fetched from the flat physical map, which is where this
// identity-mapped code already is; the leaf touches no data memory.
TEXT ·install(SB),NOSPLIT,$0-32
	MOVD	mair+0(FP), R0
	MOVD	tcr+8(FP), R1
	MOVD	ttbr0+16(FP), R2
	MOVD	ttbr1+24(FP), R3
	DSB	$11	// DSB ISH: table writes complete before the switch
	MRS	SCTLR_EL1, R4
	BIC	$1, R4, R5	// SCTLR_EL1.M, bit 0
	MSR	R5, SCTLR_EL1
	ISB	$15
	MSR	R0, MAIR_EL1
	MSR	R1, TCR_EL1
	MSR	R2, TTBR0_EL1
	MSR	R3, TTBR1_EL1
	ISB	$15
	TLBI	VMALLE1IS
	DSB	$11	// DSB ISH
	ISB	$15
	MSR	R4, SCTLR_EL1
	ISB	$15
	RET

// func syncTables()
TEXT ·syncTables(SB),NOSPLIT,$0-0
	DSB	$10	// DSB ISHST
	ISB	$15
	RET
