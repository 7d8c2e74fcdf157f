//go:build tamago

#include "textflag.h"

// entry is the program's entry point (tasks/tasks.mk links bench with
// -E main.entry): it reads the time-stamp counter into entryTicks before
// any other instruction of the program runs, then jumps to the Go
// runtime's own entry point. It clobbers only AX and DX, which neither
// kernel passes anything in (the runtime reads argc from the stack).
TEXT main·entry(SB),NOSPLIT|NOFRAME,$0
	RDTSC
	SHLQ	$32, DX
	ORQ	DX, AX
	MOVQ	AX, ·entryTicks(SB)
	JMP	_rt0_amd64_tamago(SB)

// func ticks() uint64
// RDTSC (Intel SDM Vol. 2B): under QEMU -icount shift=0 the counter
// advances once per guest instruction.
TEXT ·ticks(SB),NOSPLIT,$0-8
	RDTSC
	SHLQ	$32, DX
	ORQ	DX, AX
	MOVQ	AX, ret+0(FP)
	RET
