//go:build tamago

package virt

import (
	_ "unsafe" // go:linkname

	"github.com/tamach/tamach/boot/armv8"
)

// hwinit0 is runtime/goos.Hwinit0, the first Go code (boot stack, no
// heap): the shared arm64 part, with virt's RAM window for the boot
// identity map.
//
//go:linkname hwinit0 runtime/goos.Hwinit0
func hwinit0() {
	armv8.Hwinit0(BootMap)
}
