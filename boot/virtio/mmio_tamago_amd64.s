//go:build tamago

#include "textflag.h"

// x86 keeps stores in program order and does not pass a load by a later
// store, and accesses to uncached (UC) MMIO are not reordered with each
// other or with earlier stores (Intel SDM Vol. 3A, "Memory Ordering in P6
// and More Recent Processor Families" and "Memory Type" UC). So plain MOVs
// suffice: the ring updates before a QueueNotify store reach memory first.

// func mmioRead32(addr uint64) uint32
TEXT ·mmioRead32(SB),NOSPLIT,$0-12
	MOVQ	addr+0(FP), AX
	MOVL	(AX), BX
	MOVL	BX, ret+8(FP)
	RET

// func mmioWrite32(addr uint64, v uint32)
TEXT ·mmioWrite32(SB),NOSPLIT,$0-12
	MOVQ	addr+0(FP), AX
	MOVL	v+8(FP), BX
	MOVL	BX, (AX)
	RET
