//go:build tamago

#include "textflag.h"

// func currentEL() uint64
TEXT ·currentEL(SB),NOSPLIT,$0-8
	MRS	CurrentEL, R0
	LSR	$2, R0, R0
	MOVD	R0, ret+0(FP)
	RET

// func readMIDR() uint64
TEXT ·readMIDR(SB),NOSPLIT,$0-8
	MRS	MIDR_EL1, R0
	MOVD	R0, ret+0(FP)
	RET

// func readPFR0() uint64
TEXT ·readPFR0(SB),NOSPLIT,$0-8
	MRS	ID_AA64PFR0_EL1, R0
	MOVD	R0, ret+0(FP)
	RET

// func readISAR0() uint64
TEXT ·readISAR0(SB),NOSPLIT,$0-8
	MRS	ID_AA64ISAR0_EL1, R0
	MOVD	R0, ret+0(FP)
	RET

// func readMMFR0() uint64
TEXT ·readMMFR0(SB),NOSPLIT,$0-8
	MRS	ID_AA64MMFR0_EL1, R0
	MOVD	R0, ret+0(FP)
	RET

// func readCNTFRQ() uint64
TEXT ·readCNTFRQ(SB),NOSPLIT,$0-8
	MRS	CNTFRQ_EL0, R0
	MOVD	R0, ret+0(FP)
	RET

// func readCNTVCT() uint64
TEXT ·readCNTVCT(SB),NOSPLIT,$0-8
	// ISB keeps the read from being taken early (Arm ARM, Generic Timer
	// "Reading the counter").
	ISB	$15
	MRS	CNTVCT_EL0, R0
	MOVD	R0, ret+0(FP)
	RET

// func readVBAR() uint64
TEXT ·readVBAR(SB),NOSPLIT,$0-8
	MRS	VBAR_EL1, R0
	MOVD	R0, ret+0(FP)
	RET

// func readSCTLR() uint64
TEXT ·readSCTLR(SB),NOSPLIT,$0-8
	MRS	SCTLR_EL1, R0
	MOVD	R0, ret+0(FP)
	RET

// func rndr() (v uint64, ok bool)
TEXT ·rndr(SB),NOSPLIT,$0-9
	MRS	RNDR, R0
	CSET	NE, R1	// Z is set when no number was returned
	MOVD	R0, v+0(FP)
	MOVB	R1, ok+8(FP)
	RET

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
