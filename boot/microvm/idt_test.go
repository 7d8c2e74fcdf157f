package microvm

import "testing"

func TestInterruptGate(t *testing.T) {
	// Intel SDM Vol. 3A Figure 6-8, for handler 0x0000123456789abc in
	// selector 0x08: offset 15:0 = 0x9abc, selector 0x0008, IST 0,
	// type 0xe with P=1 and DPL=0 (byte 0x8e), offset 31:16 = 0x5678,
	// offset 63:32 = 0x00001234.
	lo, hi := interruptGate(0x0000123456789abc, 0x08)
	if want := uint64(0x56788e0000089abc); lo != want {
		t.Errorf("lo = %#016x, want %#016x", lo, want)
	}
	if want := uint64(0x1234); hi != want {
		t.Errorf("hi = %#016x, want %#016x", hi, want)
	}
}
