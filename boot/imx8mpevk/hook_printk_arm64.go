//go:build tamago

package imx8mpevk

import _ "unsafe" // go:linkname

// console is UART1, the EVK's debug console.
var console = UART{Base: UART1Base}

// printk is runtime/goos.Printk: every byte the runtime prints (print,
// panics, os.Stdout) goes to UART1, which Hwinit0 set up first.
//
//go:linkname printk runtime/goos.Printk
//go:nosplit
func printk(c byte) {
	console.Tx(c)
}
