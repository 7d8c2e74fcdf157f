package amd64

import cpu "github.com/tamach/tamach/cpu/amd64"

// trapFrame is the register image in the per-CPU page, from its lowest
// address: what the trampoline stores (general registers, vector) and what
// the CPU pushes on an interrupt or exception from CPL3 (error code, RIP, CS,
// RFLAGS, RSP, SS: Intel SDM Vol. 3A §6.14.2, Figure 6-9). The SYSCALL entry
// builds the same frame by hand. trampoline_amd64.s addresses it through the
// field offsets of go_asm.h: keep every field a uint64 and the size
// trapFrameSize.
type trapFrame struct {
	R15, R14, R13, R12, R11, R10, R9, R8 uint64
	RBP, RDI, RSI, RDX, RCX, RBX, RAX    uint64

	Vector    uint64 // the entry stub's return address until the vector is worked out
	ErrorCode uint64 // pushed by the CPU, or 0 by the stub

	RIP, CS, RFLAGS, RSP, SS uint64
}

// trampVars are the words the trampoline reads and writes besides the frame.
// Start fills KernelCR3 and KernelResume once; Run fills UserCR3 and Sysret
// before each entry to user mode; the trampoline fills CR2 on each trap
// from user mode.
type trampVars struct {
	KernelCR3    uint64 // CR3 of the kernel's space, loaded on a trap from CPL3
	UserCR3      uint64 // CR3 of the task's space, loaded on the way out
	Sysret       uint64 // non-zero: leave with SYSRETQ, else IRETQ
	CR2          uint64 // CR2 at the trap (the page-fault address)
	KernelResume uint64 // trapReturn's address in kernel text
}

// tamach's own vector numbers; the architectural ones are cpu/amd64's.
// exceptions and errorCodeVectors repeat cpu/amd64's under names of this
// package, which go_asm.h gives trampoline_amd64.s.
const (
	vectorTimer      = 240 // the LAPIC timer's vector
	vectorSpur       = 255 // the LAPIC's spurious-interrupt vector (Intel SDM Vol. 3A §11.9)
	vectorSyscall    = 256 // not a vector: the SYSCALL entry marks its frame with it
	exceptions       = cpu.Exceptions
	errorCodeVectors = cpu.ErrorCodeVectors
)

// stubSize is the size of one IDT entry stub: a 2-byte PUSHQ $0 or 2-byte
// NOP, then a 5-byte CALL rel32 (Intel SDM Vol. 2B PUSH 6A ib; Vol. 2A CALL
// E8 cd).
const stubSize = 7
