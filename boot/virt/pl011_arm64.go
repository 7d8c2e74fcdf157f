//go:build tamago

package virt

import "github.com/tamach/tamach/boot/armv8"

// PL011 registers and bits (ARM PrimeCell UART (PL011) Technical Reference
// Manual, DDI 0183G, §3.2 "Summary of registers" and §3.3 "Register
// descriptions"). QEMU's model (hw/char/pl011.c) needs no baud rate setup.
const (
	uartDR   = 0x000 // data register (§3.3.1)
	uartFR   = 0x018 // flag register (§3.3.3)
	uartCR   = 0x030 // control register (§3.3.8)
	uartIMSC = 0x038 // interrupt mask set/clear (§3.3.10)

	uartFRRXFE = 1 << 4 // FR.RXFE: receive FIFO empty (§3.3.3, Table 3-5)
	uartFRTXFF = 1 << 5 // transmit FIFO full
	uartDRData = 0xff   // DR[7:0]: the received character (§3.3.1, Table 3-2); bits 11:8 are its error flags
	uartCRUART = 1 << 0 // UARTEN
	uartCRTXE  = 1 << 8 // transmit enable
	uartCRRXE  = 1 << 9 // receive enable
)

// PL011 is one PL011 UART.
type PL011 struct {
	Base PAddr
}

// Init enables the UART's transmitter and receiver with its interrupts
// masked: the console is polled.
func (u *PL011) Init() {
	armv8.Write32(u.Base+uartIMSC, 0)
	armv8.Write32(u.Base+uartCR, uartCRUART|uartCRTXE|uartCRRXE)
}

// Tx writes one byte, waiting while the transmit FIFO is full.
//
//go:nosplit
func (u *PL011) Tx(c byte) {
	for armv8.Read32(u.Base+uartFR)&uartFRTXFF != 0 {
	}
	armv8.Write32(u.Base+uartDR, uint32(c))
}

// Rx reads one received byte without waiting: ok is false while the
// receive FIFO (or, with the FIFO disabled, the holding register) is empty,
// FR.RXFE set (DDI 0183G §3.3.3). Reading DR pops the byte (§3.3.1); the
// error flags in DR[11:8] are dropped: QEMU's model never sets them.
func (u *PL011) Rx() (c byte, ok bool) {
	if armv8.Read32(u.Base+uartFR)&uartFRRXFE != 0 {
		return 0, false
	}
	return byte(armv8.Read32(u.Base+uartDR) & uartDRData), true
}
