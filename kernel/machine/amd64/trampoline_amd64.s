//go:build tamago && amd64

#include "go_asm.h"
#include "textflag.h"

// The trap trampoline. Everything from trampStubs to trampEnd is copied to
// one page mapped at TrampolineVA in the kernel's space and in every task's
// (docs/trap-amd64.md), so this code may only use relative branches between
// its own symbols and absolute constants in the trampoline mapping: no
// reference to kernel data, whose addresses a task's space does not map.
// trampoline.go checks at boot that the symbols lie in this order.

// Entry stubs. IDT entry v points at trampStubs+v*stubSize. Each stub makes
// the stack look the same for every vector: an error code (the CPU's, or a
// 0 pushed here), then the return address of the CALL, from which
// trampCommon works out v. Both kinds are stubSize (7) bytes:
//
//	STUB_ZERO_CODE  PUSHQ $0 (6A ib, 2 bytes), CALL rel32 (E8 cd, 5 bytes)
//	STUB_CPU_CODE   2-byte NOP (66 90),        CALL rel32
//
// (Intel SDM Vol. 2B PUSH; Vol. 2A CALL; which exceptions push an error
// code: Vol. 3A Table 6-1, cpu/amd64 ErrorCodeVectors). The PUSHQ $0 is
// written as bytes so that the assembler's stack-depth bookkeeping, which
// cannot know that trampCommon never returns here, does not count 246
// pushes against the nosplit limit.
#define STUB_ZERO_CODE	BYTE $0x6a; BYTE $0x00; CALL ·trampCommon(SB)
#define STUB_CPU_CODE	BYTE $0x66; BYTE $0x90; CALL ·trampCommon(SB)
#define STUBS_16	STUB_ZERO_CODE; STUB_ZERO_CODE; STUB_ZERO_CODE; STUB_ZERO_CODE; \
			STUB_ZERO_CODE; STUB_ZERO_CODE; STUB_ZERO_CODE; STUB_ZERO_CODE; \
			STUB_ZERO_CODE; STUB_ZERO_CODE; STUB_ZERO_CODE; STUB_ZERO_CODE; \
			STUB_ZERO_CODE; STUB_ZERO_CODE; STUB_ZERO_CODE; STUB_ZERO_CODE

// func trampStubs()
TEXT ·trampStubs(SB),NOSPLIT|NOFRAME,$0-0
	// Exceptions, 0-31.
	STUB_ZERO_CODE	// 0
	STUB_ZERO_CODE	// 1
	STUB_ZERO_CODE	// 2
	STUB_ZERO_CODE	// 3
	STUB_ZERO_CODE	// 4
	STUB_ZERO_CODE	// 5
	STUB_ZERO_CODE	// 6
	STUB_ZERO_CODE	// 7
	STUB_CPU_CODE	// 8: error code pushed by the CPU
	STUB_ZERO_CODE	// 9
	STUB_CPU_CODE	// 10: error code pushed by the CPU
	STUB_CPU_CODE	// 11: error code pushed by the CPU
	STUB_CPU_CODE	// 12: error code pushed by the CPU
	STUB_CPU_CODE	// 13: error code pushed by the CPU
	STUB_CPU_CODE	// 14: error code pushed by the CPU
	STUB_ZERO_CODE	// 15
	STUB_ZERO_CODE	// 16
	STUB_CPU_CODE	// 17: error code pushed by the CPU
	STUB_ZERO_CODE	// 18
	STUB_ZERO_CODE	// 19
	STUB_ZERO_CODE	// 20
	STUB_CPU_CODE	// 21: error code pushed by the CPU
	STUB_ZERO_CODE	// 22
	STUB_ZERO_CODE	// 23
	STUB_ZERO_CODE	// 24
	STUB_ZERO_CODE	// 25
	STUB_ZERO_CODE	// 26
	STUB_ZERO_CODE	// 27
	STUB_ZERO_CODE	// 28
	STUB_CPU_CODE	// 29: error code pushed by the CPU
	STUB_CPU_CODE	// 30: error code pushed by the CPU
	STUB_ZERO_CODE	// 31
	// Interrupts, 32-255: 14 rows of 16, none with an error code.
	STUBS_16	// 32
	STUBS_16	// 48
	STUBS_16	// 64
	STUBS_16	// 80
	STUBS_16	// 96
	STUBS_16	// 112
	STUBS_16	// 128
	STUBS_16	// 144
	STUBS_16	// 160
	STUBS_16	// 176
	STUBS_16	// 192
	STUBS_16	// 208
	STUBS_16	// 224
	STUBS_16	// 240

