package arm64

import (
	"strings"
	"testing"

	"golang.org/x/arch/arm64/arm64asm"
)

// TestUMProgramDecodes disassembles the usermode check's EL0 program and
// checks its shape: every word is an instruction, the SVCs, the faulting
// store and loads are where the stages need them.
func TestUMProgramDecodes(t *testing.T) {
	p := umProgram(0xffff_ff80_0001_0000, 0x4020_1000)
	var listing []string
	for i, w := range p {
		inst, err := arm64asm.Decode([]byte{byte(w), byte(w >> 8), byte(w >> 16), byte(w >> 24)})
		if err != nil {
			t.Fatalf("word %d %#08x: %v", i, w, err)
		}
		listing = append(listing, arm64asm.GNUSyntax(inst))
	}
	text := strings.Join(listing, "\n")
	for _, want := range []string{
		"mov x8, #0x7a1\n", "mov x5, #0x1005\nsvc #0x0\n",
		"mov x9, #0x8\nmovk x9, #0x60, lsl #16\nmov x10, #0x5a5a\nstr x10, [x9]\nldr x11, [x9]\n",
		"fadd d2, d0, d1\n", "add x12, x12, #0x1\ncbz x13, .+0xfffffffffffffffc\n",
		"movk x14, #0xff80, lsl #32\nmovk x14, #0xffff, lsl #48\nldr x15, [x14]\n",
		"mov x8, #0x7a4\nsvc #0x0\nb .+0xfffffffffffffffc",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("program lacks %q; listing:\n%s", want, text)
		}
	}
	if len(p)*insnSize > 4096 {
		t.Errorf("program of %d words does not fit its page", len(p))
	}
}
