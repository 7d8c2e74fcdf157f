//go:build tamago

package main

// MXCSR rounding control, bits 14:13 (Intel SDM Vol. 1 §10.2.3, Figure
// 10-3; Table 4-8: 0b11 rounds toward zero).
const (
	mxcsrRCShift   = 13
	mxcsrRCMask    = 3 << mxcsrRCShift
	mxcsrRCTowardZ = 3 << mxcsrRCShift
)

// withRoundTowardZero returns v with the rounding mode set to toward zero.
func withRoundTowardZero(v uint64) uint64 { return v&^mxcsrRCMask | mxcsrRCTowardZ }

// fpControl returns MXCSR (STMXCSR).
func fpControl() uint64

// setFPControl loads MXCSR (LDMXCSR).
func setFPControl(v uint64)
