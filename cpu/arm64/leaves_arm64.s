//go:build tamago && arm64

#include "textflag.h"

// The leaves of leaves.go.

// func CurrentEL() uint64
TEXT ·CurrentEL(SB),NOSPLIT,$0-8
	MRS	CurrentEL, R0
	LSR	$2, R0, R0
	MOVD	R0, ret+0(FP)
	RET

// func ReadCNTVCT() uint64
TEXT ·ReadCNTVCT(SB),NOSPLIT,$0-8
	ISB	$15
	MRS	CNTVCT_EL0, R0
	MOVD	R0, ret+0(FP)
	RET

// func RNDR() (v uint64, ok bool)
TEXT ·RNDR(SB),NOSPLIT,$0-9
	MRS	RNDR, R0
	CSET	NE, R1	// Z is set when no number was returned
	MOVD	R0, v+0(FP)
	MOVB	R1, ok+8(FP)
	RET

// func ReadMIDR() uint64
TEXT ·ReadMIDR(SB),NOSPLIT,$0-8
	MRS	MIDR_EL1, R0
	MOVD	R0, ret+0(FP)
	RET

// func ReadPFR0() uint64
TEXT ·ReadPFR0(SB),NOSPLIT,$0-8
	MRS	ID_AA64PFR0_EL1, R0
	MOVD	R0, ret+0(FP)
	RET

// func ReadISAR0() uint64
TEXT ·ReadISAR0(SB),NOSPLIT,$0-8
	MRS	ID_AA64ISAR0_EL1, R0
	MOVD	R0, ret+0(FP)
	RET

// func ReadMMFR0() uint64
TEXT ·ReadMMFR0(SB),NOSPLIT,$0-8
	MRS	ID_AA64MMFR0_EL1, R0
	MOVD	R0, ret+0(FP)
	RET

// func ReadMMFR1() uint64
TEXT ·ReadMMFR1(SB),NOSPLIT,$0-8
	MRS	ID_AA64MMFR1_EL1, R0
	MOVD	R0, ret+0(FP)
	RET

// func ReadCNTFRQ() uint64
TEXT ·ReadCNTFRQ(SB),NOSPLIT,$0-8
	MRS	CNTFRQ_EL0, R0
	MOVD	R0, ret+0(FP)
	RET

// func ReadSCTLR() uint64
TEXT ·ReadSCTLR(SB),NOSPLIT,$0-8
	MRS	SCTLR_EL1, R0
	MOVD	R0, ret+0(FP)
	RET

// func ReadVBAR() uint64
TEXT ·ReadVBAR(SB),NOSPLIT,$0-8
	MRS	VBAR_EL1, R0
	MOVD	R0, ret+0(FP)
	RET

// func ReadTTBR0() uint64
TEXT ·ReadTTBR0(SB),NOSPLIT,$0-8
	MRS	TTBR0_EL1, R0
	MOVD	R0, ret+0(FP)
	RET

// func ReadTCR() uint64
TEXT ·ReadTCR(SB),NOSPLIT,$0-8
	MRS	TCR_EL1, R0
	MOVD	R0, ret+0(FP)
	RET

// func ReadMAIR() uint64
TEXT ·ReadMAIR(SB),NOSPLIT,$0-8
	MRS	MAIR_EL1, R0
	MOVD	R0, ret+0(FP)
	RET

// func ReadDCZID() uint64
TEXT ·ReadDCZID(SB),NOSPLIT,$0-8
	MRS	DCZID_EL0, R0
	MOVD	R0, ret+0(FP)
	RET
