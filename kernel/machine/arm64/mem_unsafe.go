//go:build tamago && arm64

package arm64

import "unsafe"

// load32 reads the 32-bit word at the identity-mapped address addr (an
// instruction word of the kernel's text).
func load32(addr uint64) uint32 {
	return *(*uint32)(unsafe.Add(unsafe.Pointer(nil), uintptr(addr)))
}

// load64 reads the 64-bit word at the identity-mapped address addr.
func load64(addr uint64) uint64 {
	return *(*uint64)(unsafe.Add(unsafe.Pointer(nil), uintptr(addr)))
}

// store64 writes the 64-bit word at the mapped address addr.
func store64(addr, v uint64) {
	*(*uint64)(unsafe.Add(unsafe.Pointer(nil), uintptr(addr))) = v
}
