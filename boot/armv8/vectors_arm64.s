//go:build tamago

// The EL1 exception vector table (VBAR_EL1) and the common entry path.
//
// Every one of the 16 entries saves x0..x2, loads its own index and joins
// trapCommon, which saves the rest of the interrupted context in the
// one-CPU trap frame (trap_arm64.go) and then either
//   - finishes a boot self-check probe (probe_arm64.s) and returns to it,
//   - reports the exception from Go (trapReport) on the interrupted stack,
//     when the interrupted code was EL1 Go code, or
//   - reports it from nosplit code on a static stack (rawTrap) when it
//     came from a lower EL, from the boot code before the runtime, or from
//     the report itself.

#include "go_asm.h"
#include "textflag.h"
#include "sysreg_arm64.h"

// VECTOR is one table entry: at most 32 instructions (0x80 bytes), Arm ARM
// D1 "Exception vectors". x0 is parked in TPIDR_EL1, which the kernel
// does not otherwise use, so that no register is lost.
#define VECTOR(index) \
	MSR	R0, TPIDR_EL1; \
	MOVD	$·frame(SB), R0; \
	STP	(R1, R2), (1*8)(R0); \
	MOVD	$index, R1; \
	B	·trapCommon(SB); \
	PCALIGN	$128

// func vectors()
TEXT ·vectors(SB),NOSPLIT|NOFRAME,$0
	// VBAR_EL1 bits [10:0] are RES0: the table is 2 KiB aligned.
	PCALIGN	$2048
	VECTOR(0)	// current EL with SP0: synchronous
	VECTOR(1)	// IRQ
	VECTOR(2)	// FIQ
	VECTOR(3)	// SError
	VECTOR(4)	// current EL with SPx: synchronous
	VECTOR(5)	// IRQ
	VECTOR(6)	// FIQ
	VECTOR(7)	// SError
	VECTOR(8)	// lower EL, AArch64: synchronous
	VECTOR(9)	// IRQ
	VECTOR(10)	// FIQ
	VECTOR(11)	// SError
	VECTOR(12)	// lower EL, AArch32: synchronous
	VECTOR(13)	// IRQ
	VECTOR(14)	// FIQ
	VECTOR(15)	// SError

// func trapCommon()
//
// On entry R0 = &frame, R1 = vector index, frame.X[1], frame.X[2] saved,
// the interrupted x0 in TPIDR_EL1.
TEXT ·trapCommon(SB),NOSPLIT|NOFRAME,$0
	MOVD	R1, trapFrame_Vector(R0)
	MRS	TPIDR_EL1, R1
	MOVD	R1, (0*8)(R0)
	STP	(R3, R4), (3*8)(R0)
	STP	(R5, R6), (5*8)(R0)
	STP	(R7, R8), (7*8)(R0)
	STP	(R9, R10), (9*8)(R0)
	STP	(R11, R12), (11*8)(R0)
	STP	(R13, R14), (13*8)(R0)
	STP	(R15, R16), (15*8)(R0)
	STP	(R17, R18_PLATFORM), (17*8)(R0)
	STP	(R19, R20), (19*8)(R0)
	STP	(R21, R22), (21*8)(R0)
	STP	(R23, R24), (23*8)(R0)
	STP	(R25, R26), (25*8)(R0)
	STP	(R27, g), (27*8)(R0)
	STP	(R29, R30), (29*8)(R0)

	// The interrupted SP: SP_EL1 itself for the current-EL-SPx entries
	// (4..7), SP_EL0 for the others.
	MOVD	trapFrame_Vector(R0), R1
	MRS	SP_EL0, R2
	CMP	$4, R1
	BLT	spSaved
	CMP	$8, R1
	BGE	spSaved
	MOVD	RSP, R2
spSaved:
	MOVD	R2, trapFrame_SP(R0)
	MRS	ELR_EL1, R2
	MOVD	R2, trapFrame_ELR(R0)
	MRS	SPSR_EL1, R2
	MOVD	R2, trapFrame_SPSR(R0)
	MRS	ESR_EL1, R2
	MOVD	R2, trapFrame_ESR(R0)
	MRS	FAR_EL1, R2
	MOVD	R2, trapFrame_FAR(R0)

	// A semihosting call that no one answers (power_arm64.go): HLT
	// #0xF000 taken at EL1 as an undefined instruction resumes after the
	// HLT with semihostMissing set, registers unchanged.
	CMP	$8, R1
	BGE	noFixup
	AND	$3, R1, R2	// the entry's kind: 0 sync
	CBNZ	R2, noFixup
	MOVD	trapFrame_ESR(R0), R2
	LSR	$26, R2, R2	// ESR_EL1.EC
	AND	$0x3f, R2, R2
	CMP	$EC_UNKNOWN, R2
	BNE	noSemihost
	MOVD	trapFrame_ELR(R0), R2
	MOVWU	(R2), R3
	MOVW	$SEMIHOST_HLT_INSN, R4
	CMPW	R4, R3
	BNE	noSemihost
	ADD	$4, R2, R2
	MSR	R2, ELR_EL1
	MOVD	$1, R3
	MOVD	R3, ·semihostMissing(SB)
	B	resume

