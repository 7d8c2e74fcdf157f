//go:build tamago && amd64

package microvm

// Register and memory leaves, defined in cpu_amd64.s.

// readCS returns the code segment selector; its low two bits are the CPL
// (Intel SDM Vol. 3A §5.5 "Privilege Levels").
func readCS() uint16

// readCR0 returns control register 0 (Intel SDM Vol. 3A §2.5).
func readCR0() uint64

// readCR3 returns control register 3, the page-map root (SDM Vol. 3A §2.5).
func readCR3() uint64

// readCR4 returns control register 4 (Intel SDM Vol. 3A §2.5).
func readCR4() uint64

// readMSR returns a model-specific register (Intel SDM Vol. 2B RDMSR).
func readMSR(msr uint32) uint64

// idtBase returns the linear base address of the loaded IDT (Intel SDM
// Vol. 2B SIDT; Vol. 3A §6.10 "Interrupt Descriptor Table").
func idtBase() uint64

// store64 writes a 64-bit value to a physical (identity-mapped) address.
func store64(addr uint64, val uint64)

// store8 writes a byte to a physical (identity-mapped) address, e.g. a
// device register.
func store8(addr uint64, val uint8)

// load8 reads a byte from a physical (identity-mapped) address.
func load8(addr uint64) uint8

// haltForever masks interrupts and halts the CPU for good (Intel SDM
// Vol. 2A CLI, HLT).
func haltForever()
