//go:build tamago

package virt

import (
	_ "unsafe" // go:linkname

	cpu "github.com/tamach/tamach/cpu/arm64"
)

// hwinit0 is runtime/goos.Hwinit0, the first Go code, called by the
// runtime's rt0 on the boot stack before the scheduler exists: nothing may
// allocate. cpuinit already runs at EL1 with FP/SIMD enabled and VBAR_EL1
// set; hwinit0 reads the counter frequency and turns the MMU on, after
// which trapReport may run Go code.
//
//go:linkname hwinit0 runtime/goos.Hwinit0
func hwinit0() {
	counterHz = cpu.ReadCNTFRQ()
	initMMU()
	goReady = 1
}
