//go:build tamago

package machine

import (
	"github.com/tamach/tamach/pmap"
	arm64pmap "github.com/tamach/tamach/pmap/arm64"
)

// Quantum is how long a thread runs at EL0 before the EL1 virtual timer
// preempts it, in nanoseconds.
var Quantum int64 = 10_000_000

// runStats counts what Run did, for the self-checks and the measurements.
type runStats struct {
	entries    uint64 // enterUser calls
	fastFaults uint64 // page faults FastFault resolved without returning
}

var stats runStats

// Run runs the thread c in the task address space space at EL0 until the
// next exception that the VM system or the kernel must see, and returns why
// (machine.go). Faults that only emulate the Access flag or the dirty state
// (pmap FastFault) are resolved here and the thread resumed.
//
// The task's tables and ASID are loaded by the trampoline on the way out
// (trapCPU defers Activate's TTBR0_EL1 write), EL0 runs with every exception
// unmasked, and the virtual timer is armed for Quantum. On return the kernel
// runs on its own tables again with DAIF masked, and the timer is off.
//
// Precondition: Start has run; space is a pmap/arm64 user space.
func Run(c *Context, space pmap.Pmap) Trap {
	if mach == nil {
		panic("machine.Run: Start has not run")
	}
	s, ok := space.(*arm64pmap.Space)
	if !ok || s.Kind() != pmap.KindUser {
		panic("machine.Run: space is not a pmap/arm64 user space")
	}
	for {
		t := mach.runOnce(c, s)
		if t.Kind == TrapPageFault && s.FastFault(t.Addr.Trunc(), t.Access) {
			stats.fastFaults++
			continue
		}
		return t
	}
}

// runOnce enters EL0 once and decodes the exception that ended it.
func (m *machineState) runOnce(c *Context, s *arm64pmap.Space) Trap {
	c.sanitize()
	s.Activate()
	a := m.tramp.area
	a.UserTTBR0 = m.cpu.userTTBR
	armTimer(nanosToTicks(Quantum))
	stats.entries++
	enterUser(m.tramp.areaAddr, c)
	kind := a64VectorKind(a.Kind % vectorKinds)
	var intid uint64
	if kind == a64IRQ && a.Kind >= vectorLowerSync {
		// Acknowledge before the timer stops: its PPI is level-sensitive,
		// and once the line drops the GIC reports no interrupt (1023).
		intid = ackIRQ()
	}
	stopTimer()
	m.kernel.Activate()
	if a.Kind < vectorLowerSync {
		print("machine: exception at EL1 in the trampoline: vector ", a.Kind, " ESR_EL1 ", hex(a.ESR),
			" FAR_EL1 ", hex(a.FAR), " ELR_EL1 ", hex(c.ELR), "\n")
		panic("machine.runOnce: exception inside the trap trampoline")
	}
	return a64DecodeTrap(kind, a.ESR, a.FAR, intid)
}

// nanosToTicks converts nanoseconds to counter ticks.
func nanosToTicks(ns int64) uint64 {
	const nanosPerSecond = 1_000_000_000
	return uint64(ns) * readCNTFRQ() / nanosPerSecond
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
