package microvm

import "github.com/tamach/tamach/boot"

// Board describes the machine to the kernel. Arch and Name are fixed; the
// rest is filled in by the package's init on GOOS=tamago (init.go), before
// the kernel's main runs.
var Board = boot.Board{
	Arch: "amd64",
	Name: "microvm",
}

// I/O ports of the devices the board drives.
const (
	// portCOM1 is the first 16550 UART, the console (QEMU microvm
	// option isa-serial=on; docs/system/i386/microvm.rst).
	portCOM1 = 0x3f8

	// portPITCounter0 and portPITControl are the i8254 PIT's counter 0
	// data port and its control word register (Intel 8254 Programmable
	// Interval Timer datasheet, order 231164-005, Table 1 "Register
	// addresses", at the PC's base 0x40).
	portPITCounter0 = 0x40
	portPITControl  = 0x43

	// portDebugExit is QEMU's isa-debug-exit device, which the board
	// expects at iobase=0xf4,iosize=0x04 (qemu.mk). Writing v makes QEMU
	// exit with status (v<<1)|1 (QEMU hw/misc/debugexit.c).
	portDebugExit = 0xf4

	// portFwCfgSelector and portFwCfgData are QEMU's fw_cfg registers on
	// x86: a 16-bit selector and an 8-bit data port (QEMU
	// docs/specs/fw_cfg.rst, "Selector (Control) Register", "Data
	// Register").
	portFwCfgSelector = 0x510
	portFwCfgData     = 0x511
)

// Memory-mapped devices of QEMU microvm with acpi=on (QEMU
// include/hw/i386/microvm.h, hw/i386/microvm.c microvm_devices_init).
const (
	// gedBase is the ACPI Generic Event Device; its three byte-wide
	// registers (sleep control, sleep status, reset) start at
	// gedRegs (QEMU include/hw/acpi/generic_event_device.h).
	gedBase = 0xfea00000
	gedRegs = gedBase + 0x200

	// virtioMMIOBase is the first of the virtio-mmio transports,
	// virtioMMIOStride bytes apart; with acpi=on the second IOAPIC is
	// present and microvm creates virtioMMIOCount of them, on GSIs 24-47.
	virtioMMIOBase   = 0xfeb00000
	virtioMMIOStride = 0x200
	virtioMMIOCount  = 24

	// ioapic0Base and ioapic1Base are the two I/O APICs (GSI 0-23 and
	// 24-47); lapicBase is the local APIC (Intel SDM Vol. 3A §11.4.1,
	// "The Local APIC Block Diagram", default base 0xfee00000).
	ioapic0Base = 0xfec00000
	ioapic1Base = 0xfec10000
	lapicBase   = 0xfee00000

	// devicePage is the size listed for each register block.
	devicePage = 0x1000
)

// ACPI GED sleep control register fields (QEMU
// include/hw/acpi/generic_event_device.h; ACPI 6.5 §4.8.3.7 "Sleep Control
// and Status Registers"): SLP_TYP in bits 4:2, SLP_EN in bit 5. QEMU powers
// off when SLP_EN is written with SLP_TYP = 5 (S5, soft off).
const (
	gedSleepCtl    = gedRegs + 0x00
	gedSlpTypShift = 2
	gedSlpTypS5    = 5
	gedSlpEn       = 1 << 5
)

// Exit codes the board writes to isa-debug-exit. QEMU exits with
// (code<<1)|1, so every failing exit is odd and never 0.
const (
	exitCodeFail      = 1  // Board.Fail: QEMU status 3
	exitCodeException = 64 // an unhandled CPU exception: QEMU status 129
)
