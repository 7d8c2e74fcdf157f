package arm64

import (
	"strings"
	"testing"
)

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
	if !w.WnR() || w.FSC().String() != "translation fault, level 3" {
		t.Errorf("write abort: WnR %v, %s", w.WnR(), w.FSC())
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

func TestFaultStatusNames(t *testing.T) {
	tests := map[FaultStatus]string{
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
		if got := fsc.String(); got != want {
			t.Errorf("FaultStatus(%#x) = %q, want %q", uint8(fsc), got, want)
		}
	}
}

func TestFaultStatus(t *testing.T) {
	cases := []struct {
		fs     FaultStatus
		kind   FaultStatus
		level  int
		paging bool
	}{
		{0b000100, FaultTranslation, 0, true},
		{0b000111, FaultTranslation, 3, true},
		{0b001010, FaultAccessFlag, 2, true},
		{0b001111, FaultPermission, 3, true},
		{0b000001, FaultAddressSize, 1, true},
		{0b100001, FaultAlignment, 1, false},
	}
	for _, c := range cases {
		if c.fs.Kind() != c.kind || c.fs.Paging() != c.paging || (c.paging && c.fs.Level() != c.level) {
			t.Errorf("%#x: kind %#x level %d paging %v", uint8(c.fs), uint8(c.fs.Kind()), c.fs.Level(), c.fs.Paging())
		}
	}
}
