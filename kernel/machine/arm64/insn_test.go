package arm64

import (
	"testing"

	"golang.org/x/arch/arm64/arm64asm"
)

// TestA64Encodings compares each encoder with golden words: the encodings
// the Arm ARM's diagrams give (C6.2, C7.2), as GNU as assembles them, and
// with what an independent decoder (golang.org/x/arch/arm64/arm64asm) reads
// back.
func TestA64Encodings(t *testing.T) {
	cases := []struct {
		got  uint32
		want uint32
		gnu  string
	}{
		{a64SVC(0), 0xd4000001, "svc #0x0"},
		{a64BRK(0), 0xd4200000, "brk #0x0"},
		{a64MRS(0, sysregCNTVCTEL0), 0xd53be040, "mrs x0, s3_3_c14_c0_2"},
		{a64MRS(0, sysregTPIDREL0), 0xd53bd040, "mrs x0, s3_3_c13_c0_2"},
		{a64MOVZ(8, 0x40, 0), 0xd2800808, "mov x8, #0x40"},
		{a64MOVK(0, 0x1234, 16), 0xf2a24680, "movk x0, #0x1234, lsl #16"},
		{a64STR(1, 0), 0xf9000001, "str x1, [x0]"},
		{a64LDR(1, 0), 0xf9400001, "ldr x1, [x0]"},
		{a64ADDImm(0, 0, 1), 0x91000400, "add x0, x0, #0x1"},
		{a64B(0), 0x14000000, "b .+0x0"},
		{a64B(-4), 0x17ffffff, "b .+0xfffffffffffffffc"},
		{a64CBZ(0, 8), 0xb4000040, "cbz x0, .+0x8"},
		{a64FADDD(0, 1, 2), 0x1e622820, "fadd d0, d1, d2"},
		// trap_arm64.h's AT_S1E1R_X0 and AT_S1E0R_X0; arm64asm does
		// not decode the SYS aliases, so only the words are compared.
		{a64AT(0, atS1E1ROp2, 0), 0xd5087800, ""},
		{a64AT(0, atS1E0ROp2, 0), 0xd5087840, ""},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("%s: encoded %#08x, want %#08x", c.gnu, c.got, c.want)
		}
		if c.gnu == "" {
			continue
		}
		b := []byte{byte(c.got), byte(c.got >> 8), byte(c.got >> 16), byte(c.got >> 24)}
		inst, err := arm64asm.Decode(b)
		if err != nil {
			t.Errorf("%s: %#08x does not decode: %v", c.gnu, c.got, err)
			continue
		}
		if s := arm64asm.GNUSyntax(inst); s != c.gnu {
			t.Errorf("%#08x decodes as %q, want %q", c.got, s, c.gnu)
		}
	}
}

func TestA64MOV64(t *testing.T) {
	words := a64MOV64(9, 0xffff_ff80_0000_1234)
	want := []uint32{a64MOVZ(9, 0x1234, 0), a64MOVK(9, 0xff80, 32), a64MOVK(9, 0xffff, 48)}
	if len(words) != len(want) {
		t.Fatalf("a64MOV64 gave %d words, want %d", len(words), len(want))
	}
	for i := range want {
		if words[i] != want[i] {
			t.Errorf("word %d = %#08x, want %#08x", i, words[i], want[i])
		}
	}
	if w := a64MOV64(3, 0); len(w) != 1 || w[0] != a64MOVZ(3, 0, 0) {
		t.Errorf("a64MOV64(0) = %#x, want one MOVZ", w)
	}
}
