//go:build tamago

#include "textflag.h"

// func armVirtTimer(cval uint64)
TEXT ·armVirtTimer(SB),NOSPLIT,$0-8
	MOVD	cval+0(FP), R0
	MSR	R0, CNTV_CVAL_EL0
	MOVD	$1, R0	// CNTV_CTL_EL0: ENABLE = 1, IMASK = 0
	MSR	R0, CNTV_CTL_EL0
	ISB	$15
	RET
