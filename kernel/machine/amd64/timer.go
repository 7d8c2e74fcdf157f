//go:build tamago && amd64

package amd64

import cpu "github.com/tamach/tamach/cpu/amd64"

// Local APIC registers, memory-mapped at lapicBase in xAPIC mode (Intel SDM
// Vol. 3A §11.4.1, Table 11-1 "Local APIC Register Address Map").
const (
	lapicBase     = 0xfee0_0000
	lapicEOI      = lapicBase + 0x0b0
	lapicSVR      = lapicBase + 0x0f0 // spurious-interrupt vector register
	lapicLVTTimer = lapicBase + 0x320
	lapicInitial  = lapicBase + 0x380 // timer initial count
	lapicCurrent  = lapicBase + 0x390 // timer current count
	lapicDivide   = lapicBase + 0x3e0 // timer divide configuration

	// svrEnable is the APIC software-enable bit; the spurious vector is
	// bits 7:0 (§11.9, Figure 11-23).
	svrEnable = 1 << 8

	// lvtOneShot is timer mode 00b, bits 18:17 (§11.5.1, Figure 11-8);
	// the vector is bits 7:0, bit 16 would mask it.
	lvtOneShot = 0 << 17

	// divideBy1 is the divide configuration 1011b: the timer counts at
	// the APIC's bus/core crystal clock (§11.5.4, Figure 11-10).
	divideBy1 = 0b1011

	// quantum is the timer count a thread runs for before it is
	// preempted. QEMU counts the LAPIC timer in nanoseconds of its
	// virtual clock with divide-by-1 (hw/intc/apic.c), so this is 1 ms
	// there.
	quantum = 1_000_000
)

// startLAPIC enables the local APIC with vectorSpur as its spurious vector
// and sets its timer to one-shot mode on vectorTimer, stopped (§11.5.4: an
// initial count of 0 stops the timer).
func startLAPIC() {
	cpu.Store32(lapicSVR, svrEnable|vectorSpur)
	cpu.Store32(lapicDivide, divideBy1)
	cpu.Store32(lapicLVTTimer, lvtOneShot|vectorTimer)
	cpu.Store32(lapicInitial, 0)
}

// armTimer starts the one-shot countdown from left, or from a full quantum if
// left is 0 (§11.5.4: writing the initial count starts the countdown).
func armTimer(left uint32) {
	if left == 0 {
		left = quantum
	}
	cpu.Store32(lapicInitial, left)
}

// stopTimer stops the countdown and returns what was left of it.
func stopTimer() uint32 {
	left := cpu.Load32(lapicCurrent)
	cpu.Store32(lapicInitial, 0)
	return left
}

// endOfInterrupt signals the end of the timer interrupt's handling (§11.8.5:
// a write of 0 to the EOI register). The spurious vector needs none (§11.9).
func endOfInterrupt() { cpu.Store32(lapicEOI, 0) }
