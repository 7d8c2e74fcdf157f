// Package task is tamach's task layer: tasks (an address space, threads, a
// parent, children and an exit status), a round-robin scheduler that runs
// threads with machine.Run, the trap handlers (system calls, page faults,
// exceptions, interrupts), the Linux-numbered system calls a GOOS=tamago
// program uses, the Mach VM traps, and the ELF loader (docs/architecture.md §3, §4).
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
	"fmt"

	"github.com/tamach/tamach/kernel/machine"
	"github.com/tamach/tamach/pmap"
)

// CPU runs threads: a machine.Machine and the board's clock on the kernel
// (MachineCPU), a simulated CPU in the host tests. Threads' contexts are
// machine.Context values made by NewContext or cloned from one.
type CPU interface {
	// Arch describes the instruction set the threads run.
	Arch() *Arch
	// NewContext returns the state of a new thread: every register 0.
	NewContext() machine.Context
	// PrepareSpace readies a new task address space for Run (on amd64,
	// maps the trap trampoline).
	PrepareSpace(space pmap.Pmap) error
	// Run enters user mode in space with c's registers until the next
	// trap (machine.Machine.Run).
	Run(c machine.Context, space pmap.Pmap) machine.Trap
	// Nanotime returns nanoseconds since boot.
	Nanotime() int64
	// Idle waits for something to happen, at most until the time
	// Nanotime will return until; it may return early.
	Idle(until int64)
}

// machineCPU is the CPU the kernel runs on: a machine.Machine with the
// board's clock.
type machineCPU struct {
	machine.Machine
	arch     *Arch
	nanotime func() int64
}

// MachineCPU returns the CPU of machine m, with the board's clock, or an
// error if the task layer knows no instruction set of m's name.
func MachineCPU(m machine.Machine, nanotime func() int64) (CPU, error) {
	for _, a := range []*Arch{AMD64, ARM64} {
		if a.Name == m.Arch() {
			return &machineCPU{Machine: m, arch: a, nanotime: nanotime}, nil
		}
	}
	return nil, fmt.Errorf("task: no instruction set %q", m.Arch())
}

func (c *machineCPU) Arch() *Arch     { return c.arch }
func (c *machineCPU) Nanotime() int64 { return c.nanotime() }

// runner is what runThread enters user mode through: CPU.Run.
type runner interface {
	Run(c machine.Context, space pmap.Pmap) machine.Trap
}

// newRunner returns the runner of cpu: for the machine's CPU the Machine
// itself, so that each system call and fault makes one interface call to
// enter user mode, not two. Go makes machineCPU's Run for the embedded
// interface without optimising it, and it spent about 40 instructions
// copying the Trap through memory (docs/performance.md, "The null system
// call").
func newRunner(cpu CPU) runner {
	if m, ok := cpu.(*machineCPU); ok {
		return m.Machine
	}
	return cpu
}

// Idle spins on the clock: the kernel runs with interrupts masked, and a
// sleeping task wakes on time alone.
func (c *machineCPU) Idle(until int64) {
	for c.nanotime() < until {
	}
}
