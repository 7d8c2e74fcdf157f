//go:build tamago && amd64

#include "go_asm.h"
#include "textflag.h"

// func trampSymbols() (stubs, common, syscall, userTrap, exit, end uint64)
TEXT ·trampSymbols(SB),NOSPLIT,$0-48
	MOVQ	$·trampStubs(SB), AX
	MOVQ	AX, stubs+0(FP)
	MOVQ	$·trampCommon(SB), AX
	MOVQ	AX, common+8(FP)
	MOVQ	$·trampSyscall(SB), AX
	MOVQ	AX, syscall+16(FP)
	MOVQ	$·trampUserTrap(SB), AX
	MOVQ	AX, userTrap+24(FP)
	MOVQ	$·trampExit(SB), AX
	MOVQ	AX, exit+32(FP)
	MOVQ	$·trampEnd(SB), AX
	MOVQ	AX, end+40(FP)
	RET

// func trapReturnAddr() uint64
TEXT ·trapReturnAddr(SB),NOSPLIT,$0-8
	MOVQ	$·trapReturn(SB), AX
	MOVQ	AX, ret+0(FP)
	RET

// func loadGDT(base uint64, limit uint16)
TEXT ·loadGDT(SB),NOSPLIT,$16-10
	// The pseudo-descriptor: a 2-byte limit, then the 8-byte base
	// (Intel SDM Vol. 2A LGDT).
	MOVW	limit+8(FP), AX
	MOVW	AX, 0(SP)
	MOVQ	base+0(FP), AX
	MOVQ	AX, 2(SP)
	LGDT	0(SP)
	RET

// func loadIDT(base uint64, limit uint16)
TEXT ·loadIDT(SB),NOSPLIT,$16-10
	MOVW	limit+8(FP), AX
	MOVW	AX, 0(SP)
	MOVQ	base+0(FP), AX
	MOVQ	AX, 2(SP)
	LIDT	0(SP)
	RET

// func loadTR(sel uint16)
TEXT ·loadTR(SB),NOSPLIT,$0-2
	MOVW	sel+0(FP), AX
	LTR	AX
	RET

// func enterUser(userFX, kernelFX uintptr, fsBase uint64)
//
// Saves what the kernel's Go code needs back (stack and frame pointer,
// RFLAGS, FS base, FPU/SSE state), installs the thread's FS base and FPU/SSE
// state, and jumps to trampExit in the trampoline. It "returns" when a trap
// from user mode reaches trapReturn. Interrupts are masked throughout.
TEXT ·enterUser(SB),NOSPLIT,$0-24
	MOVQ	kernelFX+8(FP), BX
	MOVQ	BX, ·savedKernelFX(SB)
	FXSAVE64	(BX)
	MOVQ	userFX+0(FP), AX
	MOVQ	AX, ·savedUserFX(SB)
	FXRSTOR64	(AX)
	PUSHFQ
	POPQ	AX
	MOVQ	AX, ·savedFlags(SB)
	// FS base: the Go runtime's TLS base out, the thread's in
	// (IA32_FS_BASE, Intel SDM Vol. 4 Table 2-2; Vol. 3A §3.4.4).
	MOVL	$const_msrFSBase, CX
	RDMSR
	SHLQ	$32, DX
	ORQ	DX, AX
	MOVQ	AX, ·savedFS(SB)
	MOVQ	fsBase+16(FP), AX
	MOVQ	AX, DX
	SHRQ	$32, DX
	MOVL	$const_msrFSBase, CX
	WRMSR
	MOVQ	SP, ·savedSP(SB)
	MOVQ	BP, ·savedBP(SB)
	MOVQ	·trampExitVA(SB), AX
	JMP	AX

// func trapReturn()
//
// trampUserTrap jumps here on the kernel's CR3. Undo enterUser and return
// from it to Run.
TEXT ·trapReturn(SB),NOSPLIT|NOFRAME,$0-0
	MOVQ	·savedSP(SB), SP
	MOVQ	·savedBP(SB), BP
	MOVQ	·savedFS(SB), AX
	MOVQ	AX, DX
	SHRQ	$32, DX
	MOVL	$const_msrFSBase, CX
	WRMSR
	MOVQ	·savedUserFX(SB), AX
	FXSAVE64	(AX)
	MOVQ	·savedKernelFX(SB), AX
	FXRSTOR64	(AX)
	MOVQ	·savedFlags(SB), AX
	PUSHQ	AX
	POPFQ
	RET
