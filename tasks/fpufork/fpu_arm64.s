//go:build tamago

#include "textflag.h"

// func fpControl() uint64
TEXT ·fpControl(SB),NOSPLIT,$0-8
	MRS	FPCR, R0
	MOVD	R0, ret+0(FP)
	RET

// func setFPControl(v uint64)
TEXT ·setFPControl(SB),NOSPLIT,$0-8
	MOVD	v+0(FP), R0
	MSR	R0, FPCR
	RET
