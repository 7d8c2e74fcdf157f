package amd64

import "testing"

func TestInterruptGate(t *testing.T) {
	for _, tc := range []struct {
		handler, dpl, lo, hi uint64
	}{
		// offset 15:0 0x4567, selector 0x08, type 1110 P=1 DPL=0
		// (0x8e), offset 31:16 0x0123, offset 63:32 0.
		{0x0123_4567, DPLKernel, 0x0123_8e00_0008_4567, 0},
		// DPL 3 makes the attribute byte 0xee.
		{0xffff_ff80_0000_1234, DPLUser, 0x0000_ee00_0008_1234, 0xffff_ff80},
	} {
		lo, hi := InterruptGate(tc.handler, 0x08, tc.dpl)
		if lo != tc.lo || hi != tc.hi {
			t.Errorf("InterruptGate(%#x, 0x08, %d) = %#016x %#016x, want %#016x %#016x", tc.handler, tc.dpl, lo, hi, tc.lo, tc.hi)
		}
		if h := GateHandler(lo, hi); h != tc.handler {
			t.Errorf("GateHandler = %#x, want %#x", h, tc.handler)
		}
	}
}
