package main

import (
	"strings"
	"testing"

	"github.com/tamach/tamach/cmd/internal/symtab"
)

func testSymbols() *symtab.Table {
	return symtab.New([]uint64{0x1000, 0x1100, 0x2000}, []uint64{0x100, 0x80, 0}, []string{"a", "b", "runtime.etext"})
}

func TestProfileTop(t *testing.T) {
	s, p := testSymbols(), Profile{}
	for _, pc := range []uint64{0x1000, 0x1010, 0x1020, 0x1100, 0x40_0000, 0xffff_ff80_0000_0000} {
		p.Add(s, pc)
	}
	var b strings.Builder
	p.Top(&b, 2)
	want := "6 samples\n samples  share  function\n       3  50.0%  a\n       1  16.7%  (task)\n"
	if b.String() != want {
		t.Errorf("Top:\n%s\nwant:\n%s", b.String(), want)
	}
	if p["(trampoline)"] != 1 || p["b"] != 1 {
		t.Errorf("profile %v", p)
	}
}

func TestPCLine(t *testing.T) {
	for line, want := range map[string]string{
		"RAX=0000000000000000 RBX=0000000000000001":                     "",
		"RIP=ffffffff81000000 RFL=00000002 [-------] CPL=0":             "ffffffff81000000",
		"PC=0000000040123456 X00=0000000000000000 X01=0000000000000001": "0000000040123456",
	} {
		got := ""
		if m := pcLine.FindStringSubmatch(line); m != nil {
			got = m[1]
		}
		if got != want {
			t.Errorf("%q: pc %q, want %q", line, got, want)
		}
	}
}
