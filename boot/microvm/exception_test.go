package microvm

import (
	"strings"
	"testing"

	cpu "github.com/tamach/tamach/cpu/amd64"
)

func TestReportPageFault(t *testing.T) {
	f := ExceptionFrame{
		RAX: 0x2f, RDX: 0x400000000000, R15: 0xf15,
		Vector: cpu.VectorPF, ErrorCode: cpu.PFWrite,
		RIP: 0x10c60c3, CS: 0x8, RFLAGS: 0x246, RSP: 0x343ed60, SS: 0x10,
		CR2: 0x400000000000,
	}
	// mov qword ptr [rdx], rax
	code := []byte{0x48, 0x89, 0x02, 0x90}
	sym := func(pc uint64) (string, uint64) { return "kernel.touch", 0x10c6060 }
	lines := f.Report(code, sym)
	text := strings.Join(lines, "\n")
	for _, want := range []string{
		"CPU exception #PF page fault (vector 14) at CPL0, error code 0x2",
		"CR2 0x0000400000000000 (page not present, write, kernel mode)",
		"RAX 0x000000000000002f",
		"RDX 0x0000400000000000",
		"R15 0x0000000000000f15",
		"RIP 0x00000000010c60c3",
		"RSP 0x000000000343ed60",
		"RFLAGS 0x246 [PF ZF IF]  SS 0x10",
		"instruction: 0x10c60c3 <kernel.touch+0x63>: 48 89 02  mov qword ptr [rdx], rax",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("report lacks %q:\n%s", want, text)
		}
	}
	for _, reg := range []string{"RAX", "RBX", "RCX", "RDX", "RSI", "RDI", "RBP", "RSP",
		"R8 ", "R9 ", "R10", "R11", "R12", "R13", "R14", "R15", "RIP", "RFLAGS"} {
		if !strings.Contains(text, reg+" ") {
			t.Errorf("report lacks register %s", reg)
		}
	}
}

func TestReportInvalidOpcode(t *testing.T) {
	f := ExceptionFrame{Vector: 6, RIP: 0x1000000, CS: 0x8}
	lines := f.Report([]byte{0x0f, 0x0b}, nil) // UD2
	if lines[0] != "CPU exception #UD invalid opcode (vector 6) at CPL0" {
		t.Errorf("headline = %q", lines[0])
	}
	if last := lines[len(lines)-1]; last != "instruction: 0x1000000: 0f 0b  ud2" {
		t.Errorf("instruction line = %q", last)
	}
	for _, l := range lines {
		if strings.HasPrefix(l, "CR2") {
			t.Errorf("CR2 reported for #UD: %q", l)
		}
	}
}

func TestReportUnreadableRIP(t *testing.T) {
	f := ExceptionFrame{Vector: cpu.VectorPF, ErrorCode: cpu.PFInstruction, RIP: 0, CR2: 0}
	lines := f.Report(nil, nil)
	if last := lines[len(lines)-1]; last != "instruction: 0x0: not in kernel text, not read" {
		t.Errorf("instruction line = %q", last)
	}
}
