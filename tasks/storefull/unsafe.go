//go:build tamago

package main

import "unsafe"

// wordAt is the word at addr, memory the task got from vm_allocate (not
// managed by Go's heap).
func wordAt(addr uint64) *uint64 {
	return (*uint64)(unsafe.Add(unsafe.Pointer(nil), uintptr(addr)))
}
