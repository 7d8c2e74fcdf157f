//go:build tamago

#include "go_asm.h"
#include "textflag.h"
#include "sysreg_arm64.h"

// The SYS_EXIT_EXTENDED parameter block: {reason, subcode}.
GLOBL	semihostBlock<>(SB),NOPTR,$16

// func psci(fn uint32, c Conduit) int32
TEXT ·psci(SB),NOSPLIT,$0-12
	MOVWU	fn+0(FP), R0
	MOVBU	c+4(FP), R9
	MOVD	$0, R1
	MOVD	$0, R2
	MOVD	$0, R3
	CMP	$const_ConduitSMC, R9
	BEQ	smc
	HVC	$0
	B	done
smc:
	SMC	$0
done:
	MOVW	R0, ret+8(FP)
	RET

// func semihostExit(code uint64)
//
// The HLT is the semihosting call; without semihosting it is undefined and
// trapCommon resumes after it with semihostMissing set.
TEXT ·semihostExit(SB),NOSPLIT,$0-8
	MOVD	code+0(FP), R2
	MOVD	$semihostBlock<>(SB), R1
	MOVD	$ADP_STOPPED_APPLICATION_EXIT, R3
	MOVD	R3, 0(R1)
	MOVD	R2, 8(R1)
	MOVD	$SEMIHOST_SYS_EXIT_EXTENDED, R0
	SEMIHOST_HLT
	RET

// func failHalt()
TEXT ·failHalt(SB),NOSPLIT|NOFRAME,$0
	MOVD	·haltAttempted(SB), R0
	CBNZ	R0, spin
	MOVD	$const_exitException, R0
	MOVD	R0, R2
	MOVD	$1, R3
	MOVD	R3, ·haltAttempted(SB)
	MOVD	$semihostBlock<>(SB), R1
	MOVD	$ADP_STOPPED_APPLICATION_EXIT, R3
	MOVD	R3, 0(R1)
	MOVD	R2, 8(R1)
	MOVD	$SEMIHOST_SYS_EXIT_EXTENDED, R0
	SEMIHOST_HLT
spin:
	WFI
	B	spin

// func waitForInterrupt()
TEXT ·waitForInterrupt(SB),NOSPLIT,$0-0
	WFI
	RET
