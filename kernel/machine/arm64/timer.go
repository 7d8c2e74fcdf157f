//go:build tamago && arm64

package arm64

import cpu "github.com/tamach/tamach/cpu/arm64"

// The preemption timer: the EL1 virtual timer of the Generic Timer (Arm ARM
// D12 "The Generic Timer in AArch64 state"), whose interrupt is PPI 27 at
// the GICv3 (ARM IHI 0069G). Run arms it before entering EL0 and stops it
// on the way back, so only user mode is ever preempted. The leaves are in
// timer_arm64.s.

// quantum is how long a thread runs at EL0 before the timer preempts it, in
// nanoseconds.
const quantum = 10_000_000

// armTimer fires the EL1 virtual timer after ticks counter ticks.
func armTimer(ticks uint64)

// stopTimer disables the EL1 virtual timer and returns CNTV_TVAL_EL0 as it
// read just before: the ticks left until it fires, negative (as a signed
// 32-bit value) once it has fired.
func stopTimer() uint64

// ticksLeft turns what stopTimer read into the ticks left of the quantum:
// 0 once the timer has fired, so the next turn arms a whole quantum.
// CNTV_TVAL_EL0 reads as a signed 32-bit count down (Arm ARM D19.12).
func ticksLeft(tval uint64) uint64 {
	if v := int32(uint32(tval)); v > 0 {
		return uint64(v)
	}
	return 0
}

// ackIRQ acknowledges and ends the pending interrupt and returns its INTID.
func ackIRQ() uint64

// nanosToTicks converts nanoseconds to counter ticks.
func nanosToTicks(ns int64) uint64 {
	const nanosPerSecond = 1_000_000_000
	return uint64(ns) * cpu.ReadCNTFRQ() / nanosPerSecond
}
