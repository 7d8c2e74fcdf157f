//go:build tamago

package main

import "unsafe"

// word is the word at addr, memory from vm_allocate.
func word(addr uint64) *uint64 { return (*uint64)(unsafe.Add(unsafe.Pointer(nil), uintptr(addr))) }
