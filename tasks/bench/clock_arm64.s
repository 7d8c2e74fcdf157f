//go:build tamago

#include "textflag.h"

// entry is the program's entry point (tasks/tasks.mk links bench with
// -E main.entry): it reads the virtual count into entryTicks before any
// other instruction of the program runs, then branches to the Go
// runtime's own entry point. It clobbers only R0 and R1.
TEXT main·entry(SB),NOSPLIT|NOFRAME,$0
	ISB	$15
	MRS	CNTVCT_EL0, R0
	MOVD	$·entryTicks(SB), R1
	MOVD	R0, (R1)
	B	_rt0_arm64_tamago(SB)

// func ticks() uint64
// CNTVCT_EL0 (Arm ARM D13.8): both kernels let EL0 read it
// (CNTKCTL_EL1.EL0VCTEN).
TEXT ·ticks(SB),NOSPLIT,$0-8
	ISB	$15
	MRS	CNTVCT_EL0, R0
	MOVD	R0, ret+0(FP)
	RET

// func counterHz() uint64
TEXT ·counterHz(SB),NOSPLIT,$0-8
	MRS	CNTFRQ_EL0, R0
	MOVD	R0, ret+0(FP)
	RET
