//go:build tamago && amd64

package microvm

import _ "unsafe" // go:linkname

// nanotime is the runtime's clock (runtime/goos.Nanotime): the TSC scaled
// by the multiplier calibrateClock sets in Hwinit1. Under TCG the guest TSC
// starts at 0 when QEMU starts the VM (QEMU cpus_get_elapsed_ticks), so
// this is nanoseconds since reset. Before calibration the multiplier is 0
// and the clock reads 0.
//
//go:linkname nanotime runtime/goos.Nanotime
func nanotime() int64 {
	return AMD64.GetTime()
}
