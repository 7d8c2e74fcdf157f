//go:build tamago

#include "textflag.h"

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
