//go:build tamago

package virt

import (
	"runtime/goos"
	_ "unsafe" // go:linkname

	"github.com/tamach/tamach/boot/armv8"
)

// hwinit1 is runtime/goos.Hwinit1, called once the scheduler exists (the
// heap works, goroutines do not run yet): the console, the exit hook, the
// GIC, the idle hook and the memory map.
//
//go:linkname hwinit1 runtime/goos.Hwinit1
func hwinit1() {
	console.Init()
	goos.Exit = armv8.Exit
	initBoard()
}
