//go:build tamago

package armv8

import (
	_ "unsafe" // go:linkname

	cpu "github.com/tamach/tamach/cpu/arm64"
)

// initRNG is runtime/goos.InitRNG: it chooses the random source, FEAT_RNG's
// RNDR when ID_AA64ISAR0_EL1.RNDR (bits [63:60]) is non-zero, as it is for
// QEMU's -cpu max, else the counter-seeded fallback (rng.go).
//
//go:linkname initRNG runtime/goos.InitRNG
func initRNG() {
	entropy.init(cpu.ReadISAR0()>>isar0RNDRShift&isar0FieldMask != 0, cpu.ReadCNTVCT())
}
