//go:build tamago

package imx8mpevk

import (
	"runtime/goos"
	_ "unsafe" // go:linkname

	"github.com/tamach/tamach/boot/armv8"
)

// hwinit1 is runtime/goos.Hwinit1, called once the scheduler exists (the
// heap works, goroutines do not run yet): the watchdogs, the exit hook,
// the GIC, the idle hook, the memory map and the boot files.
//
//go:linkname hwinit1 runtime/goos.Hwinit1
func hwinit1() {
	stopPowerDownCounters()
	goos.Exit = armv8.Exit
	initBoard()
}
