//go:build tamago

package armv8

import cpu "github.com/tamach/tamach/cpu/arm64"

// Hwinit0 is the shared part of runtime/goos.Hwinit0, which the board's
// hook calls first: the first Go code, run by the runtime's rt0 on the boot
// stack before the scheduler exists, so nothing here may allocate. Entry
// already runs at EL1 with FP/SIMD enabled and VBAR_EL1 set; Hwinit0 reads
// the counter frequency and turns the MMU on with the boot identity map of
// m, after which an exception is reported from Go (trapReport).
func Hwinit0(m BootMap) {
	counterHz = cpu.ReadCNTFRQ()
	initMMU(m)
	goReady = 1
}
