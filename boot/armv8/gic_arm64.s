//go:build tamago

#include "textflag.h"

// func iccInit(pmr uint64) uint64
TEXT ·iccInit(SB),NOSPLIT,$0-16
	// ARM IHI 0069G §12.2: ICC_SRE_EL1.SRE (bit 0) selects the system
	// register interface; PMR passes priorities below it; BPR1 = 0 uses
	// all priority bits; IGRPEN1 = 1 enables Group 1 at this CPU.
	MRS	ICC_SRE_EL1, R0
	ORR	$1, R0, R0
	MSR	R0, ICC_SRE_EL1
	ISB	$15
	MOVD	pmr+0(FP), R1
	MSR	R1, ICC_PMR_EL1
	MSR	ZR, ICC_BPR1_EL1
	MOVD	$1, R1
	MSR	R1, ICC_IGRPEN1_EL1
	ISB	$15
	MRS	ICC_SRE_EL1, R0
	MOVD	R0, ret+8(FP)
	RET
