//go:build tamago && arm64

#include "textflag.h"

// The access instruction of each probe is at a fixed offset from its entry
// (the probes are frameless leaves: no prologue), which probeSites reports
// and ProbeFixups checks against the expected instruction word.

// func probeRead(addr uint64) (value uint64, ok bool)
TEXT ·probeRead(SB),NOSPLIT|NOFRAME,$0-17
	MOVD	addr+0(FP), R0
	MOVD	(R0), R1	// entry+4: may fault
	MOVD	R1, value+8(FP)
	MOVD	$1, R2
	MOVB	R2, ok+16(FP)
	RET

// func probeReadFixup(addr uint64) (value uint64, ok bool)
TEXT ·probeReadFixup(SB),NOSPLIT|NOFRAME,$0-17
	MOVD	ZR, value+8(FP)
	MOVB	ZR, ok+16(FP)
	RET

// func probeWrite(addr, value uint64) (ok bool)
TEXT ·probeWrite(SB),NOSPLIT|NOFRAME,$0-17
	MOVD	addr+0(FP), R0
	MOVD	value+8(FP), R1
	MOVD	R1, (R0)	// entry+8: may fault
	MOVD	$1, R2
	MOVB	R2, ok+16(FP)
	RET

// func probeWriteFixup(addr, value uint64) (ok bool)
TEXT ·probeWriteFixup(SB),NOSPLIT|NOFRAME,$0-17
	MOVB	ZR, ok+16(FP)
	RET

// func probeSites() (readPC, readFixup, writePC, writeFixup uint64)
TEXT ·probeSites(SB),NOSPLIT,$0-32
	MOVD	$·probeRead(SB), R0
	ADD	$4, R0, R0
	MOVD	R0, readPC+0(FP)
	MOVD	$·probeReadFixup(SB), R0
	MOVD	R0, readFixup+8(FP)
	MOVD	$·probeWrite(SB), R0
	ADD	$8, R0, R0
	MOVD	R0, writePC+16(FP)
	MOVD	$·probeWriteFixup(SB), R0
	MOVD	R0, writeFixup+24(FP)
	RET
