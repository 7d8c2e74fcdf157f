package arm64

import "testing"

// Golden register values, composed by hand from the field tables of the Arm
// ARM (D24.2 MAIR_EL1, TCR_EL1, TTBR0_EL1; C5.5 TLBI operands).
func TestGoldenRegisters(t *testing.T) {
	// MAIR_EL1: Attr0 = 0xff (Normal WB RA WA, inner and outer),
	// Attr1 = 0x04 (Device-nGnRE), Attr2 = 0x44 (Normal Non-cacheable).
	if MAIR != 0x4404ff {
		t.Errorf("MAIR = %#x, want 0x4404ff", MAIR)
	}
	f := DecodeFeatures(qemuA57MMFR0, 0)
	if f.ASIDBits != 16 || !f.Gran4 || f.PARange != 0b0100 || f.HWAccess || f.HWDirty {
		t.Errorf("DecodeFeatures(cortex-a57) = %+v", f)
	}
	// TCR_EL1: T0SZ=16 (0x10), IRGN0=01 (0x100), ORGN0=01 (0x400),
	// SH0=11 (0x3000), TG0=00, T1SZ=16 (0x100000), IRGN1=01 (0x1000000),
	// ORGN1=01 (0x4000000), SH1=11 (0x30000000), TG1=10 (0x80000000),
	// IPS=0b100 (44 bits, from PARange; 0x400000000), AS=1 (0x1000000000).
	if got := tcrValue(f, false, false); got != 0x14b5103510 {
		t.Errorf("TCR(a57) = %#x, want 0x14b5103510", got)
	}
	// PARange 52 bits is capped at IPS 48 bits (0b101); HA bit 39, HD bit 40.
	f52 := DecodeFeatures(0b0110|0b0010<<4, 0b0010)
	if !f52.HWAccess || !f52.HWDirty {
		t.Errorf("HAFDBS=2 not decoded: %+v", f52)
	}
	if got := tcrValue(f52, true, true); got != 0x195b5103510 {
		t.Errorf("TCR(52-bit, HA, HD) = %#x, want 0x195b5103510", got)
	}
	// 8-bit ASIDs: no AS bit.
	if f8 := DecodeFeatures(0b0101, 0b0001); f8.ASIDBits != 8 || !f8.HWAccess || f8.HWDirty {
		t.Errorf("DecodeFeatures(8-bit ASID, AF only) = %+v", f8)
	} else if got := tcrValue(f8, false, false); got&tcrAS != 0 {
		t.Errorf("TCR with 8-bit ASIDs sets AS: %#x", got)
	}
	if f := DecodeFeatures(0xf<<28, 0); f.Gran4 {
		t.Errorf("TGran4 = 0b1111 decoded as supported")
	}
	if got := ttbr0Value(0x4000_0000, 7); got != 0x0007_0000_4000_0000 {
		t.Errorf("TTBR0 = %#x", got)
	}
	if got := tlbiVA(5, 0x7fff_ffff_f000); got != 0x0005_0007_ffff_ffff {
		t.Errorf("TLBI VAE1IS operand = %#x", got)
	}
	if got := tlbiVA(0, 0xffff_0000_0000_1000); got != 0x0ff0_0000_0001 {
		t.Errorf("TLBI VAE1IS operand (upper) = %#x", got)
	}
	if got := tlbiASID(0x1234); got != 0x1234_0000_0000_0000 {
		t.Errorf("TLBI ASIDE1IS operand = %#x", got)
	}
}

// TestTCRLeavesPBHAIgnored: swDirty lives in descriptor bit[59], which the
// hardware ignores only while TCR_EL1.HWU059 and HWU159 (bits[43] and [47],
// and the other HWUnn in bits[50:43]) are 0 (D8.3.2 and the TCR_EL1
// register description).
func TestTCRLeavesPBHAIgnored(t *testing.T) {
	for _, asid := range []int{8, 16} {
		for _, hw := range []bool{false, true} {
			v := tcrValue(Features{ASIDBits: asid, PARange: 5}, hw, hw)
			if hwu := v >> 43 & 0xff; hwu != 0 {
				t.Errorf("tcrValue(ASIDBits %d, hardware flags %v) = %#x: HWUnn = %#x, want 0", asid, hw, v, hwu)
			}
		}
	}
}

// DCZID_EL0 (Arm ARM D19.2): ZeroFrame uses DC ZVA with the block BS
// names unless DZP prohibits it or the block is over 512 bytes.
func TestZVABlock(t *testing.T) {
	for _, tc := range []struct {
		dczid, want uint64
	}{
		{0x4, 64},               // BS = 4: 16 words, the Cortex-A53's and A57's
		{0x0, 4},                // one word
		{0x7, 512},              // the largest eight blocks of which divide a page
		{0x8, 0},                // 1 KiB: cleared with stores
		{0x9, 0},                // 2 KiB, the largest BS can name
		{dczidDZP | 0x4, 0},     // prohibited
		{0xffff_ffe0 | 0x4, 64}, // RES0 bits do not matter
	} {
		if got := zvaBlock(tc.dczid); got != tc.want {
			t.Errorf("zvaBlock(%#x) = %d, want %d", tc.dczid, got, tc.want)
		}
	}
}
