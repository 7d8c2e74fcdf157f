//go:build tamago

#include "textflag.h"

// func brkSPx()
TEXT ·brkSPx(SB),NOSPLIT,$0-0
	BRK	$0x7a4b	// probeImmSPx
	RET

// func brkSP0()
TEXT ·brkSP0(SB),NOSPLIT,$0-0
	MOVD	RSP, R0
	MSR	R0, SP_EL0
	MSR	$0, SPSel	// Arm ARM D24.2 "SPSel": 0 selects SP_EL0
	BRK	$0x7a4c	// probeImmSP0
	MSR	$1, SPSel
	RET

// func unmaskIRQ()
TEXT ·unmaskIRQ(SB),NOSPLIT,$0-0
	MSR	$2, DAIFClr	// I is bit 1 of the DAIF immediate
	RET

// func maskIRQ()
TEXT ·maskIRQ(SB),NOSPLIT,$0-0
	MSR	$2, DAIFSet
	RET

// func startVirtTimer(ticks uint64)
TEXT ·startVirtTimer(SB),NOSPLIT,$0-8
	MOVD	ticks+0(FP), R0
	MSR	R0, CNTV_TVAL_EL0
	MOVD	$1, R0	// CNTV_CTL_EL0: ENABLE = 1, IMASK = 0
	MSR	R0, CNTV_CTL_EL0
	ISB	$15
	RET

// func stopVirtTimer()
TEXT ·stopVirtTimer(SB),NOSPLIT,$0-0
	MSR	ZR, CNTV_CTL_EL0
	ISB	$15
	RET
