//go:build tamago && arm64

// The trap trampoline: the EL0 entry and exit code and the 16-entry vector
// table VBAR_EL1 points at while a thread runs at EL0. trampoline is one
// TEXT symbol so that its pieces keep their order and offsets; its pages are
// mapped at TrampolineVA in the TTBR1 half (trampoline.go), where
// they are reachable whichever space TTBR0_EL1 holds. Code run at that
// alias uses only PC-relative branches and the constant TRAP_AREA_VA: it
// never names a lower-half symbol. docs/trap-arm64.md walks through it.
//
//	trampoline+0x000  16 vectors, 0x80 bytes each (Arm ARM D1, "Exception
//	                  vectors"); each parks X0 in TPIDR_EL1, X1 and X2 in
//	                  the trap area, and joins trapEntry with its index
//	trampoline+0x800  exit: load the task's TTBR0_EL1 and X0, ERET to EL0
//	then              trapEntry: save the thread, kernel TTBR0_EL1, return
//	                  from enterUser into Go
//	end               TRAMPOLINE_END sentinel

#include "go_asm.h"
#include "textflag.h"
#include "trap_arm64.h"

#define VECTOR(index) \
	MSR	R0, TPIDR_EL1; \
	MOVD	TRAP_AREA_VA, R0; \
	STP	(R1, R2), trapArea_Scratch1(R0); \
	MOVD	$index, R1; \
	B	trapEntry; \
	PCALIGN	$128

// func trampoline()
TEXT ·trampoline(SB),NOSPLIT|NOFRAME,$0
	PCALIGN	$2048	// VBAR_EL1 bits [10:0] are RES0
	// Current EL: taken only if the trampoline itself faults (DAIF is
	// masked there); trapEntry returns them to Run, which panics.
	VECTOR(0)
	VECTOR(1)
	VECTOR(2)
	VECTOR(3)
	VECTOR(4)
	VECTOR(5)
	VECTOR(6)
	VECTOR(7)
	// Lower EL, AArch64: synchronous, IRQ, FIQ, SError.
	VECTOR(8)
	VECTOR(9)
	VECTOR(10)
	VECTOR(11)
	// Lower EL, AArch32: EL0 never runs AArch32 (SPSR_EL1.M[4] = 0).
	VECTOR(12)
	VECTOR(13)
	VECTOR(14)
	VECTOR(15)

exit:
	// trampoline+0x800, entered from enterUser at the TTBR1 alias with
	// X1..X30 holding the thread's values. CLREX is also the marker
	// trampoline.go checks to find this entry.
	CLREX	$15
	MOVD	TRAP_AREA_VA, R0
	MOVD	trapArea_UserTTBR0(R0), R0
	MSR	R0, TTBR0_EL1	// the task's tables and ASID (no TLBI: ASID-tagged)
	ISB	$15
	MOVD	TRAP_AREA_VA, R0
	MOVD	trapArea_UserX0(R0), R0
	ERET	// to EL0: PSTATE = SPSR_EL1, PC = ELR_EL1

