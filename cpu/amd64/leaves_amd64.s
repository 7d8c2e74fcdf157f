//go:build tamago && amd64

#include "textflag.h"

// The leaves of leaves.go, one instruction or two each.

// func CPUID(leaf, subleaf uint32) (eax, ebx, ecx, edx uint32)
TEXT ·CPUID(SB),NOSPLIT,$0-24
	MOVL	leaf+0(FP), AX
	MOVL	subleaf+4(FP), CX
	CPUID
	MOVL	AX, eax+8(FP)
	MOVL	BX, ebx+12(FP)
	MOVL	CX, ecx+16(FP)
	MOVL	DX, edx+20(FP)
	RET

// func ReadCR0() uint64
TEXT ·ReadCR0(SB),NOSPLIT,$0-8
	MOVQ	CR0, AX
	MOVQ	AX, ret+0(FP)
	RET

// func WriteCR0(val uint64)
TEXT ·WriteCR0(SB),NOSPLIT,$0-8
	MOVQ	val+0(FP), AX
	MOVQ	AX, CR0
	RET

// func ReadCR3() uint64
TEXT ·ReadCR3(SB),NOSPLIT,$0-8
	MOVQ	CR3, AX
	MOVQ	AX, ret+0(FP)
	RET

// func WriteCR3(val uint64)
TEXT ·WriteCR3(SB),NOSPLIT,$0-8
	MOVQ	val+0(FP), AX
	MOVQ	AX, CR3
	RET

// func ReadCR4() uint64
TEXT ·ReadCR4(SB),NOSPLIT,$0-8
	MOVQ	CR4, AX
	MOVQ	AX, ret+0(FP)
	RET

// func WriteCR4(val uint64)
TEXT ·WriteCR4(SB),NOSPLIT,$0-8
	MOVQ	val+0(FP), AX
	MOVQ	AX, CR4
	RET

// func ReadMSR(msr uint32) uint64
TEXT ·ReadMSR(SB),NOSPLIT,$0-16
	MOVL	msr+0(FP), CX
	RDMSR
	SHLQ	$32, DX
	ORQ	DX, AX
	MOVQ	AX, ret+8(FP)
	RET

// func WriteMSR(msr uint32, val uint64)
TEXT ·WriteMSR(SB),NOSPLIT,$0-16
	MOVL	msr+0(FP), CX
	MOVQ	val+8(FP), AX
	MOVQ	AX, DX
	SHRQ	$32, DX
	WRMSR
	RET

// func RDTSC() uint64
TEXT ·RDTSC(SB),NOSPLIT,$0-8
	RDTSC
	SHLQ	$32, DX
	ORQ	DX, AX
	MOVQ	AX, ret+0(FP)
	RET

// func CLI()
TEXT ·CLI(SB),NOSPLIT,$0-0
	CLI
	RET

// func ReadCS() uint16
TEXT ·ReadCS(SB),NOSPLIT,$0-2
	MOVW	CS, AX
	MOVW	AX, ret+0(FP)
	RET

// func ReadIDTR() (base uint64, limit uint16)
TEXT ·ReadIDTR(SB),NOSPLIT,$16-10
	// SIDT stores a 2-byte limit and an 8-byte base.
	MOVQ	SP, AX
	SIDT	(AX)
	MOVQ	2(AX), BX
	MOVQ	BX, base+0(FP)
	MOVW	0(AX), BX
	MOVW	BX, limit+8(FP)
	RET

// func Halt()
TEXT ·Halt(SB),NOSPLIT|NOFRAME,$0-0
	CLI
halt:
	HLT
	JMP	halt

// func Load64(addr uint64) uint64
TEXT ·Load64(SB),NOSPLIT,$0-16
	MOVQ	addr+0(FP), AX
	MOVQ	(AX), BX
	MOVQ	BX, ret+8(FP)
	RET

// func Store64(addr, val uint64)
TEXT ·Store64(SB),NOSPLIT,$0-16
	MOVQ	addr+0(FP), AX
	MOVQ	val+8(FP), BX
	MOVQ	BX, (AX)
	RET

// func Load32(addr uint64) uint32
TEXT ·Load32(SB),NOSPLIT,$0-12
	MOVQ	addr+0(FP), AX
	MOVL	(AX), BX
	MOVL	BX, ret+8(FP)
	RET

// func Store32(addr uint64, val uint32)
TEXT ·Store32(SB),NOSPLIT,$0-12
	MOVQ	addr+0(FP), AX
	MOVL	val+8(FP), BX
	MOVL	BX, (AX)
	RET

// func Load8(addr uint64) uint8
TEXT ·Load8(SB),NOSPLIT,$0-9
	MOVQ	addr+0(FP), AX
	MOVB	(AX), BX
	MOVB	BX, ret+8(FP)
	RET

// func Store8(addr uint64, val uint8)
TEXT ·Store8(SB),NOSPLIT,$0-9
	MOVQ	addr+0(FP), AX
	MOVB	val+8(FP), BX
	MOVB	BX, (AX)
	RET
