//go:build tamago

#include "textflag.h"

// func fpControl() uint64
TEXT ·fpControl(SB),NOSPLIT,$8-8
	MOVQ	$0, AX
	MOVQ	AX, 0(SP)
	STMXCSR	0(SP)
	MOVQ	0(SP), AX
	MOVQ	AX, ret+0(FP)
	RET

// func setFPControl(v uint64)
TEXT ·setFPControl(SB),NOSPLIT,$0-8
	LDMXCSR	v+0(FP)
	RET
