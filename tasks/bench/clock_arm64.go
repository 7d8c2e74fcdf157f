//go:build tamago

package main

// counterHz reads CNTFRQ_EL0, the generic timer's frequency.
func counterHz() uint64

// newClock: the generic timer states its frequency (CNTFRQ_EL0).
func newClock() clock {
	if hz := counterHz(); hz != 0 {
		return clock{num: 1_000_000_000, den: hz}
	}
	return calibrateTicks()
}
