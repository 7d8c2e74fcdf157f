//go:build tamago

#include "textflag.h"

// func cpuid(leaf, subleaf uint32) (eax, ebx, ecx, edx uint32)
TEXT ·cpuid(SB),NOSPLIT,$0-24
	MOVL	leaf+0(FP), AX
	MOVL	subleaf+4(FP), CX
	CPUID
	MOVL	AX, eax+8(FP)
	MOVL	BX, ebx+12(FP)
	MOVL	CX, ecx+16(FP)
	MOVL	DX, edx+20(FP)
	RET

// func readCR3() uint64
TEXT ·readCR3(SB),NOSPLIT,$0-8
	MOVQ	CR3, AX
	MOVQ	AX, ret+0(FP)
	RET

// func writeCR3(val uint64)
TEXT ·writeCR3(SB),NOSPLIT,$0-8
	MOVQ	val+0(FP), AX
	MOVQ	AX, CR3
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

// func invlpg(va uint64)
TEXT ·invlpg(SB),NOSPLIT,$0-8
	MOVQ	va+0(FP), AX
	INVLPG	(AX)
	RET

// func invpcid(typ, pcid, va uint64)
//
// The 16-byte INVPCID descriptor (Intel SDM Vol. 2A, INVPCID) is built in
// the frame: the PCID in bits 11:0 of the first quadword, the linear address
// in the second.
TEXT ·invpcid(SB),NOSPLIT,$16-24
	MOVQ	pcid+8(FP), AX
	MOVQ	AX, 0(SP)
	MOVQ	va+16(FP), AX
	MOVQ	AX, 8(SP)
	MOVQ	typ+0(FP), AX
	INVPCID	0(SP), AX
	RET
