// Package task is tamach's task layer: tasks (an address space, threads, a
// parent, children and an exit status), a round-robin scheduler that runs
// threads with machine.Run, the trap handlers (system calls, page faults,
// exceptions, interrupts), the Linux-numbered system calls a GOOS=tamago
// program uses, the Mach VM traps, and the ELF loader (DESIGN §3, §4).
//
// Every handler is ordinary Go built on the vm API: a task's memory is read
// and written through its map (uaccess.go), never by dereferencing a user
// address. Nothing a task does makes the kernel panic: bad arguments return
// a negative errno or a kern_return_t, and a task that faults past repair
// is terminated with one report line.
//
// The package builds and is tested on the host: the CPU interface hides
// machine.Run, and the tests supply a simulated CPU over vm/vmtest.
// docs/tasks.md draws a task's address space and lists the system calls.
package task

import (
	"github.com/tamach/tamach/kernel/machine"
	"github.com/tamach/tamach/pmap"
)

// Context is what the task layer needs of a thread's saved user state.
// *machine.Context implements it on amd64 and arm64 (kernel/machine).
type Context interface {
	PC() uint64
	SetPC(pc uint64)
	SP() uint64
	SetSP(sp uint64)
	TLS() uint64
	SetTLS(v uint64)
	// Syscall returns the system call number and its six arguments in
	// the registers of the Linux system call ABI of the architecture.
	Syscall() (nr uint64, args [6]uint64)
	SetSyscallReturn(v uint64)
	SetArg(i int, v uint64)
}

// CPU runs threads: it is machine.Run and what goes with it, behind an
// interface so that the scheduler and the system calls run on the host
// against a simulated CPU.
type CPU interface {
	// Arch describes the instruction set the threads run.
	Arch() *Arch
	// NewContext returns the state of a new thread: every register 0.
	NewContext() Context
	// CloneContext returns a copy of c's general registers, PC, SP and
	// thread pointer, for a new thread or a forked task.
	CloneContext(c Context) Context
	// PrepareSpace readies a new task address space for Run (on amd64,
	// maps the trap trampoline).
	PrepareSpace(space pmap.Pmap) error
	// Run enters user mode in space with c's registers until the next
	// trap (machine.Run).
	Run(c Context, space pmap.Pmap) machine.Trap
	// Nanotime returns nanoseconds since boot.
	Nanotime() int64
	// Idle waits for something to happen, at most until the time
	// Nanotime will return until; it may return early.
	Idle(until int64)
}
