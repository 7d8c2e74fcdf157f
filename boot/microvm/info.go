//go:build tamago && amd64

package microvm

import (
	"fmt"
	"runtime"
)

// Control register and EFER bits reported by Info.
const (
	// msrEFER is IA32_EFER (Intel SDM Vol. 3A §2.2.1, "Extended Feature
	// Enable Register"); LMA (bit 10) is set while IA-32e mode is active.
	msrEFER = 0xc0000080
	eferLMA = 1 << 10

	cr0PG  = 1 << 31 // paging (Intel SDM Vol. 3A §2.5)
	cr4PAE = 1 << 5  // physical address extension
)

// info lists the board facts the kernel prints at boot.
func info() []string {
	return []string{
		cpuMode(),
		fmt.Sprintf("cpu: %s %q", vendorString(AMD64.CPUID), runtime.CPU()),
		"cpu features: " + featureList(AMD64.CPUID),
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
	if readMSR(msrEFER)&eferLMA != 0 {
		mode = "64-bit long mode"
	}
	return fmt.Sprintf("cpu: %s (EFER.LMA), CPL%d, paging %v, PAE %v, CR3 %#x",
		mode, readCS()&selectorRPL, readCR0()&cr0PG != 0, readCR4()&cr4PAE != 0, readCR3())
}
