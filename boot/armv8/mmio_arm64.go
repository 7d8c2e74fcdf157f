//go:build tamago

package armv8

// Device register accesses of an exact width, defined in mmio_arm64.s so
// that the compiler neither merges, splits nor drops them.

// Read8 loads the byte at addr.
func Read8(addr PAddr) uint8

// Read16 loads the 16-bit word at addr.
func Read16(addr PAddr) uint16

// Read32 loads the 32-bit word at addr.
func Read32(addr PAddr) uint32

// Read64 loads the 64-bit word at addr.
func Read64(addr PAddr) uint64

// Write16 stores a 16-bit value at addr.
func Write16(addr PAddr, v uint16)

// Write32 stores a 32-bit value at addr.
func Write32(addr PAddr, v uint32)

// Write64 stores a 64-bit value at addr.
func Write64(addr PAddr, v uint64)
