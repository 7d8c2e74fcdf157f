//go:build tamago

package imx8mpevk

import "github.com/tamach/tamach/boot/armv8"

// The i.MX UART (IMX8MPRM, chapter "Universal Asynchronous
// Receiver/Transmitter (UART)", section "UART Memory Map/Register
// Definition"; the same block as on earlier i.MX parts). The EVK's debug
// console is UART2 on its micro-USB debug port, 115200 8N1.
const (
	uartURXD = 0x00 // receiver register (section "UART Receiver Register (UARTx_URXD)")
	uartUTXD = 0x40 // transmitter register
	uartUCR1 = 0x80 // control register 1
	uartUCR2 = 0x84 // control register 2
	uartUCR3 = 0x88 // control register 3
	uartUFCR = 0x90 // FIFO control register
	uartUBIR = 0xa4 // BRM incremental register
	uartUBMR = 0xa8 // BRM modulator register
	uartUTS  = 0xb4 // test register

	ucr1UARTEN    = 1 << 0  // UCR1: UART enable
	ucr2SRST      = 1 << 0  // UCR2: software reset, active low (reads 1 when done)
	ucr2RXEN      = 1 << 1  // UCR2: receiver enable
	ucr2TXEN      = 1 << 2  // UCR2: transmitter enable
	ucr2WS        = 1 << 5  // UCR2: word size 8 bits (PREN = 0: no parity, STPB = 0: 1 stop bit)
	ucr2IRTS      = 1 << 14 // UCR2: ignore the RTS pin
	ucr3RXDMUXSEL = 1 << 2  // UCR3: RXD muxed input selected, must be set on i.MX parts
	ufcrRFDIVBy1  = 0b101 << 7
	ufcrTXTL      = 2 << 10 // UFCR: transmitter FIFO trigger level
	ufcrRXTL      = 1 << 0  // UFCR: receiver FIFO trigger level
	utsTXFULL     = 1 << 4  // UTS: transmit FIFO full
	uartUSR2      = 0x98    // status register 2 (section "UART Status Register 2 (UARTx_USR2)")
	usr2RDR       = 1 << 0  // USR2.RDR: receive data ready, at least one character in the RxFIFO
	urxdData      = 0xff    // URXD[7:0] RX_DATA: the received character (URXD[15:10] are its error flags)

	// uartRefHz is the UART module clock after reset: UART2_CLK_ROOT
	// from the 24 MHz oscillator (IMX8MPRM, chapter "Clock Control Module
	// (CCM)", clock root table), divided by 1 (UFCR.RFDIV = 0b101).
	uartRefHz = 24_000_000
	uartBaud  = 115_200
	// With UBIR = 15 the baud rate is ref / (16 x (UBMR+1) / (UBIR+1)) =
	// ref / (UBMR+1) (section "Binary Rate Multiplier (BRM)"): UBMR 207
	// gives 115384 baud, 0.16% fast.
	uartUBIRValue = 15
	uartUBMRValue = uartRefHz/uartBaud - 1
)

// UART is one i.MX UART, polled: no interrupts, no DMA.
type UART struct {
	Base PAddr
	// kept says Init found the UART set up by the boot loader (U-Boot)
	// and left its baud rate alone.
	kept bool
}

// Init makes the UART transmit at 115200 8N1. A UART already enabled
// (UCR1.UARTEN and UCR2.TXEN set: U-Boot leaves the EVK's console so, and
// QEMU's model comes out of reset so, hw/char/imx_serial.c) is kept as it
// is: its clock and baud rate are right for the board. Otherwise (a UART
// in its reset state, as when nothing ran before the kernel on the real
// board) it is reset and programmed. Init only writes registers and may
// run before the MMU is on.
func (u *UART) Init() {
	if armv8.Read32(u.Base+uartUCR1)&ucr1UARTEN != 0 && armv8.Read32(u.Base+uartUCR2)&ucr2TXEN != 0 {
		u.kept = true
		return
	}
	armv8.Write32(u.Base+uartUCR1, 0)
	armv8.Write32(u.Base+uartUCR2, 0) // SRST = 0: reset the state machines and FIFOs
	for i := 0; i < 1000 && armv8.Read32(u.Base+uartUCR2)&ucr2SRST == 0; i++ {
	}
	armv8.Write32(u.Base+uartUCR3, ucr3RXDMUXSEL)
	armv8.Write32(u.Base+uartUFCR, ufcrRFDIVBy1|ufcrTXTL|ufcrRXTL)
	// UBIR must be written before UBMR (section "UART BRM Incremental
	// Register (UARTx_UBIR)").
	armv8.Write32(u.Base+uartUBIR, uartUBIRValue)
	armv8.Write32(u.Base+uartUBMR, uartUBMRValue)
	armv8.Write32(u.Base+uartUCR2, ucr2SRST|ucr2RXEN|ucr2TXEN|ucr2WS|ucr2IRTS)
	armv8.Write32(u.Base+uartUCR1, ucr1UARTEN)
}

// Tx writes one byte, waiting while the transmit FIFO is full.
//
//go:nosplit
func (u *UART) Tx(c byte) {
	for armv8.Read32(u.Base+uartUTS)&utsTXFULL != 0 {
	}
	armv8.Write32(u.Base+uartUTXD, uint32(c))
}

// Describe says how the console was set up, for Info.
func (u *UART) Describe() string {
	how := "programmed 115200 8N1 (24 MHz reference, UBIR 15, UBMR 207)"
	if u.kept {
		how = "found enabled (U-Boot, or QEMU's reset state), kept as it was"
	}
	return "console: UART2 at " + hexAddr(uint64(u.Base)) + ", " + how
}

// Rx reads one received byte without waiting: ok is false while USR2.RDR
// (receive data ready, IMX8MPRM UART chapter, "UART Status Register 2
// (UARTx_USR2)") is clear. Reading URXD pops the character from the
// RxFIFO; its error flags (URXD[15:10]: ERR, OVRRUN, FRMERR, BRK, PRERR)
// are dropped.
func (u *UART) Rx() (c byte, ok bool) {
	if armv8.Read32(u.Base+uartUSR2)&usr2RDR == 0 {
		return 0, false
	}
	return byte(armv8.Read32(u.Base+uartURXD) & urxdData), true
}
