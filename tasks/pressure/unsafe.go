//go:build tamago

package main

import "unsafe"

// wordsAt is the n words at addr, memory the task got from vm_allocate (not
// managed by Go's heap).
func wordsAt(addr, n uint64) []uint64 {
	return unsafe.Slice((*uint64)(unsafe.Add(unsafe.Pointer(nil), uintptr(addr))), n)
}
