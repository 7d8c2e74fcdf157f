package arm64

import "testing"

func TestVectorNames(t *testing.T) {
	tests := []struct {
		v    Vector
		want string
	}{
		{0, "current EL with SP0 synchronous (VBAR_EL1+0x000)"},
		{GroupCurrentSPx + KindSync, "current EL with SPx synchronous (VBAR_EL1+0x200)"},
		{GroupCurrentSPx + KindIRQ, "current EL with SPx IRQ (VBAR_EL1+0x280)"},
		{GroupLower64 + KindFIQ, "lower EL AArch64 FIQ (VBAR_EL1+0x500)"},
		{GroupLower32 + KindSError, "lower EL AArch32 SError (VBAR_EL1+0x780)"},
		{NumVectors, "vector 16 (invalid)"},
	}
	for _, tt := range tests {
		if got := tt.v.String(); got != tt.want {
			t.Errorf("Vector(%d) = %q, want %q", tt.v, got, tt.want)
		}
	}
}
