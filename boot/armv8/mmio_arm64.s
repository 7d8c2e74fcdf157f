//go:build tamago

#include "textflag.h"

// func Read8(addr PAddr) uint8
TEXT ·Read8(SB),NOSPLIT,$0-9
	MOVD	addr+0(FP), R0
	MOVBU	(R0), R1
	MOVB	R1, ret+8(FP)
	RET

// func Read16(addr PAddr) uint16
TEXT ·Read16(SB),NOSPLIT,$0-10
	MOVD	addr+0(FP), R0
	MOVHU	(R0), R1
	MOVH	R1, ret+8(FP)
	RET

// func Read32(addr PAddr) uint32
TEXT ·Read32(SB),NOSPLIT,$0-12
	MOVD	addr+0(FP), R0
	MOVWU	(R0), R1
	MOVW	R1, ret+8(FP)
	RET

// func Read64(addr PAddr) uint64
TEXT ·Read64(SB),NOSPLIT,$0-16
	MOVD	addr+0(FP), R0
	MOVD	(R0), R1
	MOVD	R1, ret+8(FP)
	RET

// func Write16(addr PAddr, v uint16)
TEXT ·Write16(SB),NOSPLIT,$0-10
	MOVD	addr+0(FP), R0
	MOVHU	v+8(FP), R1
	MOVH	R1, (R0)
	RET

// func Write32(addr PAddr, v uint32)
TEXT ·Write32(SB),NOSPLIT,$0-12
	MOVD	addr+0(FP), R0
	MOVWU	v+8(FP), R1
	MOVW	R1, (R0)
	RET

// func Write64(addr PAddr, v uint64)
TEXT ·Write64(SB),NOSPLIT,$0-16
	MOVD	addr+0(FP), R0
	MOVD	v+8(FP), R1
	MOVD	R1, (R0)
	RET
