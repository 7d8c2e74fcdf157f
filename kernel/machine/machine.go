// Package machine is the contract between the kernel and one CPU
// architecture's trap machinery, and the architecture-independent pieces
// both implementations share. Like pmap/, it is one contract and one folder
// per architecture:
//
//	kernel/machine/machine.go   this file: Machine, Context, Trap, Config
//	kernel/machine/amd64/       x86-64: GDT, IDT, TSS, SYSCALL/SYSRET, LAPIC timer, trampoline
//	kernel/machine/arm64/       AArch64: EL0 vectors, SVC, the generic timer, TTBR1 trampoline
//
// Each architecture folder has the same files for the same roles (start.go,
// context.go, trap.go, run.go, trampoline.go, timer.go, probe.go, layout.go,
// check_scratch.go, check_usermode.go, userprog.go) and exports the same
// names: Start(Config) (*Machine, error), and the type Machine, which
// implements the interface Machine below.
//
// "User mode is a function call": a kernel goroutine runs a thread with
//
//	trap := m.Run(ctx, space)
//
// Run restores the thread's registers, switches to the task's address space,
// enters ring 3 / EL0, and returns on the next trap (system call, fault,
// interrupt) with its reason. All trap handling is ordinary Go code in the
// caller (kernel/task). docs/architecture.md explains the design, and
// docs/tour.md follows a page fault through it.
package machine

import (
	"fmt"

	"github.com/tamach/tamach/boot"
	"github.com/tamach/tamach/pmap"
)

// Machine is one CPU's trap machinery after Start: the kernel on its own
// page tables, the trap vectors and the trampoline installed.
type Machine interface {
	// Arch is the GOARCH of the machine: "amd64" or "arm64".
	Arch() string
	// Summary describes the kernel's own address space in one line.
	Summary() string
	// System is the pmap system that makes task address spaces.
	System() pmap.System
	// VMFrames is the range of managed frames the VM system may own:
	// Config.Managed, less the frames the machine keeps for its
	// self-checks (arm64's usermode check maps two managed frames, so
	// that the pmap tracks their Access flag and dirty state).
	VMFrames() boot.Region
	// UserRange is the part of a task's address space it may map:
	// [min, max).
	UserRange() (min, max pmap.VAddr)
	// NewContext returns the state of a new thread: every register 0.
	NewContext() Context
	// PrepareSpace readies a new task address space for Run (on amd64
	// it maps the trap trampoline; on arm64 there is nothing to do).
	PrepareSpace(space pmap.Pmap) error
	// Run enters user mode in space with c's registers until the next
	// trap, and returns why. c then holds the registers at the trap.
	// Run panics if space or c were not made by this machine (a broken
	// invariant), never for anything the user program does.
	Run(c Context, space pmap.Pmap) Trap
	// Checks are the boot self-checks of the machine: pmap-scratch and
	// usermode.
	Checks() []boot.Check
}

// Config is what Start needs to put the kernel on its own page tables.
type Config struct {
	// Memory is the board's physical memory map (boot.Board.Memory).
	Memory []boot.Region
	// Tables hands out frames outside the managed range: the kernel's
	// page tables, the trampoline and the per-CPU trap area.
	Tables pmap.Frames
	// Managed is the range of frames the VM system manages (the pool
	// minus the frames Tables hands out).
	Managed boot.Region
	// AddFixup registers an exception fixup with the board: a kernel
	// data abort at pc resumes at resume (boot.Board.AddFixup). arm64
	// needs it for its probes; amd64 installs its own page-fault gate.
	AddFixup func(pc, resume uint64) error
}

// Context is a thread's saved user state: registers, FPU/SIMD state, thread
// pointer. Each architecture's *Context implements it.
type Context interface {
	PC() uint64
	SetPC(pc uint64)
	SP() uint64
	SetSP(sp uint64)
	// TLS is the thread pointer: FS base on amd64, TPIDR_EL0 on arm64.
	TLS() uint64
	SetTLS(v uint64)
	// Syscall returns the system call number and its six arguments in
	// the registers of the architecture's Linux system call ABI.
	Syscall() (nr uint64, args [6]uint64)
	// SetSyscallReturn sets the value the system call returns.
	SetSyscallReturn(v uint64)
	// SetArg sets the i-th argument register, i < 6.
	SetArg(i int, v uint64)
	// Clone returns a copy of the registers, thread pointer and FPU/SIMD
	// state, for a new thread or a forked task.
	Clone() Context
}

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

// Trap is what Run returns: why user mode stopped. Its Cause fields are
// promoted: t.Kind, t.Access, t.Present and t.User read and set them.
//
// Trap is kept to 32 bytes in four fields because every system call and
// fault passes it up three calls (Machine.Run, the scheduler, the fault
// handler). The Go compiler keeps a struct of at most four fields and four
// words in registers (cmd/compile/internal/ssagen, TypeOK); a larger one it
// builds and copies through the stack at every call. That is why Kind,
// Access, Present and User sit in a Cause of their own:
// docs/performance.md, "The null system call", counts what it saves.
type Trap struct {
	Cause

	// Addr is the faulting virtual address of a TrapPageFault (CR2,
	// FAR_EL1).
	Addr pmap.VAddr

	// Vector is the machine's number for the trap: the x86 interrupt
	// vector, the Arm exception class. Code is the x86 error code or the
	// Arm syndrome (ESR_EL1).
	Vector uint64
	Code   uint64
}

// Cause is the kind of a Trap and, for a page fault, the access.
type Cause struct {
	Kind TrapKind
	// Access is the access that faulted: ProtRead, ProtWrite or
	// ProtExecute (TrapPageFault only).
	Access pmap.Prot
	// Present is true when the fault was a protection violation on a
	// mapped page, false when no translation existed (TrapPageFault).
	Present bool
	// User is true when the faulting access was made by user mode
	// (always, for faults Run reports).
	User bool
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
