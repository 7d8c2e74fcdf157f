//go:build tamago

#include "textflag.h"

// func cli()
TEXT ·cli(SB),NOSPLIT,$0-0
	CLI
	RET

// func readIDTR() (base uint64, limit uint16)
TEXT ·readIDTR(SB),NOSPLIT,$16-10
	// SIDT stores a 2-byte limit and an 8-byte base.
	MOVQ	SP, AX
	SIDT	(AX)
	MOVQ	2(AX), BX
	MOVQ	BX, base+0(FP)
	MOVW	0(AX), BX
	MOVW	BX, limit+8(FP)
	RET

// func rdmsr(msr uint32) uint64
TEXT ·rdmsr(SB),NOSPLIT,$0-16
	MOVL	msr+0(FP), CX
	RDMSR
	SHLQ	$32, DX
	ORQ	DX, AX
	MOVQ	AX, ret+8(FP)
	RET

// func wrmsr(msr uint32, val uint64)
TEXT ·wrmsr(SB),NOSPLIT,$0-16
	MOVL	msr+0(FP), CX
	MOVQ	val+8(FP), AX
	MOVQ	AX, DX
	SHRQ	$32, DX
	WRMSR
	RET

// func readCR0() uint64
TEXT ·readCR0(SB),NOSPLIT,$0-8
	MOVQ	CR0, AX
	MOVQ	AX, ret+0(FP)
	RET

// func readCR4() uint64
TEXT ·readCR4(SB),NOSPLIT,$0-8
	MOVQ	CR4, AX
	MOVQ	AX, ret+0(FP)
	RET

// func writeCR4(val uint64)
TEXT ·writeCR4(SB),NOSPLIT,$0-8
	MOVQ	val+0(FP), AX
	MOVQ	AX, CR4
	RET

// func readCR3() uint64
TEXT ·readCR3(SB),NOSPLIT,$0-8
	MOVQ	CR3, AX
	MOVQ	AX, ret+0(FP)
	RET

// func rdtsc() uint64
TEXT ·rdtsc(SB),NOSPLIT,$0-8
	RDTSC
	SHLQ	$32, DX
	ORQ	DX, AX
	MOVQ	AX, ret+0(FP)
	RET

// func store64(addr, val uint64)
TEXT ·store64(SB),NOSPLIT,$0-16
	MOVQ	addr+0(FP), AX
	MOVQ	val+8(FP), BX
	MOVQ	BX, (AX)
	RET

// func load64(addr uint64) uint64
TEXT ·load64(SB),NOSPLIT,$0-16
	MOVQ	addr+0(FP), AX
	MOVQ	(AX), BX
	MOVQ	BX, ret+8(FP)
	RET

// func store32(addr uint64, val uint32)
TEXT ·store32(SB),NOSPLIT,$0-12
	MOVQ	addr+0(FP), AX
	MOVL	val+8(FP), BX
	MOVL	BX, (AX)
	RET

// func load32(addr uint64) uint32
TEXT ·load32(SB),NOSPLIT,$0-12
	MOVQ	addr+0(FP), AX
	MOVL	(AX), BX
	MOVL	BX, ret+8(FP)
	RET

// func writeCR0(val uint64)
TEXT ·writeCR0(SB),NOSPLIT,$0-8
	MOVQ	val+0(FP), AX
	MOVQ	AX, CR0
	RET
