//go:build tamago

package main

import (
	"runtime"
	"unsafe"
)

// goarch picks the return instruction of testExecNX.
const goarch = runtime.GOARCH

// ptr is the word at addr, memory the task got from vm_allocate (not
// managed by Go's heap).
func ptr(addr uint64) *uint64 { return (*uint64)(unsafe.Add(unsafe.Pointer(nil), uintptr(addr))) }

// bytesAt is n bytes at addr.
func bytesAt(addr, n uint64) []byte {
	return unsafe.Slice((*byte)(unsafe.Add(unsafe.Pointer(nil), uintptr(addr))), n)
}

// call jumps to code at addr as to a Go function without arguments: a Go
// func value points to a word holding the code address.
func call(addr uint64) {
	code := uintptr(addr)
	fv := &code
	f := *(*func())(unsafe.Pointer(&fv))
	f()
}
