//go:build tamago

package task

import (
	"github.com/tamach/tamach/kernel/machine"
	"github.com/tamach/tamach/pmap"
)

// machineCPU is the CPU the kernel runs on: kernel/machine's Run.
type machineCPU struct {
	nanotime func() int64
}

// MachineCPU returns the machine's CPU, with the board's clock.
func MachineCPU(nanotime func() int64) CPU { return &machineCPU{nanotime: nanotime} }

func (*machineCPU) NewContext() Context { return new(machine.Context) }

// Run enters user mode. A context not made by NewContext or CloneContext is
// a broken invariant: the type assertion panics.
func (*machineCPU) Run(c Context, space pmap.Pmap) machine.Trap {
	return machine.Run(c.(*machine.Context), space)
}

func (m *machineCPU) Nanotime() int64 { return m.nanotime() }

// Idle spins on the clock: the kernel runs with interrupts masked, and a
// sleeping task wakes on time alone.
func (m *machineCPU) Idle(until int64) {
	for m.nanotime() < until {
	}
}
