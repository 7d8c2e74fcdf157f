package amd64

import (
	"testing"

	cpu "github.com/tamach/tamach/cpu/amd64"
)

// Golden descriptor values, worked out bit by bit from the SDM's figures
// (comments give the fields) and, for the kernel segments, equal to the
// values TamaGo's boot GDT (amd64/init.s) was assembled with.
func TestSegmentDescriptors(t *testing.T) {
	for _, tc := range []struct {
		name      string
		got, want uint64
	}{
		// P=1 DPL=0 S=1 type=1010 (code, execute/read) L=1
		{"kernel code", codeSegment(cpu.DPLKernel), 0x0020_9a00_0000_0000},
		// P=1 DPL=0 S=1 type=0010 (data, read/write)
		{"kernel data", dataSegment(cpu.DPLKernel), 0x0000_9200_0000_0000},
		// P=1 DPL=3 S=1 type=1010 L=1
		{"user code", codeSegment(cpu.DPLUser), 0x0020_fa00_0000_0000},
		// P=1 DPL=3 S=1 type=0010
		{"user data", dataSegment(cpu.DPLUser), 0x0000_f200_0000_0000},
	} {
		if tc.got != tc.want {
			t.Errorf("%s = %#016x, want %#016x", tc.name, tc.got, tc.want)
		}
	}
}

func TestTSSDescriptor(t *testing.T) {
	// base 0x12345678_9abcdef0, limit 0x67: limit 15:0 = 0x0067, base
	// 23:0 = 0xbcdef0, type 1001 P=1 DPL=0 (0x89), limit 19:16 = 0, base
	// 31:24 = 0x9a; base 63:32 in the high quadword (Figure 9-4).
	lo, hi := tssDescriptor(0x1234_5678_9abc_def0, tssSize-1)
	if lo != 0x9a00_89bc_def0_0067 || hi != 0x1234_5678 {
		t.Errorf("tssDescriptor = %#016x %#016x", lo, hi)
	}
}

func TestGDTAndSTAR(t *testing.T) {
	g := buildGDT(0xffff_ff80_0000_2000)
	if g[gdtNull] != 0 || g[gdtUser32Code] != 0 {
		t.Error("null and 32-bit user code slots must be empty")
	}
	if g[gdtKernelCode] != codeSegment(0) || g[gdtUserCode] != codeSegment(3) || g[gdtUserData] != dataSegment(3) {
		t.Error("segment slots out of place")
	}
	// STAR[47:32] = 0x08 (SYSCALL: CS 0x08, SS 0x10); STAR[63:48] = 0x1b
	// (SYSRET: CS 0x1b+16 = 0x2b, SS 0x1b+8 = 0x23).
	if s := starValue(); s != 0x001b_0008_0000_0000 {
		t.Errorf("STAR = %#016x", s)
	}
	if selSysretBase+16 != selUserCode || selSysretBase+8 != selUserData || selKernelCode+8 != selKernelData {
		t.Error("selectors do not follow the SYSCALL/SYSRET layout")
	}
}

func TestTSS(t *testing.T) {
	tss := buildTSS(0xffff_ff80_0000_2f00)
	want := []byte{0x00, 0x2f, 0x00, 0x00, 0x80, 0xff, 0xff, 0xff}
	for i, b := range want {
		if tss[tssRSP0+i] != b {
			t.Fatalf("RSP0 bytes % x, want % x", tss[tssRSP0:tssRSP0+8], want)
		}
	}
	if tss[tssIOMapBase] != 104 || tss[tssIOMapBase+1] != 0 {
		t.Errorf("I/O map base % x, want 68 00", tss[tssIOMapBase:tssIOMapBase+2])
	}
}
