// Package machine runs user code: it owns the CPU's trap machinery (on
// amd64: GDT, IDT, TSS, SYSCALL/SYSRET, the trap trampoline; on arm64: the
// exception vectors) and turns "enter user mode until the next trap" into a
// function call (DESIGN §3):
//
//	trap := machine.Run(&thread.Context, space)
//
// Run restores the thread's registers, switches to the task's address space,
// enters ring 3 / EL0, and returns on the next trap with its reason. All trap
// handling is ordinary Go code in the caller.
//
// This file is the architecture-independent part of the API, agreed between
// the amd64 (*_amd64.go) and arm64 (*_arm64.go) implementations. Each
// architecture provides, with these names:
//
//	type Context struct{ ... }          // a thread's user registers, FPU state, TLS base
//	func (c *Context) PC() uint64       // user program counter
//	func (c *Context) SetPC(pc uint64)
//	func (c *Context) SP() uint64       // user stack pointer
//	func (c *Context) SetSP(sp uint64)
//	func (c *Context) TLS() uint64      // thread pointer: FS base / TPIDR_EL0
//	func (c *Context) SetTLS(v uint64)
//	func (c *Context) Syscall() (nr uint64, args [6]uint64) // Linux ABI registers
//	func (c *Context) SetSyscallReturn(v uint64)
//	func (c *Context) SetArg(i int, v uint64)               // i-th argument register, i < 6
//	func Run(c *Context, space pmap.Pmap) Trap
//	func PrepareSpace(space pmap.Pmap) error   // map the trap trampoline into a task space
//
// and the boot self-checks CheckScratch ("pmap-scratch") and CheckUserMode
// ("usermode"). Starting the machine (page tables, trap vectors) takes a
// per-architecture Config and is called from cmd/tamach/checks_<arch>.go.
//
// Run panics if space was not made by the machine's pmap (a broken
// invariant), never for anything the user program does.
package machine

import (
	"fmt"

	"github.com/tamach/tamach/pmap"
)

// TrapKind says why Run returned.
type TrapKind uint8

// Trap kinds.
const (
	// TrapSyscall: the program asked for a system call (SYSCALL, SVC).
	// The number and arguments are in the Context (Context.Syscall).
	TrapSyscall TrapKind = iota + 1
	// TrapPageFault: an access to Addr was refused by the MMU.
	TrapPageFault
	// TrapException: any other synchronous exception (invalid opcode,
	// general protection, divide error, breakpoint, ...).
	TrapException
	// TrapInterrupt: an interrupt (the preemption timer) arrived while
	// the program ran. The program has not done anything wrong.
	TrapInterrupt
)

var trapKindNames = [...]string{"none", "syscall", "page fault", "exception", "interrupt"}

func (k TrapKind) String() string {
	if int(k) < len(trapKindNames) {
		return trapKindNames[k]
	}
	return fmt.Sprintf("TrapKind(%d)", uint8(k))
}

// Trap is what Run returns: why user mode stopped.
type Trap struct {
	Kind TrapKind

	// Addr is the faulting virtual address of a TrapPageFault (CR2,
	// FAR_EL1).
	Addr pmap.VAddr
	// Access is the access that faulted: ProtRead, ProtWrite or
	// ProtExecute (TrapPageFault only).
	Access pmap.Prot
	// Present is true when the fault was a protection violation on a
	// mapped page, false when no translation existed (TrapPageFault).
	Present bool
	// User is true when the faulting access was made by user mode
	// (always, for faults Run reports).
	User bool

	// Vector is the machine's number for the trap: the x86 interrupt
	// vector, the Arm exception class. Code is the x86 error code or the
	// Arm syndrome (ESR_EL1).
	Vector uint64
	Code   uint64
}

func (t Trap) String() string {
	switch t.Kind {
	case TrapPageFault:
		return fmt.Sprintf("page fault at %v (%v, present %v, user %v)", t.Addr, t.Access, t.Present, t.User)
	case TrapException:
		return fmt.Sprintf("exception vector %d code %#x", t.Vector, t.Code)
	case TrapInterrupt:
		return fmt.Sprintf("interrupt vector %d", t.Vector)
	}
	return t.Kind.String()
}
