//go:build tamago

package main

import "time"

// entryTicks is the counter at the program's first instruction (entry,
// clock_<arch>.s).
var entryTicks uint64

// ticks reads the CPU's free-running counter from user mode: the
// time-stamp counter on amd64, the virtual count on arm64. Under QEMU
// -icount both advance with the guest's instruction count, and both kernels
// leave them readable at user level, so the same code times both.
func ticks() uint64

// clock converts counter ticks into nanoseconds since reset.
type clock struct {
	// ns per tick as a ratio num/den.
	num, den uint64
}

// ns converts t ticks into nanoseconds.
func (c clock) ns(t uint64) int64 {
	hi, lo := t/c.den, t%c.den
	return int64(hi*c.num + lo*c.num/c.den)
}

// calibrate measures the counter's rate against CLOCK_REALTIME (the
// runtime's clock) over about a millisecond: the TSC's rate is not
// architectural. Under -icount shift=0 both count guest instructions and
// the ratio is 1.
func calibrateTicks() clock {
	t0, n0 := ticks(), time.Now()
	for time.Since(n0) < 2*time.Millisecond {
	}
	t1, n1 := ticks(), time.Now()
	dt, dn := t1-t0, uint64(n1.Sub(n0))
	// Round the ratio to parts per million.
	ppm := (dn*1_000_000 + dt/2) / dt
	return clock{num: ppm, den: 1_000_000}
}
