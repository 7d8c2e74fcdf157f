//go:build tamago && amd64

package microvm

// Console input from COM1, polled. The registers are the 16550's (National
// Semiconductor PC16550D datasheet, Table 2 "Register Summary for an
// Individual Channel"), at the port offsets of the PC's COM1 (portCOM1).
const (
	uartRBR = 0 // receiver buffer register (read, DLAB = 0): the oldest received byte
	uartLSR = 5 // line status register (datasheet §8.4 "Line Status Register")

	// lsrDR is LSR bit 0, Data Ready: a complete character is in the
	// receiver buffer or FIFO; reading RBR takes it (and clears the bit
	// once the FIFO is empty) (datasheet §8.4, LSR0).
	lsrDR = 1 << 0
)

// consoleReadByte reads one byte typed on COM1 without waiting: ok is
// false while LSR.DR is clear. TamaGo's UART driver leaves DLAB at 0 after
// setting the baud rate, so offset 0 reads the receiver buffer.
func consoleReadByte() (c byte, ok bool) {
	if in8(portCOM1+uartLSR)&lsrDR == 0 {
		return 0, false
	}
	return in8(portCOM1 + uartRBR), true
}