noSemihost:
	// Exception fixups (fixup_arm64.go): a data abort from EL1 at a
	// registered PC resumes at its fixup, registers unchanged.
	AND	$3, R1, R2	// the entry's kind: 0 sync
	CBNZ	R2, noFixup
	MOVD	trapFrame_ESR(R0), R2
	LSR	$26, R2, R2	// ESR_EL1.EC
	AND	$0x3f, R2, R2
	CMP	$const_ecDataAbort, R2
	BNE	noFixup
	MOVD	trapFrame_ELR(R0), R2
	MOVD	$·fixups(SB), R3
	MOVD	·fixupCount(SB), R4
fixupLoop:
	CBZ	R4, noFixup
	MOVD	fixup_PC(R3), R5
	CMP	R5, R2
	BEQ	fixupFound
	ADD	$fixup__size, R3, R3
	SUB	$1, R4, R4
	B	fixupLoop
fixupFound:
	MOVD	fixup_Resume(R3), R2
	MSR	R2, ELR_EL1
resume:
	MOVD	(1*8)(R0), R1
	MOVD	(2*8)(R0), R2
	MOVD	(3*8)(R0), R3
	MOVD	(4*8)(R0), R4
	MOVD	(5*8)(R0), R5
	MOVD	(0*8)(R0), R0
	ERET
noFixup:
	MOVD	(4*8)(R0), R4	// the paths below keep R4 and R5 as interrupted
	MOVD	(5*8)(R0), R5

	// Boot self-check probes (probe_arm64.go) first: a BRK with a probe
	// immediate or an IRQ while a probe is armed returns to the probe.
	MOVD	·probeArmed(SB), R2
	CBZ	R2, report
	AND	$3, R1, R2	// the entry's kind: 0 sync, 1 IRQ
	CMP	$1, R2
	BEQ	probeIRQ
	CBNZ	R2, report
	MOVD	trapFrame_ESR(R0), R2
	LSR	$26, R2, R3	// ESR_EL1.EC
	AND	$0x3f, R3, R3
	CMP	$const_ecBRK64, R3
	BNE	report
	AND	$0xffff, R2, R2	// ISS: the BRK immediate
	MOVD	R2, ·probeImm(SB)
	MOVD	trapFrame_ELR(R0), R2
	ADD	$4, R2, R2	// resume after the BRK
	MSR	R2, ELR_EL1
	B	probeDone
probeIRQ:
	// Acknowledge (ICC_IAR1_EL1), silence the virtual timer, end the
	// interrupt (ICC_EOIR1_EL1) and return with IRQs masked (ARM IHI 0069G
	// §12.2 ICC_IAR1_EL1, ICC_EOIR1_EL1).
	MRS	ICC_IAR1_EL1, R2
	MOVD	R2, ·probeINTID(SB)
	MSR	ZR, CNTV_CTL_EL0
	MSR	R2, ICC_EOIR1_EL1
	MRS	SPSR_EL1, R3
	ORR	$SPSR_I, R3, R3
	MSR	R3, SPSR_EL1
probeDone:
	ADD	$1, R1, R1
	MOVD	R1, ·probeHit(SB)
	MOVD	(1*8)(R0), R1
	MOVD	(2*8)(R0), R2
	MOVD	(3*8)(R0), R3
	MOVD	(0*8)(R0), R0
	ERET

report:
	// Raw report: nested exception, runtime not started yet, or lower EL.
	MOVD	·trapping(SB), R2
	CBNZ	R2, raw
	MOVD	·goReady(SB), R2
	CBZ	R2, raw
	CMP	$8, R1
	BGE	raw

	// Go report on the interrupted EL1 stack, below a gap that keeps the
	// interrupted frame (and the frame-pointer slot Go stores below SP)
	// intact, with interrupts still masked. LR = 0 ends any traceback of
	// the report itself; trapReport walks the interrupted frames itself.
	MOVD	$1, R2
	MOVD	R2, ·trapping(SB)
	MOVD	trapFrame_SP(R0), R2
	SUB	$const_trapGap, R2, R2
	AND	$~15, R2, R2
	MOVD	$0, R30
	MOVD	$SPSR_EL1H_MASKED, R3
	CMP	$4, R1
	BGE	spx
	// Interrupted with SP_EL0 selected: report on SP_EL0 (EL1t).
	MSR	R2, SP_EL0
	MOVD	$(SPSR_DAIF|SPSR_M_EL1T), R3
	B	eret
spx:
	MOVD	R2, RSP
eret:
	MSR	R3, SPSR_EL1
	MOVD	$·trapReport(SB), R2
	MSR	R2, ELR_EL1
	ERET

raw:
	MOVD	$1, R2
	MOVD	R2, ·trapping(SB)
	MOVD	$·trapStack+const_trapStackSize(SB), R2
	AND	$~15, R2, R2
	MOVD	R2, RSP
	BL	·rawTrap(SB)
	B	·failHalt(SB)
