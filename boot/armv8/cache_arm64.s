//go:build tamago

#include "textflag.h"

// dminLine loads the data cache line size into R3 and the mask of a line's
// offset into R4. Clobbers R3, R4.
#define DMIN_LINE \
	MRS	CTR_EL0, R3; \
	UBFX	$16, R3, $4, R3; \
	MOVD	$4, R4; \
	LSL	R3, R4, R3; \
	SUB	$1, R3, R4

// func CleanDCache(addr, n uint64)
TEXT ·CleanDCache(SB),NOSPLIT,$0-16
	MOVD	addr+0(FP), R0
	MOVD	n+8(FP), R1
	ADD	R0, R1, R1	// end
	DMIN_LINE
	BIC	R4, R0, R0	// first line
clean:
	CMP	R1, R0
	BHS	cleaned
	DC	CVAC, R0
	ADD	R3, R0, R0
	B	clean
cleaned:
	DSB	$0xf
	RET

// func CleanInvalidateDCache(addr, n uint64)
TEXT ·CleanInvalidateDCache(SB),NOSPLIT,$0-16
	MOVD	addr+0(FP), R0
	MOVD	n+8(FP), R1
	ADD	R0, R1, R1
	DMIN_LINE
	BIC	R4, R0, R0
flush:
	CMP	R1, R0
	BHS	flushed
	DC	CIVAC, R0
	ADD	R3, R0, R0
	B	flush
flushed:
	DSB	$0xf
	RET

// func DCacheLine() uint64
TEXT ·DCacheLine(SB),NOSPLIT,$0-8
	DMIN_LINE
	MOVD	R3, ret+0(FP)
	RET
