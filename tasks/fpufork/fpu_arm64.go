//go:build tamago

package main

// FPCR.RMode, bits 23:22 (Arm ARM C5.2.8 "FPCR, Floating-point Control
// Register": 0b11 is Round towards Zero).
const (
	fpcrRModeShift   = 22
	fpcrRModeMask    = 3 << fpcrRModeShift
	fpcrRModeTowardZ = 3 << fpcrRModeShift
)

// withRoundTowardZero returns v with the rounding mode set to toward zero.
func withRoundTowardZero(v uint64) uint64 { return v&^fpcrRModeMask | fpcrRModeTowardZ }

// fpControl returns FPCR.
func fpControl() uint64

// setFPControl writes FPCR.
func setFPControl(v uint64)
