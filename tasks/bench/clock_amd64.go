//go:build tamago

package main

// newClock: the TSC's rate is calibrated.
func newClock() clock { return calibrateTicks() }
