package amd64

import (
	"strings"
	"testing"

	"golang.org/x/arch/x86/x86asm"
)

// TestUserProgramDecodes disassembles the usermode check's program and
// compares it with the listing in its comments, offsets included.
func TestUserProgramDecodes(t *testing.T) {
	want := []struct {
		off  int
		text string
	}{
		{0x00, "mov r12, qword ptr fs:[]"}, // x86asm prints a zero displacement as []
		{0x09, "movq xmm0, r12"},
		{0x0e, "mov eax, 0x1234"},
		{0x13, "mov edi, 0x11"},
		{0x18, "mov esi, 0x22"},
		{0x1d, "mov edx, 0x33"},
		{0x22, "mov r10d, 0x44"},
		{0x28, "mov r8d, 0x55"},
		{0x2e, "mov r9d, 0x66"},
		{0x34, "syscall"},
		{userAfterFirst, "mov rbx, rax"},
		{0x39, "mov eax, 0x1235"},
		{0x3e, "syscall"},
		{0x40, "dec rbx"},
		{0x43, "jnz 0x39"},
		{0x45, "mov ecx, 0x600000"},
		{userStore, "mov qword ptr [rcx], 0x5a"},
		{userSpin, "cmp qword ptr [rcx+0x8], 0x0"},
		{0x56, "jz 0x51"},
		{0x58, "mov rax, 0xffffff8000002000"},
		{userKernelLoad, "mov rax, qword ptr [rax]"},
		{userUD2, "ud2"},
	}
	p := userProgram(perCPUVA)
	off := 0
	for i, w := range want {
		inst, err := x86asm.Decode(p[off:], 64)
		if err != nil {
			t.Fatalf("offset %#x: %v", off, err)
		}
		got := strings.ToLower(x86asm.IntelSyntax(inst, uint64(off), nil))
		if off != w.off || got != w.text {
			t.Errorf("instruction %d at %#x: %q, want %q at %#x", i, off, got, w.text, w.off)
		}
		off += inst.Len
	}
	if off != len(p) || off != userEnd {
		t.Errorf("program is %d bytes, decoded %d, userEnd %d", len(p), off, userEnd)
	}
	if userFaultVA != 0x600000 || userArg0 != 0x11 || userNrFirst != 0x1234 || userNrNull != 0x1235 {
		t.Error("constants disagree with the program's immediates")
	}
}
