package amd64

import "testing"

func TestHasErrorCode(t *testing.T) {
	// Intel SDM Vol. 3A Table 6-1 "Error Code" column, plus #VC, #SX.
	with := map[uint64]bool{8: true, 10: true, 11: true, 12: true, 13: true, 14: true, 17: true, 21: true, 29: true, 30: true}
	for v := uint64(0); v < 40; v++ {
		if got := HasErrorCode(v); got != with[v] {
			t.Errorf("HasErrorCode(%d) = %v", v, got)
		}
	}
}

func TestExceptionName(t *testing.T) {
	for v, want := range map[uint64]string{VectorPF: "#PF page fault", VectorGP: "#GP general protection", 240: "interrupt 240"} {
		if got := ExceptionName(v); got != want {
			t.Errorf("ExceptionName(%d) = %q, want %q", v, got, want)
		}
	}
}

func TestPageFaultCause(t *testing.T) {
	tests := map[uint64]string{
		0:                               "page not present, read, kernel mode",
		PFWrite:                         "page not present, write, kernel mode",
		PFPresent | PFWrite | PFUser:    "protection violation, write, user mode",
		PFInstruction:                   "page not present, instruction fetch, kernel mode",
		PFPresent | PFReserved | PFUser: "protection violation, read, user mode, reserved bit set",
	}
	for code, want := range tests {
		if got := PageFaultCause(code); got != want {
			t.Errorf("PageFaultCause(%#x) = %q, want %q", code, got, want)
		}
	}
}

func TestFlagNames(t *testing.T) {
	if got, want := FlagNames(0x246), "PF ZF IF"; got != want {
		t.Errorf("FlagNames(0x246) = %q, want %q", got, want)
	}
}
