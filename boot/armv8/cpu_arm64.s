//go:build tamago

#include "textflag.h"

// func enableMMU(mair, tcr, ttbr0, sctlr uint64)
TEXT ·enableMMU(SB),NOSPLIT,$0-32
	MOVD	mair+0(FP), R0
	MOVD	tcr+8(FP), R1
	MOVD	ttbr0+16(FP), R2
	MOVD	sctlr+24(FP), R3
	MSR	R0, MAIR_EL1
	MSR	R1, TCR_EL1
	MSR	R2, TTBR0_EL1
	DSB	$0xf	// SY: table writes done before the walker reads them
	TLBI	VMALLE1
	DSB	$0xf
	ISB	$15
	MSR	R3, SCTLR_EL1
	ISB	$15
	RET
