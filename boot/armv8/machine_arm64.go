//go:build tamago

package armv8

import (
	"fmt"
	"runtime/goos"

	"github.com/tamach/tamach/boot"
	cpu "github.com/tamach/tamach/cpu/arm64"
)

// The machine state this package keeps for the one CPU, set up by the
// board's Hwinit1.
var (
	gic GIC
	// gicErr says why the GIC is not in use, if it is not.
	gicErr error
)

// StartGIC brings up the GICv3 at dist (distributor) and redist (CPU 0's
// redistributor), enables the virtual timer's PPI and, when that worked,
// installs the runtime's idle hook (WFI until the timer fires). Called from
// the board's Hwinit1; a GIC that cannot be driven is reported by Info and
// the gic-timer-irq check, and the runtime then polls instead of idling.
func StartGIC(dist, redist PAddr) {
	gic = GIC{Dist: dist, Redist: redist}
	gicErr = gic.Init()
	if gicErr == nil {
		if err := gic.EnablePPI(VirtTimerINTID); err == nil {
			goos.Idle = idle
		}
	}
}

// GICVersion returns GICD_PIDR2.ArchRev of the GIC StartGIC found.
func GICVersion() int { return gic.Version }

// Nanotime returns the virtual counter in nanoseconds (the runtime's clock,
// hook_nanotime_arm64.go), for Board.Nanotime and drivers' timeouts.
func Nanotime() int64 { return nanotime() }

// Info lists the CPU facts every arm64 board prints at boot (Board.Info):
// exception levels, CPU, timer, GIC, random source, power, idle and MMU.
func Info() []string {
	return []string{
		fmt.Sprintf("exception level: entered at EL%d, kernel runs at EL%d", entryEL, cpu.CurrentEL()),
		"cpu: " + describeMIDR(cpu.ReadMIDR()),
		fmt.Sprintf("timer: generic timer, CNTVCT_EL0 at %d Hz (CNTFRQ_EL0)", counterHz),
		gicInfo(),
		"rng: " + entropy.Name(),
		powerInfo(),
		"idle: " + idleInfo(),
		fmt.Sprintf("mmu: boot identity map (39-bit VA, 4 KiB granule), VBAR_EL1 %#x", cpu.ReadVBAR()),
	}
}

// Checks returns the boot self-checks every arm64 board runs, named
// prefix-el1, prefix-timer, prefix-rng, prefix-vectors and
// prefix-gic-timer-irq (Board.Checks).
func Checks(prefix string) []boot.Check {
	return []boot.Check{
		{Name: prefix + "-el1", Run: checkEL1},
		{Name: prefix + "-timer", Run: checkTimer},
		{Name: prefix + "-rng", Run: checkRNG},
		{Name: prefix + "-vectors", Run: checkVectors},
		{Name: prefix + "-gic-timer-irq", Run: checkTimerIRQ},
	}
}

func idleInfo() string {
	if goos.Idle == nil {
		return "busy polling (no GIC)"
	}
	return fmt.Sprintf("WFI until the virtual timer (INTID %d) fires", VirtTimerINTID)
}

func gicInfo() string {
	if gicErr != nil {
		return "gic: not in use: " + gicErr.Error()
	}
	return fmt.Sprintf("gic: GICv%d (GICD_PIDR2.ArchRev), distributor %#x, redistributor %#x, system-register CPU interface",
		gic.Version, uint64(gic.Dist), uint64(gic.Redist))
}

// describeMIDR decodes MIDR_EL1 (Arm ARM D24.2 "MIDR_EL1": Implementer
// [31:24], Variant [23:20], Architecture [19:16], PartNum [15:4], Revision
// [3:0]).
func describeMIDR(midr uint64) string {
	return fmt.Sprintf("MIDR_EL1 %#x (implementer %#x, variant %d, architecture %#x, part %#x, revision %d)",
		midr, midr>>24&0xff, midr>>20&0xf, midr>>16&0xf, midr>>4&0xfff, midr&0xf)
}
