//go:build tamago

package virt

// Device register accesses of an exact width, defined in mmio_arm64.s so
// that the compiler neither merges, splits nor drops them.

// mmioRead8 loads the byte at addr.
func mmioRead8(addr PAddr) uint8

// mmioRead32 loads the 32-bit word at addr.
func mmioRead32(addr PAddr) uint32

// mmioRead64 loads the 64-bit word at addr.
func mmioRead64(addr PAddr) uint64

// mmioWrite16 stores a 16-bit value at addr.
func mmioWrite16(addr PAddr, v uint16)

// mmioWrite32 stores a 32-bit value at addr.
func mmioWrite32(addr PAddr, v uint32)

// mmioWrite64 stores a 64-bit value at addr.
func mmioWrite64(addr PAddr, v uint64)
