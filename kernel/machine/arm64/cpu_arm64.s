//go:build tamago && arm64

#include "textflag.h"
#include "trap_arm64.h"

// func switchTables(mair, tcr, ttbr0, ttbr1, sctlr uint64)
TEXT ·switchTables(SB),NOSPLIT,$0-40
	MOVD	mair+0(FP), R0
	MOVD	tcr+8(FP), R1
	MOVD	ttbr0+16(FP), R2
	MOVD	ttbr1+24(FP), R3
	MOVD	sctlr+32(FP), R4
	// The new tables' writes complete before the walker may read them:
	// a DSB orders them before every later table walk.
	DSB	$15	// DSB SY
	AND	$~SCTLR_M, R4, R5
	MSR	R5, SCTLR_EL1
	ISB	$15
	MSR	R0, MAIR_EL1
	MSR	R1, TCR_EL1
	MSR	R2, TTBR0_EL1
	MSR	R3, TTBR1_EL1
	ISB	$15
	TLBI	VMALLE1
	DSB	$15
	ISB	$15
	MSR	R4, SCTLR_EL1
	ISB	$15
	RET

// func atS1E1R(va uint64) uint64
TEXT ·atS1E1R(SB),NOSPLIT,$0-16
	MOVD	va+0(FP), R0
	AT_S1E1R_X0
	ISB	$15	// PAR_EL1 is written by the AT (C5.5: read it after an ISB)
	MRS	PAR_EL1, R0
	MOVD	R0, ret+8(FP)
	RET

// func atS1E0R(va uint64) uint64
TEXT ·atS1E0R(SB),NOSPLIT,$0-16
	MOVD	va+0(FP), R0
	AT_S1E0R_X0
	ISB	$15
	MRS	PAR_EL1, R0
	MOVD	R0, ret+8(FP)
	RET
