//go:build tamago && amd64

package microvm

import (
	"fmt"
	"runtime"

	cpu "github.com/tamach/tamach/cpu/amd64"
)

// info lists the board facts the kernel prints at boot.
func info() []string {
	return []string{
		cpuMode(),
		fmt.Sprintf("cpu: %s %q", cpu.VendorString(AMD64.CPUID), runtime.CPU()),
		"cpu features: " + cpu.FeatureList(AMD64.CPUID),
		fmt.Sprintf("tsc: %d Hz, calibrated against the i8254 PIT (counter 0): median of %d windows of %d ticks; TamaGo's CPUID estimate %d Hz is not used",
			tscFrequency, calibrationWindows, calibrationTicks, AMD64.Freq()),
		"rng: RDRAND (TamaGo amd64 package)",
		fmt.Sprintf("console: COM1 16550 UART at I/O port %#x", portCOM1),
		fmt.Sprintf("power: off via ACPI GED sleep control at %#x, fail via isa-debug-exit at I/O port %#x",
			gedSleepCtl, portDebugExit),
	}
}

// cpuMode describes the CPU's operating mode and privilege level.
func cpuMode() string {
	mode := "legacy mode"
	if cpu.ReadMSR(cpu.MSREFER)&cpu.EFERLMA != 0 {
		mode = "64-bit long mode"
	}
	return fmt.Sprintf("cpu: %s (EFER.LMA), CPL%d, paging %v, PAE %v, CR3 %#x",
		mode, cpu.ReadCS()&cpu.SelectorRPL, cpu.ReadCR0()&cpu.CR0PG != 0, cpu.ReadCR4()&cpu.CR4PAE != 0, cpu.ReadCR3())
}
