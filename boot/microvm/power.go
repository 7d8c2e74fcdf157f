//go:build tamago && amd64

package microvm

import (
	"time"

	"github.com/usbarmory/tamago/amd64"

	cpu "github.com/tamach/tamach/cpu/amd64"
)

// powerOffGrace is how long powerOff and failWith wait for QEMU to act on
// the GED or isa-debug-exit write, which it does asynchronously (the
// device requests a shutdown; QEMU's main loop carries it out while the
// CPU runs on), before they fall back.
const powerOffGrace = 100 * time.Millisecond

// powerOff turns the machine off: QEMU exits with status 0. It writes
// SLP_TYP=S5 with SLP_EN to the ACPI GED sleep control register, as the
// FADT of microvm tells an OS to (QEMU hw/i386/acpi-microvm.c; ACPI 6.5
// §4.8.3.7 and §7.4.2 "\_S5 Soft Off"). Without the GED (acpi=off) it falls
// back to a triple fault, which QEMU -no-reboot also turns into exit 0.
func powerOff() {
	cpu.Store8(gedSleepCtl, gedSlpTypS5<<gedSlpTypShift|gedSlpEn)
	deadline := nanotime() + int64(powerOffGrace)
	for nanotime() < deadline {
	}
	print("microvm: ACPI GED did not power off (acpi=off?), triple fault instead\n")
	amd64.Fault()
}

// fail ends the run with a failing status (Board.Fail).
func fail() {
	failWith(exitCodeFail)
}

// failWith makes QEMU exit with status (code<<1)|1 through isa-debug-exit.
// If the device is missing it halts for good, so a run never ends with
// status 0 by mistake; the harness's timeout ends it.
func failWith(code uint32) {
	out32(portDebugExit, code)
	deadline := nanotime() + int64(powerOffGrace)
	for nanotime() < deadline {
	}
	print("microvm: no isa-debug-exit device at port 0xf4 (see qemu.mk), halting\n")
	cpu.Halt()
}
