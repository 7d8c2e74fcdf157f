//go:build tamago

package armv8

import (
	_ "unsafe" // go:linkname

	cpu "github.com/tamach/tamach/cpu/arm64"
)

// getRandomData is runtime/goos.GetRandomData: the runtime's and
// crypto/rand's source of random bytes.
//
//go:linkname getRandomData runtime/goos.GetRandomData
func getRandomData(b []byte) {
	if !entropy.ready {
		initRNG()
	}
	entropy.fill(b, cpu.RNDR)
}
