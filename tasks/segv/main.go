// Command segv touches an unmapped address: the kernel kills it with one
// report line (pc, address, access, KERN_INVALID_ADDRESS, the instruction)
// and `make qemu CMDLINE=run=segv` exits non-zero.
package main

import (
	"fmt"
	"unsafe"
)

// unmapped is below the lowest address a task can map (page 0).
const unmapped = 0x10

func main() {
	fmt.Println("segv: reading address 0x10")
	fmt.Println("FAIL segv: read", *word(unmapped))
}

// word is the word at addr.
func word(addr uint64) *uint64 { return (*uint64)(unsafe.Add(unsafe.Pointer(nil), uintptr(addr))) }
