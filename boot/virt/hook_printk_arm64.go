//go:build tamago

package virt

import _ "unsafe" // go:linkname

// console is the PL011 the runtime prints to.
var console = PL011{Base: UARTBase}

// printk is runtime/goos.Printk: every byte the runtime prints (print,
// panics, os.Stdout) goes to the PL011. QEMU's PL011 transmits without
// initialisation, so printk works from the first instruction of Go code.
//
//go:linkname printk runtime/goos.Printk
//go:nosplit
func printk(c byte) {
	console.Tx(c)
}
