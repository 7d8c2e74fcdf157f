//go:build tamago && amd64

#include "textflag.h"

// func readCS() uint16
TEXT ·readCS(SB),NOSPLIT,$0-2
	MOVW	CS, AX
	MOVW	AX, ret+0(FP)
	RET

// func readCR0() uint64
TEXT ·readCR0(SB),NOSPLIT,$0-8
	MOVQ	CR0, AX
	MOVQ	AX, ret+0(FP)
	RET

// func readCR3() uint64
TEXT ·readCR3(SB),NOSPLIT,$0-8
	MOVQ	CR3, AX
	MOVQ	AX, ret+0(FP)
	RET

// func readCR4() uint64
TEXT ·readCR4(SB),NOSPLIT,$0-8
	MOVQ	CR4, AX
	MOVQ	AX, ret+0(FP)
	RET

// func readMSR(msr uint32) uint64
TEXT ·readMSR(SB),NOSPLIT,$0-16
	MOVL	msr+0(FP), CX
	RDMSR
	SHLQ	$32, DX
	ORQ	DX, AX
	MOVQ	AX, ret+8(FP)
	RET

// func idtBase() uint64
TEXT ·idtBase(SB),NOSPLIT,$16-8
	// SIDT stores a 2-byte limit and an 8-byte base.
	MOVQ	SP, AX
	SIDT	(AX)
	MOVQ	2(AX), BX
	MOVQ	BX, ret+0(FP)
	RET

// func store64(addr uint64, val uint64)
TEXT ·store64(SB),NOSPLIT,$0-16
	MOVQ	addr+0(FP), AX
	MOVQ	val+8(FP), BX
	MOVQ	BX, (AX)
	RET

// func store8(addr uint64, val uint8)
TEXT ·store8(SB),NOSPLIT,$0-9
	MOVQ	addr+0(FP), AX
	MOVB	val+8(FP), BX
	MOVB	BX, (AX)
	RET

// func load8(addr uint64) uint8
TEXT ·load8(SB),NOSPLIT,$0-9
	MOVQ	addr+0(FP), AX
	MOVB	(AX), BX
	MOVB	BX, ret+8(FP)
	RET

// func haltForever()
TEXT ·haltForever(SB),NOSPLIT|NOFRAME,$0-0
	CLI
halt:
	HLT
	JMP	halt
