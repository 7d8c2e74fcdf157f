package amd64

import (
	"encoding/binary"
	"unsafe"

	cpu "github.com/tamach/tamach/cpu/amd64"

	"github.com/tamach/tamach/kernel/machine"
)

// Registers are a thread's user-mode general registers, instruction pointer,
// stack pointer and flags.
type Registers struct {
	RAX, RBX, RCX, RDX, RSI, RDI, RBP, RSP uint64
	R8, R9, R10, R11, R12, R13, R14, R15   uint64
	RIP, RFLAGS                            uint64
}

// FXSAVE area (Intel SDM Vol. 1 §10.5.1 "FXSAVE Area", Table 10-2): 512
// bytes, 16-byte aligned; FCW at byte 0, MXCSR at byte 24.
const (
	fxAreaSize   = 512
	fxAlign      = 16
	fxFCW        = 0
	fxMXCSR      = 24
	fcwDefault   = 0x037f // x87 control word after FNINIT (Vol. 1 §8.1.5): all exceptions masked
	mxcsrDefault = 0x1f80 // MXCSR after reset (Vol. 1 §10.2.3.1): all exceptions masked, round to nearest
)

// Context is the user-mode state of one thread: what Run loads before it
// enters ring 3 and saves at the next trap. The zero value is a thread with
// all registers 0; set at least the PC and SP before the first Run.
type Context struct {
	Regs Registers
	// FSBase is the thread pointer (IA32_FS_BASE), set by arch_prctl.
	FSBase uint64

	fx       [fxAreaSize + fxAlign]byte // FXSAVE image, at fxOffset
	fxReady  bool                       // fx holds a valid image
	sysret   bool                       // the last trap was a SYSCALL: leave with SYSRETQ
	timeLeft uint32                     // LAPIC timer counts left of the quantum
}

// PC returns the user instruction pointer.
func (c *Context) PC() uint64 { return c.Regs.RIP }

// SetPC sets the user instruction pointer.
func (c *Context) SetPC(pc uint64) { c.Regs.RIP = pc }

// SP returns the user stack pointer.
func (c *Context) SP() uint64 { return c.Regs.RSP }

// SetSP sets the user stack pointer.
func (c *Context) SetSP(sp uint64) { c.Regs.RSP = sp }

// TLS returns the thread pointer, the FS base.
func (c *Context) TLS() uint64 { return c.FSBase }

// SetTLS sets the thread pointer, the FS base (arch_prctl ARCH_SET_FS).
func (c *Context) SetTLS(v uint64) { c.FSBase = v }

// Syscall returns the system call number and arguments in the registers
// of the Linux x86-64 system call ABI: RAX, then RDI, RSI, RDX, R10, R8, R9
// (System V ABI AMD64 supplement §A.2.1).
func (c *Context) Syscall() (nr uint64, args [6]uint64) {
	r := &c.Regs
	return r.RAX, [6]uint64{r.RDI, r.RSI, r.RDX, r.R10, r.R8, r.R9}
}

// SetSyscallReturn sets the value the system call returns (RAX).
func (c *Context) SetSyscallReturn(v uint64) { c.Regs.RAX = v }

// SetArg sets the i-th argument register of the system call ABI, i < 6.
func (c *Context) SetArg(i int, v uint64) {
	r := &c.Regs
	switch i {
	case 0:
		r.RDI = v
	case 1:
		r.RSI = v
	case 2:
		r.RDX = v
	case 3:
		r.R10 = v
	case 4:
		r.R8 = v
	case 5:
		r.R9 = v
	default:
		panic("machine.(*Context).SetArg: argument index out of range")
	}
}

// RFLAGS the context controls (cpu/amd64 names the bits).
const (
	// userFlags are the flags a user program may set; IOPL, NT, RF, VM,
	// VIF, VIP and ID stay the kernel's choice.
	userFlags = cpu.FlagCF | cpu.FlagPF | cpu.FlagAF | cpu.FlagZF | cpu.FlagSF | cpu.FlagTF | cpu.FlagDF | cpu.FlagOF | cpu.FlagAC
)

// userRFLAGS is the RFLAGS a thread runs with: its own arithmetic flags,
// interrupts enabled (the timer preempts user mode), IOPL 0.
func userRFLAGS(v uint64) uint64 { return v&userFlags | cpu.FlagIF | cpu.FlagReserved }

// lowerHalfEnd is the end of the lower canonical half (Vol. 1 §3.3.7.1).
const lowerHalfEnd = 1 << 47

// upperHalfStart is the first address of the upper canonical half.
const upperHalfStart = ^uint64(lowerHalfEnd - 1)

