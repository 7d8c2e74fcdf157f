//go:build tamago

package armv8

import "unsafe"

// The board's few raw memory accesses. Physical addresses are identity
// mapped (mmu.go, then the kernel's own tables), so a physical address is
// also a pointer.

// physPointer turns an identity-mapped physical address into a pointer.
func physPointer(pa uint64) unsafe.Pointer {
	return unsafe.Add(unsafe.Pointer(nil), uintptr(pa))
}

// addressOf returns the physical address of p.
func addressOf(p *uint64) uint64 {
	return uint64(uintptr(unsafe.Pointer(p)))
}

// textWord returns the instruction at pc. Precondition: pc is 4-aligned
// inside the kernel text.
func textWord(pc uint64) uint32 {
	return *(*uint32)(physPointer(pc))
}

// peek64 returns the 64-bit word at addr. Precondition: addr is
// 8-aligned and mapped (trapReport checks it against the heap window).
func peek64(addr uint64) uint64 {
	return *(*uint64)(physPointer(addr))
}

// PhysBytes returns the n bytes of RAM at pa, for a board reading what its
// loader left in memory (a device tree, boot files). Precondition:
// [pa, pa+n) is identity-mapped RAM the Go heap does not own.
func PhysBytes(pa PAddr, n uint64) []byte {
	return unsafe.Slice((*byte)(physPointer(uint64(pa))), n)
}
