//go:build tamago && amd64

package microvm

import (
	"runtime/goos"
	_ "unsafe" // go:linkname

	"github.com/usbarmory/tamago/amd64"
	"github.com/usbarmory/tamago/soc/intel/uart"
)

// AMD64 is the boot CPU. Its TimerMultiplier stays 0 (the clock reads 0)
// until hwinit1 calibrates the TSC.
var AMD64 = &amd64.CPU{}

// console is COM1.
var console = &uart.UART{Index: 1, Base: portCOM1}

// hwinit1 is the runtime's early hardware hook (runtime/goos.Hwinit1): it
// runs after the scheduler is initialised, before any package init and
// before main. It starts the CPU and the console, takes over the runtime's
// exit, and calibrates the clock.
//
// TamaGo's amd64.CPU.Init estimates the TSC rate from CPUID leaf 0x15, KVM's
// clock or an AMD P-state MSR; under TCG with -cpu max it came up with
// 2859 Hz in our runs. calibrateClock then replaces the multiplier Init
// derived from it. Info prints both.
//
//go:linkname hwinit1 runtime/goos.Hwinit1
func hwinit1() {
	AMD64.Init()
	console.Init()
	goos.Exit = exit
	calibrateClock()
}

// exit ends the run when the Go runtime exits (runtime/goos.Exit): status 0
// powers off, anything else (2 after a panic) fails with that code, so
// QEMU exits with (code<<1)|1.
func exit(code int32) {
	if code == 0 {
		powerOff()
	}
	failWith(uint32(code))
}
