//go:build tamago

#include "textflag.h"

// Mach traps: the Linux AArch64 system call convention (number in R8,
// arguments in R0-R5, result in R0: "svc #0"), with a negative number.

// func trap(nr int64, a0, a1, a2, a3, a4, a5 uintptr) uintptr
TEXT ·trap(SB),NOSPLIT,$0-64
	MOVD	nr+0(FP), R8
	MOVD	a0+8(FP), R0
	MOVD	a1+16(FP), R1
	MOVD	a2+24(FP), R2
	MOVD	a3+32(FP), R3
	MOVD	a4+40(FP), R4
	MOVD	a5+48(FP), R5
	SVC	$0
	MOVD	R0, ret+56(FP)
	RET

// func syscallExit(code uintptr)
TEXT ·syscallExit(SB),NOSPLIT,$0-8
	MOVD	code+0(FP), R0
	MOVD	$94, R8	// exit_group
	SVC	$0
	RET
