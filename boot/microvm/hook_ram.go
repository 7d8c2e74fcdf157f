//go:build tamago && amd64

package microvm

import _ "unsafe" // go:linkname

// ramStartHook and ramSizeHook place the Go runtime's RAM, which holds the
// kernel image, the heap and the boot stack (runtime/goos.RamStart,
// RamSize; layout.go draws the map). TamaGo's amd64 package defines
// RamStart too unless built with the linkramstart tag, which build.mk sets.
// TamaGo's cpuinit reads both before any Go code runs.
//
//go:linkname ramStartHook runtime/goos.RamStart
var ramStartHook uint = ramStart

// ramSizeHook: see ramStartHook.
//
//go:linkname ramSizeHook runtime/goos.RamSize
var ramSizeHook uint = ramSize