trapEntry:
	// R0 = trap area (TTBR1), R1 = vector index, thread's X0 in
	// TPIDR_EL1, X1 and X2 in the area; SP is SP_EL1, untouched.
	MOVD	R1, trapArea_Kind(R0)
	MOVD	trapArea_KernelTTBR0(R0), R1
	MSR	R1, TTBR0_EL1	// the kernel's identity map, its pinned ASID
	ISB	$15
	MOVD	trapArea_Ctx(R0), R1	// the thread's Context, mapped again
	STP	(R3, R4), (Context_X+3*8)(R1)
	STP	(R5, R6), (Context_X+5*8)(R1)
	STP	(R7, R8), (Context_X+7*8)(R1)
	STP	(R9, R10), (Context_X+9*8)(R1)
	STP	(R11, R12), (Context_X+11*8)(R1)
	STP	(R13, R14), (Context_X+13*8)(R1)
	STP	(R15, R16), (Context_X+15*8)(R1)
	STP	(R17, R18_PLATFORM), (Context_X+17*8)(R1)
	STP	(R19, R20), (Context_X+19*8)(R1)
	STP	(R21, R22), (Context_X+21*8)(R1)
	STP	(R23, R24), (Context_X+23*8)(R1)
	STP	(R25, R26), (Context_X+25*8)(R1)
	STP	(R27, g), (Context_X+27*8)(R1)
	STP	(R29, R30), (Context_X+29*8)(R1)
	MRS	TPIDR_EL1, R2
	MOVD	R2, (Context_X+0*8)(R1)
	LDP	trapArea_Scratch1(R0), (R2, R3)
	STP	(R2, R3), (Context_X+1*8)(R1)
	MRS	SP_EL0, R2
	MOVD	R2, Context_SPEL0(R1)
	MRS	ELR_EL1, R2
	MOVD	R2, Context_ELR(R1)
	MRS	SPSR_EL1, R2
	MOVD	R2, Context_SPSR(R1)
	MRS	TPIDR_EL0, R2
	MOVD	R2, Context_TPIDR(R1)
	MRS	FPCR, R2
	MOVD	R2, Context_FPCR(R1)
	MRS	FPSR, R2
	MOVD	R2, Context_FPSR(R1)
	FSTPQ	(F0, F1), (Context_V+0*32)(R1)
	FSTPQ	(F2, F3), (Context_V+1*32)(R1)
	FSTPQ	(F4, F5), (Context_V+2*32)(R1)
	FSTPQ	(F6, F7), (Context_V+3*32)(R1)
	FSTPQ	(F8, F9), (Context_V+4*32)(R1)
	FSTPQ	(F10, F11), (Context_V+5*32)(R1)
	FSTPQ	(F12, F13), (Context_V+6*32)(R1)
	FSTPQ	(F14, F15), (Context_V+7*32)(R1)
	FSTPQ	(F16, F17), (Context_V+8*32)(R1)
	FSTPQ	(F18, F19), (Context_V+9*32)(R1)
	FSTPQ	(F20, F21), (Context_V+10*32)(R1)
	FSTPQ	(F22, F23), (Context_V+11*32)(R1)
	FSTPQ	(F24, F25), (Context_V+12*32)(R1)
	FSTPQ	(F26, F27), (Context_V+13*32)(R1)
	FSTPQ	(F28, F29), (Context_V+14*32)(R1)
	FSTPQ	(F30, F31), (Context_V+15*32)(R1)
	MRS	ESR_EL1, R2
	MOVD	R2, trapArea_ESR(R0)
	MRS	FAR_EL1, R2
	MOVD	R2, trapArea_FAR(R0)

	// Back to the kernel: its vectors, FPCR and the registers enterUser
	// saved; RET returns from enterUser with DAIF still masked (set by
	// the exception entry).
	MOVD	trapArea_KernelVBAR(R0), R2
	MSR	R2, VBAR_EL1
	MOVD	trapArea_KernelFPCR(R0), R2
	MSR	R2, FPCR
	ISB	$15
	MOVD	trapArea_KernelSP(R0), R2
	MOVD	R2, RSP
	MOVD	trapArea_KernelFP(R0), R29
	MOVD	trapArea_KernelLR(R0), R30
	MOVD	trapArea_KernelG(R0), g
	RET

	TRAMPOLINE_END

