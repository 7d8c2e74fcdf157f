//go:build tamago && arm64

package arm64

import (
	"github.com/tamach/tamach/pmap"
	arm64pmap "github.com/tamach/tamach/pmap/arm64"

	"github.com/tamach/tamach/kernel/machine"

	cpu "github.com/tamach/tamach/cpu/arm64"
)

// Run implements machine.Machine: it runs the thread c in the task address
// space at EL0 until the next exception, and returns why (kernel/machine).
// Every page fault is returned, including those that only emulate the
// Access flag or the dirty state: the vm fault handler resolves those first
// (pmap FastFault). A context not made by NewContext or Clone, or a space
// that is not a pmap/arm64 user space, is a broken invariant and panics.
//
// The task's tables and ASID are loaded by the trampoline on the way out:
// Prepare gives the space an ASID of the current generation and returns its
// TTBR0_EL1 value, which the trap area hands to the exit code. The kernel
// cannot load it itself, since its own code lives in its TTBR0 space
// (trapCPU). EL0 runs with every exception unmasked, and the virtual timer
// is armed for what is left of the thread's quantum. On return the
// trampoline has put back the kernel's TTBR0_EL1 (trapEntry), DAIF is
// masked and the timer is off.
//
// This is the path of every system call and fault, so it is kept to one
// function: docs/performance.md counts its instructions.
func (m *Machine) Run(ctx machine.Context, space pmap.Pmap) machine.Trap {
	c, ok := ctx.(*Context)
	if !ok {
		panic("arm64.Machine.Run: the context is not an arm64 Context")
	}
	s, ok := space.(*arm64pmap.Space)
	if !ok || s.Kind() != pmap.KindUser {
		panic("arm64.Machine.Run: the space is not a pmap/arm64 user space")
	}
	c.sanitize()
	a := m.tramp.area
	a.UserTTBR0 = s.Prepare()
	if c.timeLeft == 0 {
		c.timeLeft = nanosToTicks(quantum)
	}
	armTimer(c.timeLeft)
	enterUser(m.tramp.areaAddr, c)
	entry := cpu.Vector(a.Kind)
	var intid uint64
	if entry.Kind() == cpu.KindIRQ && entry.Group() == cpu.GroupLower64 {
		// Acknowledge before the timer stops: its PPI is level-sensitive,
		// and once the line drops the GIC reports no interrupt (1023).
		intid = ackIRQ()
		stopTimer()
		c.timeLeft = 0 // the quantum is over: the next turn gets a whole one
	} else {
		c.timeLeft = ticksLeft(stopTimer())
	}
	if entry.Group() != cpu.GroupLower64 {
		print("machine: exception at EL1 in the trampoline: vector ", a.Kind, " ESR_EL1 ", hex(a.ESR),
			" FAR_EL1 ", hex(a.FAR), " ELR_EL1 ", hex(c.ELR), "\n")
		panic("arm64.Machine.Run: exception inside the trap trampoline")
	}
	return decodeTrap(entry.Kind(), cpu.ESR(a.ESR), a.FAR, intid)
}

// hex formats v for print.
func hex(v uint64) string {
	const digits = "0123456789abcdef"
	b := []byte("0x0000000000000000")
	for i := 0; i < 16; i++ {
		b[17-i] = digits[v>>(4*i)&0xf]
	}
	return string(b)
}
