//go:build tamago && amd64

#include "go_asm.h"
#include "textflag.h"

// Exception entry. IDT gate v points at excTable+v*excEntrySize, a CALL to
// excCommon: the return address it pushes tells excCommon the vector, as
// TamaGo's amd64/exception.s does. TamaGo's own excCommon equivalent cannot
// be used because it overwrites R12 and AX before saving them, and the
// report must show every register as the faulting code left it.

// func excTableAddr() uint64
TEXT ·excTableAddr(SB),NOSPLIT,$0-8
	MOVQ	$·excTable(SB), AX
	MOVQ	AX, ret+0(FP)
	RET

// func excTable()
TEXT ·excTable(SB),NOSPLIT|NOFRAME,$0-0
	CALL	·excCommon(SB) // 0 #DE
	CALL	·excCommon(SB) // 1 #DB
	CALL	·excCommon(SB) // 2 NMI (gate left to TamaGo)
	CALL	·excCommon(SB) // 3 #BP
	CALL	·excCommon(SB) // 4 #OF
	CALL	·excCommon(SB) // 5 #BR
	CALL	·excCommon(SB) // 6 #UD
	CALL	·excCommon(SB) // 7 #NM
	CALL	·excCommon(SB) // 8 #DF
	CALL	·excCommon(SB) // 9
	CALL	·excCommon(SB) // 10 #TS
	CALL	·excCommon(SB) // 11 #NP
	CALL	·excCommon(SB) // 12 #SS
	CALL	·excCommon(SB) // 13 #GP
	CALL	·excCommon(SB) // 14 #PF
	CALL	·excCommon(SB) // 15
	CALL	·excCommon(SB) // 16 #MF
	CALL	·excCommon(SB) // 17 #AC
	CALL	·excCommon(SB) // 18 #MC
	CALL	·excCommon(SB) // 19 #XM
	CALL	·excCommon(SB) // 20 #VE
	CALL	·excCommon(SB) // 21 #CP
	CALL	·excCommon(SB) // 22
	CALL	·excCommon(SB) // 23
	CALL	·excCommon(SB) // 24
	CALL	·excCommon(SB) // 25
	CALL	·excCommon(SB) // 26
	CALL	·excCommon(SB) // 27
	CALL	·excCommon(SB) // 28 #HV
	CALL	·excCommon(SB) // 29 #VC
	CALL	·excCommon(SB) // 30 #SX
	CALL	·excCommon(SB) // 31

// func excCommon()
//
// On entry the stack holds, from the top: the return address into
// excTable, the error code (only for vectors in errorCodeVectors), then the
// CPU's frame RIP, CS, RFLAGS, RSP, SS (Intel SDM Vol. 3A §6.14.2, Figure
// 6-9). The registers go to ·excFrame first, before any is used.
TEXT ·excCommon(SB),NOSPLIT|NOFRAME,$0-0
	MOVQ	AX, ·excFrame+ExceptionFrame_RAX(SB)
	MOVQ	BX, ·excFrame+ExceptionFrame_RBX(SB)
	MOVQ	CX, ·excFrame+ExceptionFrame_RCX(SB)
	MOVQ	DX, ·excFrame+ExceptionFrame_RDX(SB)
	MOVQ	SI, ·excFrame+ExceptionFrame_RSI(SB)
	MOVQ	DI, ·excFrame+ExceptionFrame_RDI(SB)
	MOVQ	BP, ·excFrame+ExceptionFrame_RBP(SB)
	MOVQ	R8, ·excFrame+ExceptionFrame_R8(SB)
	MOVQ	R9, ·excFrame+ExceptionFrame_R9(SB)
	MOVQ	R10, ·excFrame+ExceptionFrame_R10(SB)
	MOVQ	R11, ·excFrame+ExceptionFrame_R11(SB)
	MOVQ	R12, ·excFrame+ExceptionFrame_R12(SB)
	MOVQ	R13, ·excFrame+ExceptionFrame_R13(SB)
	MOVQ	R14, ·excFrame+ExceptionFrame_R14(SB)
	MOVQ	R15, ·excFrame+ExceptionFrame_R15(SB)
	MOVQ	CR2, AX
	MOVQ	AX, ·excFrame+ExceptionFrame_CR2(SB)

	// vector = (return address - excTable) / excEntrySize - 1
	POPQ	AX
	MOVQ	$·excTable(SB), BX
	SUBQ	BX, AX
	XORQ	DX, DX
	MOVQ	$const_excEntrySize, CX
	DIVQ	CX
	DECQ	AX
	MOVQ	AX, ·excFrame+ExceptionFrame_Vector(SB)

	// error code, if this vector has one
	XORQ	BX, BX
	MOVQ	$const_errorCodeVectors, CX
	BTQ	AX, CX
	JCC	noerror
	POPQ	BX
noerror:
	MOVQ	BX, ·excFrame+ExceptionFrame_ErrorCode(SB)

	MOVQ	0(SP), AX
	MOVQ	AX, ·excFrame+ExceptionFrame_RIP(SB)
	MOVQ	8(SP), AX
	MOVQ	AX, ·excFrame+ExceptionFrame_CS(SB)
	MOVQ	16(SP), AX
	MOVQ	AX, ·excFrame+ExceptionFrame_RFLAGS(SB)
	MOVQ	24(SP), AX
	MOVQ	AX, ·excFrame+ExceptionFrame_RSP(SB)
	MOVQ	32(SP), AX
	MOVQ	AX, ·excFrame+ExceptionFrame_SS(SB)

	// report on the system stack (g0), as TamaGo's handleException does
	MOVQ	·excReportFn(SB), AX
	PUSHQ	AX
	CALL	runtime·systemstack(SB)
	POPQ	AX

	// Return from the exception into excResume, on the interrupted stack.
	MOVQ	$·excResume(SB), AX
	MOVQ	AX, 0(SP)
	IRETQ

// func excResume()
//
// Runs on the interrupted code's stack with its RSP. If the fault was in
// kernel text, push the faulting RIP as if that instruction had called
// excBacktrace, so the Go traceback continues into the faulting function.
TEXT ·excResume(SB),NOSPLIT|NOFRAME,$0-0
	MOVQ	·excReturnPC(SB), AX
	CMPQ	AX, $0
	JEQ	backtrace
	PUSHQ	AX
backtrace:
	JMP	·excBacktrace(SB)
