//go:build tamago && amd64

package microvm

// Port I/O (Intel SDM Vol. 1 §19.4 "I/O Instructions"; Vol. 2 IN, OUT),
// defined in port_amd64.s. TamaGo's internal/reg has the same leaves but
// cannot be imported from outside its module.

// in8 reads a byte from an I/O port.
func in8(port uint16) uint8

// out8 writes a byte to an I/O port.
func out8(port uint16, val uint8)

// out16 writes a 16-bit word to an I/O port.
func out16(port uint16, val uint16)

// out32 writes a 32-bit doubleword to an I/O port.
func out32(port uint16, val uint32)
