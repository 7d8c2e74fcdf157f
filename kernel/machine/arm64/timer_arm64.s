//go:build tamago && arm64

#include "textflag.h"
#include "trap_arm64.h"

// The preemption timer's leaves (timer.go).

// func armTimer(ticks uint64)
//
// The EL1 virtual timer fires after ticks counts (Arm ARM D19.12,
// "CNTV_TVAL_EL0", "CNTV_CTL_EL0": ENABLE = 1, IMASK = 0).
TEXT ·armTimer(SB),NOSPLIT,$0-8
	MOVD	ticks+0(FP), R0
	MSR	R0, CNTV_TVAL_EL0
	MOVD	$CNTV_ENABLE, R0
	MSR	R0, CNTV_CTL_EL0
	ISB	$15
	RET

// func stopTimer() uint64
//
// Reads the count down (CNTV_TVAL_EL0) while the timer is still enabled:
// with ENABLE = 0 its value is UNKNOWN (Arm ARM D19.12).
TEXT ·stopTimer(SB),NOSPLIT,$0-8
	MRS	CNTV_TVAL_EL0, R0
	MSR	ZR, CNTV_CTL_EL0
	ISB	$15
	MOVD	R0, ret+0(FP)
	RET

// func ackIRQ() uint64
//
// Acknowledges the highest priority pending Group 1 interrupt
// (ICC_IAR1_EL1), stops the virtual timer so its level-sensitive PPI drops,
// and ends the interrupt (ICC_EOIR1_EL1). ARM IHI 0069G §12.2.
TEXT ·ackIRQ(SB),NOSPLIT,$0-8
	MRS	ICC_IAR1_EL1, R0
	MSR	ZR, CNTV_CTL_EL0
	ISB	$15
	MSR	R0, ICC_EOIR1_EL1
	MOVD	R0, ret+0(FP)
	RET
