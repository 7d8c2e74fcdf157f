//go:build tamago

package virt

import _ "unsafe" // go:linkname

// The Go heap window TamaGo's runtime allocates from: it holds the image
// (linked at ImageBase), the heap after it and the boot stack at its top
// (runtime/goos.RamStart, RamSize, RamStackOffset; memmap.go).

//go:linkname ramStart runtime/goos.RamStart
var ramStart uint = uint(HeapBase)

//go:linkname ramSize runtime/goos.RamSize
var ramSize uint = HeapSize

//go:linkname ramStackOffset runtime/goos.RamStackOffset
var ramStackOffset uint = StackOffset
