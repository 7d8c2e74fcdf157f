//go:build tamago

package imx8mpevk

import _ "unsafe" // go:linkname

// console is UART2: the Cortex-A53 console on the EVK's debug USB port,
// the one U-Boot and Linux use (Linux imx8mp-evk.dts: stdout-path =
// &uart2, "console"). QEMU's imx8mp-evk connects its second serial port
// there (-serial null -serial stdio, as in QEMU's
// docs/system/arm/imx8mp-evk.rst). TamaGo's board package prints on UART1,
// which the EVK routes elsewhere.
var console = UART{Base: UART2Base}

// printk is runtime/goos.Printk: every byte the runtime prints (print,
// panics, os.Stdout) goes to UART2, which Hwinit0 set up first.
//
//go:linkname printk runtime/goos.Printk
//go:nosplit
func printk(c byte) {
	console.Tx(c)
}
