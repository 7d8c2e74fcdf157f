//go:build tamago

package armv8

import (
	"math"

	cpu "github.com/tamach/tamach/cpu/arm64"
)

// idle is the runtime's goos.Idle hook, called when no goroutine can run
// until the runtime's next timer at pollUntil (nanotime units). It arms
// the EL1 virtual timer for that instant and waits in WFI: a pending
// interrupt wakes WFI even while PSTATE.I masks it (Arm ARM chapter D1,
// "Wait for Interrupt", WFI wake-up events), so the kernel keeps running with IRQs masked and
// no handler runs. Under -icount sleep=off QEMU skips the virtual clock
// ahead to the timer, so idle time costs no guest instructions.
//
// Precondition: the GIC delivers the virtual timer's PPI (Hwinit1 only
// installs the hook when it does).
func idle(pollUntil int64) {
	if pollUntil == math.MaxInt64 {
		// Nothing would wake the CPU: poll instead, as the runtime
		// does without the hook.
		return
	}
	now := nanotime()
	if pollUntil <= now {
		return
	}
	armVirtTimer(cpu.ReadCNTVCT() + nanosToCount(uint64(pollUntil-now), counterHz))
	waitForInterrupt()
	stopVirtTimer()
}

// armVirtTimer makes the EL1 virtual timer's interrupt pending once
// CNTVCT_EL0 reaches cval (CNTV_CVAL_EL0, CNTV_CTL_EL0.ENABLE = 1,
// IMASK = 0; Arm ARM D24.2). Defined in idle_arm64.s.
func armVirtTimer(cval uint64)
