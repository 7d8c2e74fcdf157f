//go:build tamago

#include "textflag.h"

// func mmioRead8(addr PAddr) uint8
TEXT ·mmioRead8(SB),NOSPLIT,$0-9
	MOVD	addr+0(FP), R0
	MOVBU	(R0), R1
	MOVB	R1, ret+8(FP)
	RET

// func mmioRead32(addr PAddr) uint32
TEXT ·mmioRead32(SB),NOSPLIT,$0-12
	MOVD	addr+0(FP), R0
	MOVWU	(R0), R1
	MOVW	R1, ret+8(FP)
	RET

// func mmioRead64(addr PAddr) uint64
TEXT ·mmioRead64(SB),NOSPLIT,$0-16
	MOVD	addr+0(FP), R0
	MOVD	(R0), R1
	MOVD	R1, ret+8(FP)
	RET

// func mmioWrite16(addr PAddr, v uint16)
TEXT ·mmioWrite16(SB),NOSPLIT,$0-10
	MOVD	addr+0(FP), R0
	MOVHU	v+8(FP), R1
	MOVH	R1, (R0)
	RET

// func mmioWrite32(addr PAddr, v uint32)
TEXT ·mmioWrite32(SB),NOSPLIT,$0-12
	MOVD	addr+0(FP), R0
	MOVWU	v+8(FP), R1
	MOVW	R1, (R0)
	RET

// func mmioWrite64(addr PAddr, v uint64)
TEXT ·mmioWrite64(SB),NOSPLIT,$0-16
	MOVD	addr+0(FP), R0
	MOVD	v+8(FP), R1
	MOVD	R1, (R0)
	RET
