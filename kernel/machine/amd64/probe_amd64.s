//go:build tamago && amd64

#include "textflag.h"

// func probeRead(addr uintptr) (value uint64, ok bool)
TEXT ·probeRead(SB),NOSPLIT,$0-17
	MOVQ	addr+0(FP), AX
	JMP	·probeLoad(SB)

// func probeLoad(addr uintptr) (value uint64, ok bool)
TEXT ·probeLoad(SB),NOSPLIT,$0-17
	MOVQ	(AX), BX	// the load that may fault: pfEntry knows this address
	MOVQ	BX, value+8(FP)
	MOVB	$1, ok+16(FP)
	RET

// func probeLoadFixup(addr uintptr) (value uint64, ok bool)
TEXT ·probeLoadFixup(SB),NOSPLIT,$0-17
	MOVQ	$0, value+8(FP)
	MOVB	$0, ok+16(FP)
	RET

// func probeWrite(addr uintptr, value uint64) (ok bool)
TEXT ·probeWrite(SB),NOSPLIT,$0-17
	MOVQ	addr+0(FP), AX
	MOVQ	value+8(FP), BX
	JMP	·probeStore(SB)

// func probeStore(addr uintptr, value uint64) (ok bool)
TEXT ·probeStore(SB),NOSPLIT,$0-17
	MOVQ	BX, (AX)	// the store that may fault: pfEntry knows this address
	MOVB	$1, ok+16(FP)
	RET

// func probeStoreFixup(addr uintptr, value uint64) (ok bool)
TEXT ·probeStoreFixup(SB),NOSPLIT,$0-17
	MOVB	$0, ok+16(FP)
	RET

// func pfEntryAddr() uint64
TEXT ·pfEntryAddr(SB),NOSPLIT,$0-8
	MOVQ	$·pfEntry(SB), AX
	MOVQ	AX, ret+0(FP)
	RET

// func pfEntry()
//
// On entry the stack holds the error code, then RIP, CS, RFLAGS, RSP, SS
// (Intel SDM Vol. 3A §6.14.2 "64-Bit Mode Stack Frame", Figure 6-9).
TEXT ·pfEntry(SB),NOSPLIT|NOFRAME,$0-0
	// Two scratch slots below the CPU's frame. SP is moved with SUBQ and
	// ADDQ, not PUSHQ and POPQ, because the paths do not balance pushes
	// the way the assembler's bookkeeping expects.
	SUBQ	$16, SP
	MOVQ	AX, 8(SP)
	MOVQ	BX, 0(SP)
	// stack: BX, AX, error code, RIP, ...
	MOVQ	24(SP), AX
	MOVQ	$·probeLoad(SB), BX
	CMPQ	AX, BX
	JEQ	load
	MOVQ	$·probeStore(SB), BX
	CMPQ	AX, BX
	JNE	chain
	MOVQ	$·probeStoreFixup(SB), BX
	JMP	resume
load:
	MOVQ	$·probeLoadFixup(SB), BX
resume:
	// Resume at the fixup: RIP in the CPU's frame becomes its address.
	MOVQ	BX, 24(SP)
	MOVQ	0(SP), BX
	MOVQ	8(SP), AX
	ADDQ	$24, SP	// the scratch slots and the error code, before IRETQ (§6.14.4)
	IRETQ
chain:
	// Restore BX and AX, leave the stack as the CPU built it plus the
	// previous handler's address, and "return" into that handler.
	MOVQ	0(SP), BX
	ADDQ	$8, SP
	MOVQ	·pfChain(SB), AX
	XCHGQ	AX, 0(SP)
	RET
