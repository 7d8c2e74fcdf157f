//go:build tamago

// Command fpufork checks that a forked child starts with its parent's
// floating-point state: the parent sets a non-default rounding mode in the
// SIMD control register (MXCSR.RC on amd64, FPCR.RMode on arm64), forks
// with task_fork, and the child reports the register as it finds it. The
// same register is saved in the FXSAVE image on amd64 (Intel SDM Vol. 1
// §10.5.1) and in the thread's FP/SIMD state on arm64, so a kernel that
// gave the child the default state would show round-to-nearest.
package main

import (
	"fmt"

	"github.com/tamach/tamach/tasks/mach"
)

// Exit codes of the child.
const (
	childOK        = 0
	childWrongMode = 1
)

func main() {
	saved := fpControl()
	want := withRoundTowardZero(saved)
	setFPControl(want)
	id, err := mach.Fork()
	if err != nil {
		setFPControl(saved)
		fail("task_fork: %v", err)
	}
	if id == 0 {
		if fpControl() != want {
			mach.Exit(childWrongMode)
		}
		mach.Exit(childOK)
	}
	got := fpControl()
	setFPControl(saved)
	_, status, err := mach.Wait(id)
	switch {
	case err != nil:
		fail("task_wait: %v", err)
	case got != want:
		fail("the parent's control register %#x after fork, want %#x", got, want)
	case !status.Exited() || status.ExitCode() != childOK:
		fail("the child did not see control register %#x: %v", want, status)
	}
	fmt.Printf("PASS fpu-fork: the child runs with the parent's rounding mode (control register %#x)\n", want)
}

// fail prints a FAIL line and ends the task with status 1.
func fail(format string, args ...any) {
	fmt.Printf("FAIL fpu-fork: "+format+"\n", args...)
	mach.Exit(1)
}
