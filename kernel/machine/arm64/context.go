package arm64

import "github.com/tamach/tamach/kernel/machine"

// Context is one thread's user state on arm64: what the trampoline saves on
// every exception from EL0 and restores on the way back (docs/trap-arm64.md).
// trampoline_arm64.s addresses the fields through go_asm.h; V must stay
// 16-byte aligned within the struct (FLDPQ/FSTPQ offsets are multiples of
// 16).
type Context struct {
	X     [31]uint64 // X0..X30 (X29 frame pointer, X30 link register)
	SPEL0 uint64     // SP_EL0: the EL0 stack pointer
	ELR   uint64     // ELR_EL1: where EL0 resumes
	SPSR  uint64     // SPSR_EL1: PSTATE to resume with (sanitised: EL0t, AArch64)
	TPIDR uint64     // TPIDR_EL0: the thread pointer
	FPCR  uint64     // FPCR: floating-point control
	FPSR  uint64     // FPSR: floating-point status
	_     uint64
	V     [32][2]uint64 // Q0..Q31, low doubleword first

	// timeLeft is what is left of the thread's quantum, in counter ticks,
	// when it last trapped for another reason than the timer; 0 means a
	// whole quantum. Keeping it makes a thread that traps often (a
	// system call per microsecond) preemptible all the same.
	timeLeft uint64
}

// Linux AArch64 system call registers (the kernel's syscall(2) "Architecture
// calling conventions": svc #0, number in x8, arguments in x0..x5, result in
// x0).
const (
	syscallNrReg  = 8
	syscallArgs   = 6
	syscallRetReg = 0
)

// SPSR_EL1 fields for a return to EL0 (Arm ARM D19.2, "SPSR_EL1": M[4]
// bit [4] is 0 for AArch64, M[3:0] = 0b0000 is EL0t; D, A, I, F bits [9:6]
// mask the exceptions; NZCV bits [31:28] are the condition flags).
const (
	spsrNZCV   = 0xf << 28
	spsrUserOK = spsrNZCV // the only bits a Context may choose: M = EL0t, DAIF clear
)

// PC is the user program counter.
func (c *Context) PC() uint64 { return c.ELR }

// SetPC sets the user program counter.
func (c *Context) SetPC(pc uint64) { c.ELR = pc }

// SP is the user stack pointer.
func (c *Context) SP() uint64 { return c.SPEL0 }

// SetSP sets the user stack pointer.
func (c *Context) SetSP(sp uint64) { c.SPEL0 = sp }

// TLS is the thread pointer, TPIDR_EL0.
func (c *Context) TLS() uint64 { return c.TPIDR }

// SetTLS sets the thread pointer.
func (c *Context) SetTLS(v uint64) { c.TPIDR = v }

// Syscall returns the system call number and arguments of an SVC.
func (c *Context) Syscall() (nr uint64, args [6]uint64) {
	copy(args[:], c.X[:syscallArgs])
	return c.X[syscallNrReg], args
}

// SetSyscallReturn sets the value the system call returns.
func (c *Context) SetSyscallReturn(v uint64) { c.X[syscallRetReg] = v }

// SetArg sets the i-th argument register (x0..x5).
// Precondition: 0 <= i < 6.
func (c *Context) SetArg(i int, v uint64) {
	if i < 0 || i >= syscallArgs {
		panic("machine.Context.SetArg: argument index out of range")
	}
	c.X[i] = v
}

// sanitize makes the saved PSTATE one that can only resume EL0 in AArch64
// with every exception unmasked, whatever was stored in it: the kernel never
// returns to EL1 or with interrupts masked through a Context.
func (c *Context) sanitize() { c.SPSR &= spsrUserOK }

// Clone returns a copy of every register, FP/SIMD included, for a new
// thread or a forked child.
func (c *Context) Clone() machine.Context {
	n := *c
	return &n
}