// func trampCommon()
//
// Stack, from SP up: the stub's return address, the error code, the CPU's
// frame RIP, CS, RFLAGS, RSP, SS. From CPL3 the CPU switched to TSS.RSP0,
// so this is the top of trapFrame in the per-CPU page and SP-15 words is its
// start. From CPL0 (a fault in the kernel) it is the kernel stack, and the
// trap goes on to the gate this IDT replaced (the chain table).
TEXT ·trampCommon(SB),NOSPLIT|NOFRAME,$0-0
	SUBQ	$(trapFrame_Vector), SP
	MOVQ	AX, trapFrame_RAX(SP)
	MOVQ	BX, trapFrame_RBX(SP)
	MOVQ	CX, trapFrame_RCX(SP)
	MOVQ	DX, trapFrame_RDX(SP)
	MOVQ	SI, trapFrame_RSI(SP)
	MOVQ	DI, trapFrame_RDI(SP)
	MOVQ	BP, trapFrame_RBP(SP)
	MOVQ	R8, trapFrame_R8(SP)
	MOVQ	R9, trapFrame_R9(SP)
	MOVQ	R10, trapFrame_R10(SP)
	MOVQ	R11, trapFrame_R11(SP)
	MOVQ	R12, trapFrame_R12(SP)
	MOVQ	R13, trapFrame_R13(SP)
	MOVQ	R14, trapFrame_R14(SP)
	MOVQ	R15, trapFrame_R15(SP)

	// vector = (return address - trampStubs) / stubSize - 1; the stubs
	// start the trampoline's page.
	MOVQ	trapFrame_Vector(SP), AX
	ANDQ	$0xfff, AX
	XORQ	DX, DX
	MOVQ	$const_stubSize, CX
	DIVQ	CX
	DECQ	AX
	MOVQ	AX, trapFrame_Vector(SP)
	MOVQ	trapFrame_CS(SP), CX
	ANDQ	$3, CX
	JZ	kernel
	JMP	·trampUserTrap(SB)
kernel:

	// CPL0: re-create the stack the CPU built and continue at the
	// previous handler (a RET to it), leaving the error code only if
	// the CPU pushed one.
	MOVQ	$const_chainVA, BX
	MOVQ	(BX)(AX*8), BX
	CMPQ	AX, $const_exceptions
	JAE	noerror
	MOVQ	$const_errorCodeVectors, CX
	BTQ	AX, CX
	JCC	noerror
	MOVQ	BX, trapFrame_Vector(SP)
	MOVQ	trapFrame_RAX(SP), AX
	MOVQ	trapFrame_RBX(SP), BX
	MOVQ	trapFrame_RCX(SP), CX
	MOVQ	trapFrame_RDX(SP), DX
	MOVQ	trapFrame_RSI(SP), SI
	MOVQ	trapFrame_RDI(SP), DI
	MOVQ	trapFrame_RBP(SP), BP
	MOVQ	trapFrame_R8(SP), R8
	MOVQ	trapFrame_R9(SP), R9
	MOVQ	trapFrame_R10(SP), R10
	MOVQ	trapFrame_R11(SP), R11
	MOVQ	trapFrame_R12(SP), R12
	MOVQ	trapFrame_R13(SP), R13
	MOVQ	trapFrame_R14(SP), R14
	MOVQ	trapFrame_R15(SP), R15
	LEAQ	trapFrame_Vector(SP), SP
	RET
noerror:
	MOVQ	BX, trapFrame_ErrorCode(SP)
	MOVQ	trapFrame_RAX(SP), AX
	MOVQ	trapFrame_RBX(SP), BX
	MOVQ	trapFrame_RCX(SP), CX
	MOVQ	trapFrame_RDX(SP), DX
	MOVQ	trapFrame_RSI(SP), SI
	MOVQ	trapFrame_RDI(SP), DI
	MOVQ	trapFrame_RBP(SP), BP
	MOVQ	trapFrame_R8(SP), R8
	MOVQ	trapFrame_R9(SP), R9
	MOVQ	trapFrame_R10(SP), R10
	MOVQ	trapFrame_R11(SP), R11
	MOVQ	trapFrame_R12(SP), R12
	MOVQ	trapFrame_R13(SP), R13
	MOVQ	trapFrame_R14(SP), R14
	MOVQ	trapFrame_R15(SP), R15
	LEAQ	trapFrame_ErrorCode(SP), SP
	RET

