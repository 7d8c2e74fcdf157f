//go:build tamago

package armv8

import cpu "github.com/tamach/tamach/cpu/arm64"

// Probes make the CPU take real exceptions through the vector table and
// come back, for the boot self-checks: a BRK with SP_EL1 selected, a BRK
// with SP_EL0 selected, and the virtual timer's interrupt through the GIC.
// trapCommon recognises them while probeArmed is set.
var (
	probeArmed uint64 // set while a probe runs
	probeHit   uint64 // 1 + the vector index that fired, 0 if none
	probeImm   uint64 // the BRK immediate seen
	probeINTID uint64 // the INTID acknowledged by an IRQ probe
)

// probeTimerHz sets the interrupt probe's timer to 1/probeTimerHz s (10 µs):
// short, because under -icount sleep=off QEMU advances the virtual clock
// over the WFI wait.
const probeTimerHz = 100_000

// BRK immediates of the probes.
const (
	probeImmSPx = 0x7a4b
	probeImmSP0 = 0x7a4c
)

// Defined in probe_arm64.s.

// brkSPx executes BRK #probeImmSPx.
func brkSPx()

// brkSP0 selects SP_EL0 (loaded with the current SP), executes
// BRK #probeImmSP0 and selects SP_EL1 again.
func brkSP0()

// unmaskIRQ clears PSTATE.I; maskIRQ sets it.
func unmaskIRQ()
func maskIRQ()

// startVirtTimer fires the EL1 virtual timer after ticks counts
// (CNTV_TVAL_EL0, CNTV_CTL_EL0.ENABLE with IMASK clear, Arm ARM D24.2).
func startVirtTimer(ticks uint64)

// probeResult is what one probe saw.
type probeResult struct {
	hit    bool
	vector cpu.Vector
	imm    uint16
	intid  uint32
}

// runProbe arms the probes, runs fn and reports what fired.
func runProbe(fn func()) probeResult {
	probeHit, probeImm, probeINTID = 0, 0, 0
	probeArmed = 1
	fn()
	probeArmed = 0
	if probeHit == 0 {
		return probeResult{}
	}
	return probeResult{hit: true, vector: cpu.Vector(probeHit - 1), imm: uint16(probeImm), intid: uint32(probeINTID)}
}

// irqProbe starts the virtual timer and polls with IRQs unmasked for one
// instruction at a time until the interrupt was taken, at most
// timeoutNanos of counter time. Polling, not WFI: an interrupt taken
// between the check and a WFI would leave the WFI waiting forever.
func irqProbe(timeoutNanos int64) func() {
	return func() {
		deadline := nanotime() + timeoutNanos
		startVirtTimer(counterHz / probeTimerHz)
		for probeHit == 0 && nanotime() < deadline {
			unmaskIRQ()
			maskIRQ()
		}
		stopVirtTimer()
	}
}

// stopVirtTimer disables the virtual timer.
func stopVirtTimer()