// badPC returns the trap Run reports instead of entering user mode when the
// thread's RIP is not canonical: IRETQ to such an RIP raises #GP in ring 0,
// on the task's CR3 (Intel SDM Vol. 2A IRET), where no kernel handler is
// mapped. The thread sees the #GP it would get on real hardware from a jump
// there.
func (c *Context) badPC() (machine.Trap, bool) {
	// LAB trap-x86: begin
	rip := c.Regs.RIP
	if rip < lowerHalfEnd || rip >= upperHalfStart {
		return machine.Trap{}, false
	}
	return machine.Trap{Cause: machine.Cause{Kind: machine.TrapException}, Vector: cpu.VectorGP}, true
	// LAB trap-x86: stub
	// panic("lab trap-x86: not implemented: badPC")
	// LAB trap-x86: end
}

// saveFrom copies the user registers out of a trap frame.
func (c *Context) saveFrom(f *trapFrame) {
	// LAB trap-x86: begin
	// One field at a time: a Registers{...} literal is built on the stack
	// and then copied, twice the instructions on every trap.
	r := &c.Regs
	r.RAX, r.RBX, r.RCX, r.RDX = f.RAX, f.RBX, f.RCX, f.RDX
	r.RSI, r.RDI, r.RBP, r.RSP = f.RSI, f.RDI, f.RBP, f.RSP
	r.R8, r.R9, r.R10, r.R11 = f.R8, f.R9, f.R10, f.R11
	r.R12, r.R13, r.R14, r.R15 = f.R12, f.R13, f.R14, f.R15
	r.RIP, r.RFLAGS = f.RIP, f.RFLAGS
	// LAB trap-x86: stub
	// panic("lab trap-x86: not implemented: saveFrom")
	// LAB trap-x86: end
}

// loadInto fills a trap frame from the context, with ring-3 segments and
// sanitised flags, and reports whether SYSRETQ may return to it: after a
// system call, to a canonical lower-half RIP.
func (c *Context) loadInto(f *trapFrame) (sysret bool) {
	// LAB trap-x86: begin
	// One field at a time, as in saveFrom. Vector and ErrorCode are the
	// trampoline's to write.
	r := &c.Regs
	f.RAX, f.RBX, f.RCX, f.RDX = r.RAX, r.RBX, r.RCX, r.RDX
	f.RSI, f.RDI, f.RBP = r.RSI, r.RDI, r.RBP
	f.R8, f.R9, f.R10, f.R11 = r.R8, r.R9, r.R10, r.R11
	f.R12, f.R13, f.R14, f.R15 = r.R12, r.R13, r.R14, r.R15
	f.RIP, f.CS, f.RFLAGS, f.RSP, f.SS = r.RIP, selUserCode, userRFLAGS(r.RFLAGS), r.RSP, selUserData
	return c.sysret && r.RIP < lowerHalfEnd
	// LAB trap-x86: stub
	// panic("lab trap-x86: not implemented: loadInto")
	// LAB trap-x86: end
}

// fxImage returns the 16-byte aligned FXSAVE image inside c.fx, at offset off
// from the array's start; off depends only on where c.fx lives.
func fxImage(base uintptr) (off uintptr) { return (fxAlign - base%fxAlign) % fxAlign }

// Clone returns a new Context with c's registers, FS base and FPU/SSE
// state, for a new thread or a forked child. The FXSAVE image sits at an
// offset inside fx that depends on where each Context lives (FXSAVE and
// FXRSTOR need a 16-byte aligned operand: Intel SDM Vol. 2A "FXSAVE"), so
// it is copied from c's aligned image to the new Context's, not as part of
// the struct. The clone leaves its first Run with IRETQ and starts a fresh
// quantum.
func (c *Context) Clone() machine.Context {
	n := &Context{Regs: c.Regs, FSBase: c.FSBase, fxReady: c.fxReady}
	if c.fxReady {
		copy(alignedFX(&n.fx), alignedFX(&c.fx))
	}
	return n
}

// initFX writes the FPU/SSE state of a new thread into img: default
// control words, everything else 0.
func initFX(img []byte) {
	clear(img)
	binary.LittleEndian.PutUint16(img[fxFCW:], fcwDefault)
	binary.LittleEndian.PutUint32(img[fxMXCSR:], mxcsrDefault)
}

// xmm0 returns the low quadword of XMM0 in the saved FPU/SSE state.
func (c *Context) xmm0() uint64 {
	return binary.LittleEndian.Uint64(alignedFX(&c.fx)[fxXMM0:])
}

// alignedFX returns the 16-byte aligned FXSAVE image inside a.
func alignedFX(a *[fxAreaSize + fxAlign]byte) []byte {
	off := fxImage(uintptr(unsafe.Pointer(a)))
	return a[off : off+fxAreaSize]
}
