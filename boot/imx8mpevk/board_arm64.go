//go:build tamago

package imx8mpevk

import (
	"errors"
	"fmt"
	"runtime"

	"github.com/tamach/tamach/boot"
	"github.com/tamach/tamach/boot/armv8"
	"github.com/tamach/tamach/boot/bootfiles"
)

// Board describes the EVK to the kernel. Memory and Pool are filled in by
// Hwinit1, before any package init function runs.
var Board = boot.Board{
	Arch:     "arm64",
	Name:     "imx8mpevk",
	Cmdline:  cmdline,
	ReadFile: readFile,
	AddFixup: armv8.AddFixup,
	ReadByte: console.Rx,
	PowerOff: armv8.PowerOff,
	Fail:     armv8.Fail,
	Nanotime: armv8.Nanotime,
	Info:     info,
	Disks:    sd.List,
	Checks: append(armv8.Checks("imx8mpevk"),
		boot.Check{Name: "sd", Run: sd.Check}),
}

// The boot files (boot/bootfiles) found at BootFilesBase in Hwinit1.
var (
	hostFiles    *bootfiles.Files
	hostFilesErr error
)

// initBoard plans memory, brings up the GIC, says how to stop the machine
// and reads the boot files. Called from Hwinit1.
func initBoard() {
	textStart, _ := runtime.TextRegion()
	_, dataEnd := runtime.DataRegion()
	if PAddr(textStart) != TextBase {
		panic("imx8mpevk.initBoard: kernel text not at TextBase: link with boot/imx8mpevk/build.mk's -T")
	}
	var err error
	Board.Memory, Board.Pool, err = Plan(PAddr(dataEnd+pageSize-1) &^ (pageSize - 1))
	if err != nil {
		panic(err.Error())
	}
	armv8.StartGIC(GICDBase, GICRBase)
	armv8.SetPower(power(armv8.EntryEL()))
	hostFiles, hostFilesErr = bootfiles.Parse(armv8.PhysBytes(BootFilesBase, uint64(BootFilesSize)))
}

// power is how the EVK stops, by the EL the kernel was entered at. Below
// EL3 there is firmware above the kernel: TF-A's PSCI over SMC on the real
// board (U-Boot runs at EL2 under it), QEMU's PSCI emulation with
// IMX_EL=2 (qemu.mk; QEMU hw/arm/imx8mp-evk.c, psci_conduit SMC). Entered
// at EL3 (QEMU's default for this machine) the kernel is the firmware:
// semihosting ends QEMU; without semihosting the watchdog resets the SoC.
func power(entryEL uint64) armv8.Power {
	p := armv8.Power{Fallback: fallback, FallbackName: "watchdog reset (WDOG1)"}
	if entryEL < 3 {
		p.PSCI = armv8.ConduitSMC
		p.FallbackName = "PSCI SYSTEM_RESET on failure, then watchdog reset (WDOG1)"
	}
	return p
}

// fallback is the last resort when neither PSCI SYSTEM_OFF nor semihosting
// stopped the machine: a failure asks PSCI for a reset (back to the boot
// loader, with the report on the console), then the watchdog resets the
// SoC.
func fallback(off bool) {
	if !off {
		armv8.PSCIReset()
	}
	watchdogReset()
}

// cmdline is Board.Cmdline: the boot files' opt/tamach/cmdline, "" when
// no boot files were loaded.
func cmdline() (string, error) {
	if errors.Is(hostFilesErr, bootfiles.ErrNone) {
		return "", nil
	}
	if hostFilesErr != nil {
		return "", hostFilesErr
	}
	return hostFiles.Cmdline(), nil
}

// readFile is Board.ReadFile: a member of the boot files.
func readFile(name string) ([]byte, error) {
	if hostFilesErr != nil {
		return nil, hostFilesErr
	}
	return hostFiles.ReadFile(name)
}

// info is Board.Info: the shared arm64 facts, then the EVK's own.
func info() []string {
	return append(armv8.Info(),
		console.Describe(),
		fmt.Sprintf("ram: the plan uses %d MiB from %#x (QEMU -m 1G; the EVK has 6 GiB)", RAMSize>>20, uint64(RAMBase)),
		bootFilesInfo(),
	)
}

func bootFilesInfo() string {
	const where = "boot files at 0x50000000: "
	switch {
	case errors.Is(hostFilesErr, bootfiles.ErrNone):
		return where + "none"
	case hostFilesErr != nil:
		return where + hostFilesErr.Error()
	}
	return fmt.Sprintf("%s%d bytes, %v", where, hostFiles.Size(), hostFiles.Names())
}

// hexAddr formats an address for Info.
func hexAddr(a uint64) string { return fmt.Sprintf("%#x", a) }
