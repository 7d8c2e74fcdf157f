//go:build tamago

package imx8mpevk

import (
	_ "unsafe" // go:linkname

	"github.com/tamach/tamach/boot/armv8"
)

// hwinit0 is runtime/goos.Hwinit0, the first Go code (boot stack, no
// heap): the console first, so that everything the runtime prints from
// here on reaches UART2, then the shared arm64 part with the board's RAM
// plan for the boot identity map.
//
//go:linkname hwinit0 runtime/goos.Hwinit0
func hwinit0() {
	console.Init()
	armv8.Hwinit0(BootMap)
}
