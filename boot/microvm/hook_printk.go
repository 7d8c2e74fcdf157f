//go:build tamago && amd64

package microvm

import _ "unsafe" // go:linkname

// printk is the runtime's console output (runtime/goos.Printk): every byte
// of print, panic messages and os.Stdout goes to COM1. It runs before
// Hwinit1, so it uses only the statically initialised console.
//
//go:linkname printk runtime/goos.Printk
func printk(c byte) {
	console.Tx(c)
}