// func trampSyscall()
//
// IA32_LSTAR points here. SYSCALL (Intel SDM Vol. 3A §5.8.8; Vol. 2B SYSCALL)
// left the user's RIP in RCX and RFLAGS in R11, masked RFLAGS with
// IA32_FMASK (IF is 0), loaded CS and SS from IA32_STAR, and did not change
// RSP. SWAPGS (Vol. 2B) makes GS address the per-CPU page just long enough to
// park the user's RSP in the frame; then the frame is completed as if the
// CPU had pushed it.
TEXT ·trampSyscall(SB),NOSPLIT|NOFRAME,$0-0
	SWAPGS
	MOVQ	SP, (const_pcpuFrame+trapFrame_RSP)(GS)
	SWAPGS
	MOVQ	$const_trapFrameVA, SP
	MOVQ	AX, trapFrame_RAX(SP)
	MOVQ	BX, trapFrame_RBX(SP)
	MOVQ	CX, trapFrame_RCX(SP)
	MOVQ	DX, trapFrame_RDX(SP)
	MOVQ	SI, trapFrame_RSI(SP)
	MOVQ	DI, trapFrame_RDI(SP)
	MOVQ	BP, trapFrame_RBP(SP)
	MOVQ	R8, trapFrame_R8(SP)
	MOVQ	R9, trapFrame_R9(SP)
	MOVQ	R10, trapFrame_R10(SP)
	MOVQ	R11, trapFrame_R11(SP)
	MOVQ	R12, trapFrame_R12(SP)
	MOVQ	R13, trapFrame_R13(SP)
	MOVQ	R14, trapFrame_R14(SP)
	MOVQ	R15, trapFrame_R15(SP)
	MOVQ	CX, trapFrame_RIP(SP)
	MOVQ	R11, trapFrame_RFLAGS(SP)
	MOVQ	$const_selUserCode, trapFrame_CS(SP)
	MOVQ	$const_selUserData, trapFrame_SS(SP)
	MOVQ	$0, trapFrame_ErrorCode(SP)
	MOVQ	$const_vectorSyscall, trapFrame_Vector(SP)
	JMP	·trampUserTrap(SB)

// func trampUserTrap()
//
// The user registers are in the frame. Record CR2, load the kernel's CR3 and
// continue in kernel text at trapReturn, which returns from enterUser.
TEXT ·trampUserTrap(SB),NOSPLIT|NOFRAME,$0-0
	MOVQ	$const_trampVarsVA, BX
	MOVQ	CR2, AX
	MOVQ	AX, trampVars_CR2(BX)
	MOVQ	trampVars_KernelCR3(BX), AX
	MOVQ	AX, CR3
	CLD
	MOVQ	trampVars_KernelResume(BX), AX
	JMP	AX

// func trampExit()
//
// enterUser jumps here, on the kernel's CR3 and stack, with the frame filled
// in by Run. Load the task's CR3 and the user registers, then IRETQ through
// the frame, or SYSRETQ after a system call (RIP from RCX, RFLAGS from R11;
// Run only asks for it with a canonical RIP, as SYSRET from a non-canonical
// RCX faults at CPL0 on Intel CPUs: Vol. 2B SYSRET).
TEXT ·trampExit(SB),NOSPLIT|NOFRAME,$0-0
	MOVQ	$const_trampVarsVA, BX
	MOVQ	$const_trapFrameVA, SP
	MOVQ	trampVars_UserCR3(BX), AX
	MOVQ	AX, CR3
	MOVQ	trampVars_Sysret(BX), AX
	TESTQ	AX, AX
	JNZ	sysret
	MOVQ	trapFrame_RAX(SP), AX
	MOVQ	trapFrame_RBX(SP), BX
	MOVQ	trapFrame_RCX(SP), CX
	MOVQ	trapFrame_RDX(SP), DX
	MOVQ	trapFrame_RSI(SP), SI
	MOVQ	trapFrame_RDI(SP), DI
	MOVQ	trapFrame_RBP(SP), BP
	MOVQ	trapFrame_R8(SP), R8
	MOVQ	trapFrame_R9(SP), R9
	MOVQ	trapFrame_R10(SP), R10
	MOVQ	trapFrame_R11(SP), R11
	MOVQ	trapFrame_R12(SP), R12
	MOVQ	trapFrame_R13(SP), R13
	MOVQ	trapFrame_R14(SP), R14
	MOVQ	trapFrame_R15(SP), R15
	LEAQ	trapFrame_RIP(SP), SP
	IRETQ
sysret:
	MOVQ	trapFrame_RAX(SP), AX
	MOVQ	trapFrame_RBX(SP), BX
	MOVQ	trapFrame_RDX(SP), DX
	MOVQ	trapFrame_RSI(SP), SI
	MOVQ	trapFrame_RDI(SP), DI
	MOVQ	trapFrame_RBP(SP), BP
	MOVQ	trapFrame_R8(SP), R8
	MOVQ	trapFrame_R9(SP), R9
	MOVQ	trapFrame_R10(SP), R10
	MOVQ	trapFrame_R12(SP), R12
	MOVQ	trapFrame_R13(SP), R13
	MOVQ	trapFrame_R14(SP), R14
	MOVQ	trapFrame_R15(SP), R15
	MOVQ	trapFrame_RIP(SP), CX
	MOVQ	trapFrame_RFLAGS(SP), R11
	MOVQ	trapFrame_RSP(SP), SP
	// SYSRETQ: SYSRET with REX.W, back to 64-bit mode (Vol. 2B SYSRET).
	BYTE	$0x48; BYTE	$0x0f; BYTE	$0x07

// func trampEnd()
//
// Marks the end of the trampoline; never entered.
TEXT ·trampEnd(SB),NOSPLIT|NOFRAME,$0-0
	INT	$3
