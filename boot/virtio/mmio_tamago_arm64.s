//go:build tamago

#include "textflag.h"

// DMB options (Arm ARM, A64 instruction "DMB", CRm field): OSHLD = 0b0001, OSHST =
// 0b0010; the outer-shareable domain is where devices observe memory.
#define DMB_OSHLD	$0x1
#define DMB_OSHST	$0x2

// func mmioRead32(addr uint64) uint32
// The DMB after the load orders it before later reads of DMA memory, so
// a status read cannot be satisfied after data the device wrote later.
TEXT ·mmioRead32(SB),NOSPLIT,$0-12
	MOVD	addr+0(FP), R0
	MOVWU	(R0), R1
	DMB	DMB_OSHLD
	MOVW	R1, ret+8(FP)
	RET

// func mmioWrite32(addr uint64, v uint32)
// The DMB before the store makes the driver's earlier writes to DMA
// memory (descriptors, available ring) visible to the device before it
// sees the register write, e.g. QueueNotify (virtio spec §2.7.13.4).
TEXT ·mmioWrite32(SB),NOSPLIT,$0-12
	MOVD	addr+0(FP), R0
	MOVWU	v+8(FP), R1
	DMB	DMB_OSHST
	MOVW	R1, (R0)
	RET
