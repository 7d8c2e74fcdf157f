//go:build tamago

package imx8mpevk

import _ "unsafe" // go:linkname

// The Go heap window TamaGo's runtime allocates from: it holds the image
// (linked at ImageBase), the heap after it and the boot stack at its top
// (runtime/goos.RamStart, RamSize, RamStackOffset; memmap.go). TamaGo's own
// board package for the EVK sets RamSize to the whole 6 GiB and puts the
// stack at its top; this board neither imports it nor needs its
// linkramsize tag.

//go:linkname ramStart runtime/goos.RamStart
var ramStart uint = uint(HeapBase)

//go:linkname ramSize runtime/goos.RamSize
var ramSize uint = HeapSize

//go:linkname ramStackOffset runtime/goos.RamStackOffset
var ramStackOffset uint = StackOffset
