//go:build tamago

#include "textflag.h"

// Mach traps: the Linux x86-64 system call convention (number in AX,
// arguments in DI, SI, DX, R10, R8, R9, result in AX; SYSCALL clobbers CX
// and R11: Intel SDM Vol. 2B "SYSCALL"), with a negative number.

// func trap(nr int64, a0, a1, a2, a3, a4, a5 uintptr) uintptr
TEXT ·trap(SB),NOSPLIT,$0-64
	MOVQ	nr+0(FP), AX
	MOVQ	a0+8(FP), DI
	MOVQ	a1+16(FP), SI
	MOVQ	a2+24(FP), DX
	MOVQ	a3+32(FP), R10
	MOVQ	a4+40(FP), R8
	MOVQ	a5+48(FP), R9
	SYSCALL
	MOVQ	AX, ret+56(FP)
	RET

// func syscallExit(code uintptr)
TEXT ·syscallExit(SB),NOSPLIT,$0-8
	MOVQ	code+0(FP), DI
	MOVQ	$231, AX	// exit_group
	SYSCALL
	RET
