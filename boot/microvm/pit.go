package microvm

// The i8254 Programmable Interval Timer is the reference clock of this
// board. QEMU microvm offers, under TCG, the PIT (pit=on), the MC146818 RTC
// (rtc=on, 1 s resolution unless its periodic interrupt is used) and the
// local APIC timer, whose rate is the unknown being measured; it has no HPET
// and no ACPI PM timer (its ACPI is hardware-reduced: QEMU
// hw/i386/microvm.c microvm_devices_init, docs/system/i386/microvm.rst).
// QEMU computes the PIT count from QEMU_CLOCK_VIRTUAL on every read
// (hw/timer/i8254_common.c pit_get_count), so it is the guest-visible form of
// QEMU's own clock.
//
// Counter 2, the usual calibration counter, is gated by port 0x61, which
// microvm does not emulate (no pcspk device), and QEMU resets its gate low;
// counter 0 is always gated on. The board programs counter 0 as a free-running
// rate generator and reads it with counter latch commands. Its output goes to
// GSI 2 of the IOAPIC, whose redirection entries stay masked, and to the
// 8259 PIC, which qemu.mk turns off (pic=off).

// pitHz is the PIT input clock (Intel 8254 datasheet, and QEMU PIT_FREQ in
// include/hw/timer/i8254.h): 1.193182 MHz.
const pitHz = 1193182

// Control word fields (Intel 8254 datasheet, "Control Word Format", Figure
// 7): SC1-SC0 select the counter (bits 7:6), RW1-RW0 the access (bits 5:4),
// M2-M0 the mode (bits 3:1), BCD the count format (bit 0).
const (
	pitSelectCounter0 = 0b00 << 6

	pitAccessLatch  = 0b00 << 4 // counter latch command
	pitAccessLSBMSB = 0b11 << 4 // read/write LSB, then MSB

	pitMode2 = 0b010 << 1 // rate generator: counts N..1, reloads N

	pitBinary = 0 << 0
)

// pitReloadFree is the reload value written to run the counter through its
// whole 16-bit range: 0 means 65536 in binary mode (8254 datasheet, "Mode
// 2"), one period every 54.9 ms.
const pitReloadFree = 0

// pitProgramMode2 is the control word that starts counter 0 as a free
// running rate generator; pitLatchCounter0 latches its count for reading.
const (
	pitProgramMode2  = pitSelectCounter0 | pitAccessLSBMSB | pitMode2 | pitBinary
	pitLatchCounter0 = pitSelectCounter0 | pitAccessLatch
)

// pitTicksBetween returns how many PIT input clocks passed from a read of
// prev to a later read of cur of a down-counter in its free-running 16-bit
// range. It is exact as long as the reads are less than one period (65536
// ticks, 54.9 ms) apart.
func pitTicksBetween(prev, cur uint16) uint64 {
	return uint64(prev - cur)
}

// pitTicksToNanos converts PIT ticks to nanoseconds.
func pitTicksToNanos(ticks uint64) int64 {
	return int64(ticks * 1e9 / pitHz)
}

// tscHz returns the TSC frequency measured as tscTicks TSC ticks during
// pitTicks PIT ticks.
func tscHz(tscTicks, pitTicks uint64) uint64 {
	if pitTicks == 0 {
		panic("microvm.tscHz: no PIT ticks")
	}
	// tscTicks*pitHz overflows uint64 only past ~1.5e13 TSC ticks, hours
	// of calibration; split the product to stay exact anyway.
	whole := tscTicks / pitTicks
	rest := tscTicks % pitTicks
	return whole*pitHz + rest*pitHz/pitTicks
}
