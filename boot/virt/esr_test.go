package virt

import (
	"strings"
	"testing"
)

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

func TestESRDataAbort(t *testing.T) {
	// A translation fault at level 0 on a read at EL1: QEMU's ESR for the
	// kernel's "fault" command word.
	e := ESR(0x96000004)
	if e.EC() != ECDataAbort || !e.IsDataAbort() || e.WnR() || e.FSC() != 0x4 || !e.Is32() {
		t.Fatalf("decode %#x: EC %#x WnR %v FSC %#x", uint64(e), e.EC(), e.WnR(), e.FSC())
	}
	got := strings.Join(e.Describe(), "\n")
	for _, want := range []string{"EC 0x25 data abort without a change of EL", "DFSC 0x4 translation fault, level 0", "WnR 0 (read)"} {
		if !strings.Contains(got, want) {
			t.Errorf("Describe() = %q, lacks %q", got, want)
		}
	}
	w := ESR(0x96000047) // write, translation fault level 3
	if !w.WnR() || FSCName(w.FSC()) != "translation fault, level 3" {
		t.Errorf("write abort: WnR %v, %s", w.WnR(), FSCName(w.FSC()))
	}
}

func TestESROtherClasses(t *testing.T) {
	tests := []struct {
		esr  ESR
		want string
	}{
		{0x02000000, "unknown reason (undefined instruction)"},
		{ESR(ECBRK64)<<esrECShift | 1<<25 | 0x7a4b, "imm16 0x7a4b"},
		{ESR(ECSVC64)<<esrECShift | 1<<25 | 0x1, "SVC in AArch64"},
		{ESR(ECInstAbort)<<esrECShift | 1<<25 | 0x0f, "IFSC 0xf permission fault, level 3"},
		{ESR(0x3f) << esrECShift, "exception class 0x3f"},
	}
	for _, tt := range tests {
		if got := strings.Join(tt.esr.Describe(), "\n"); !strings.Contains(got, tt.want) {
			t.Errorf("Describe(%#x) = %q, lacks %q", uint64(tt.esr), got, tt.want)
		}
	}
}

func TestFSCNames(t *testing.T) {
	tests := map[uint8]string{
		0x00: "address size fault, level 0",
		0x09: "access flag fault, level 1",
		0x0e: "permission fault, level 2",
		0x10: "synchronous external abort",
		0x15: "synchronous external abort on table walk, level 1",
		0x21: "alignment fault",
		0x30: "TLB conflict abort",
		0x3d: "fault status 0x3d",
	}
	for fsc, want := range tests {
		if got := FSCName(fsc); got != want {
			t.Errorf("FSCName(%#x) = %q, want %q", fsc, got, want)
		}
	}
}