// func enterUser(area uintptr, ctx *Context)
//
// enterUser runs at the kernel's (lower-half) address with the kernel's
// TTBR0_EL1. It saves what Go needs back, loads the thread's EL0 state from
// ctx, points VBAR_EL1 at the trampoline's vectors and jumps to the exit
// at the TTBR1 alias. It "returns" when trapEntry runs on the next
// exception. Every register but RSP, R29 and g is the caller's to lose (Go
// ABI0).
TEXT ·enterUser(SB),NOSPLIT|NOFRAME,$0-16
	MOVD	area+0(FP), R0
	MOVD	ctx+8(FP), R1
	MOVD	R1, trapArea_Ctx(R0)
	MOVD	RSP, R2
	MOVD	R2, trapArea_KernelSP(R0)
	MOVD	R29, trapArea_KernelFP(R0)
	MOVD	R30, trapArea_KernelLR(R0)
	MOVD	g, trapArea_KernelG(R0)
	MRS	FPCR, R2
	MOVD	R2, trapArea_KernelFPCR(R0)

	MOVD	Context_SPEL0(R1), R2
	MSR	R2, SP_EL0
	MOVD	Context_ELR(R1), R2
	MSR	R2, ELR_EL1
	MOVD	Context_SPSR(R1), R2
	MSR	R2, SPSR_EL1
	MOVD	Context_TPIDR(R1), R2
	MSR	R2, TPIDR_EL0
	MOVD	Context_FPCR(R1), R2
	MSR	R2, FPCR
	MOVD	Context_FPSR(R1), R2
	MSR	R2, FPSR
	FLDPQ	(Context_V+0*32)(R1), (F0, F1)
	FLDPQ	(Context_V+1*32)(R1), (F2, F3)
	FLDPQ	(Context_V+2*32)(R1), (F4, F5)
	FLDPQ	(Context_V+3*32)(R1), (F6, F7)
	FLDPQ	(Context_V+4*32)(R1), (F8, F9)
	FLDPQ	(Context_V+5*32)(R1), (F10, F11)
	FLDPQ	(Context_V+6*32)(R1), (F12, F13)
	FLDPQ	(Context_V+7*32)(R1), (F14, F15)
	FLDPQ	(Context_V+8*32)(R1), (F16, F17)
	FLDPQ	(Context_V+9*32)(R1), (F18, F19)
	FLDPQ	(Context_V+10*32)(R1), (F20, F21)
	FLDPQ	(Context_V+11*32)(R1), (F22, F23)
	FLDPQ	(Context_V+12*32)(R1), (F24, F25)
	FLDPQ	(Context_V+13*32)(R1), (F26, F27)
	FLDPQ	(Context_V+14*32)(R1), (F28, F29)
	FLDPQ	(Context_V+15*32)(R1), (F30, F31)
	MOVD	trapArea_TrampVBAR(R0), R2
	MSR	R2, VBAR_EL1	// takes effect by the ERET, a context synchronization event

	MOVD	(Context_X+0*8)(R1), R2
	MOVD	R2, trapArea_UserX0(R0)
	MOVD	trapArea_ExitVA(R0), R0
	LDP	(Context_X+2*8)(R1), (R2, R3)
	LDP	(Context_X+4*8)(R1), (R4, R5)
	LDP	(Context_X+6*8)(R1), (R6, R7)
	LDP	(Context_X+8*8)(R1), (R8, R9)
	LDP	(Context_X+10*8)(R1), (R10, R11)
	LDP	(Context_X+12*8)(R1), (R12, R13)
	LDP	(Context_X+14*8)(R1), (R14, R15)
	LDP	(Context_X+16*8)(R1), (R16, R17)
	LDP	(Context_X+18*8)(R1), (R18_PLATFORM, R19)
	LDP	(Context_X+20*8)(R1), (R20, R21)
	LDP	(Context_X+22*8)(R1), (R22, R23)
	LDP	(Context_X+24*8)(R1), (R24, R25)
	LDP	(Context_X+26*8)(R1), (R26, R27)
	LDP	(Context_X+28*8)(R1), (g, R29)
	MOVD	(Context_X+30*8)(R1), R30
	MOVD	(Context_X+1*8)(R1), R1
	JMP	(R0)

// func trampolineAddr() uint64
TEXT ·trampolineAddr(SB),NOSPLIT,$0-8
	MOVD	$·trampoline(SB), R0
	MOVD	R0, ret+0(FP)
	RET
