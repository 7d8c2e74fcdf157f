//go:build tamago

package armv8

import (
	_ "unsafe" // go:linkname

	cpu "github.com/tamach/tamach/cpu/arm64"
)

// counterHz is CNTFRQ_EL0, read once in Hwinit0.
var counterHz uint64

// nanotime is runtime/goos.Nanotime: the virtual count CNTVCT_EL0 in
// nanoseconds. cpuinit zeroes CNTVOFF_EL2 when EL2 exists, so the virtual
// count is the system count since QEMU started (Arm ARM, chapter "The
// Generic Timer in AArch64 state"); under -icount shift=0 one count is
// 1e9/CNTFRQ guest instructions.
//
//go:linkname nanotime runtime/goos.Nanotime
//go:nosplit
func nanotime() int64 {
	return int64(countToNanos(cpu.ReadCNTVCT(), counterHz))
}
