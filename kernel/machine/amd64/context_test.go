package amd64

import (
	"encoding/binary"
	"testing"
	"unsafe"

	"github.com/tamach/tamach/pmap"

	cpu "github.com/tamach/tamach/cpu/amd64"

	"github.com/tamach/tamach/kernel/machine"
)

func TestUserRFLAGS(t *testing.T) {
	// IOPL 3 (bits 13:12), NT, and IF clear in the request: IOPL and NT
	// are dropped, IF and the reserved bit 1 forced on, CF/DF/AC kept.
	in := uint64(cpu.FlagCF|cpu.FlagDF|cpu.FlagAC|cpu.FlagNT) | 3<<12
	if got, want := userRFLAGS(in), uint64(cpu.FlagCF|cpu.FlagDF|cpu.FlagAC|cpu.FlagIF|cpu.FlagReserved); got != want {
		t.Errorf("userRFLAGS(%#x) = %#x, want %#x", in, got, want)
	}
}

func TestLoadIntoSegmentsAndSysret(t *testing.T) {
	var c Context
	c.SetPC(0x401000)
	c.SetSP(0x7ff000)
	c.Regs.R10 = 7
	var f trapFrame
	if c.loadInto(&f) {
		t.Error("SYSRET chosen for a thread that never made a system call")
	}
	if f.CS != selUserCode || f.SS != selUserData || f.CS&3 != 3 || f.RIP != 0x401000 || f.RSP != 0x7ff000 || f.R10 != 7 {
		t.Errorf("frame %+v", f)
	}
	c.sysret = true
	if !c.loadInto(&f) {
		t.Error("SYSRET refused after a system call")
	}
	c.SetPC(1 << 47) // non-canonical: SYSRET would fault in ring 0
	if c.loadInto(&f) {
		t.Error("SYSRET chosen for a non-canonical RIP")
	}
	f.RAX, f.RIP = 42, 0x401002
	c.saveFrom(&f)
	if c.Regs.RAX != 42 || c.PC() != 0x401002 || c.SP() != 0x7ff000 {
		t.Errorf("saveFrom: %+v", c.Regs)
	}
}

func TestSyscallRegisters(t *testing.T) {
	var c Context
	for i := range 6 {
		c.SetArg(i, uint64(i+1))
	}
	c.Regs.RAX = 60
	nr, args := c.Syscall()
	if nr != 60 || args != [6]uint64{1, 2, 3, 4, 5, 6} {
		t.Errorf("Syscall() = %d %v", nr, args)
	}
	if c.Regs.R10 != 4 || c.Regs.RCX != 0 {
		t.Error("the fourth argument goes in R10, not RCX (SYSCALL clobbers RCX)")
	}
}

func TestFXImage(t *testing.T) {
	for base := uintptr(0x1000); base < 0x1020; base++ {
		off := fxImage(base)
		if (base+off)%fxAlign != 0 || off >= fxAlign {
			t.Fatalf("fxImage(%#x) = %d", base, off)
		}
	}
	var c Context
	img := alignedFX(&c.fx)
	initFX(img)
	binary.LittleEndian.PutUint64(img[fxXMM0:], 0x1122)
	if c.xmm0() != 0x1122 {
		t.Error("xmm0 does not read the image's XMM0")
	}
	if binary.LittleEndian.Uint16(img[fxFCW:]) != 0x37f || binary.LittleEndian.Uint32(img[fxMXCSR:]) != 0x1f80 {
		t.Errorf("initFX: FCW %#x MXCSR %#x", binary.LittleEndian.Uint16(img[fxFCW:]), binary.LittleEndian.Uint32(img[fxMXCSR:]))
	}
}

func TestFrameLayout(t *testing.T) {
	var f trapFrame
	if unsafe.Sizeof(f) != trapFrameSize || unsafe.Offsetof(f.Vector) != 15*8 || unsafe.Offsetof(f.SS) != trapFrameSize-8 {
		t.Errorf("trapFrame: size %d, Vector at %d, SS at %d", unsafe.Sizeof(f), unsafe.Offsetof(f.Vector), unsafe.Offsetof(f.SS))
	}
	if pcpuStackTop%16 != 0 || pcpuStackTop > pcpuChain || pcpuVars+unsafe.Sizeof(trampVars{}) > pcpuFrame ||
		pcpuTSS+tssSize > pcpuVars || pcpuGDT+gdtEntries*8 > pcpuTSS || pcpuChain+cpu.Vectors*8 > pmap.PageSize {
		t.Error("per-CPU page parts overlap or the stack top is not 16-byte aligned")
	}
	if cpu.Vectors*stubSize > pmap.PageSize {
		t.Error("the stubs do not fit the trampoline's page")
	}
}

func TestBadPC(t *testing.T) {
	for pc, bad := range map[uint64]bool{
		0x401000: false, 1<<47 - 1: false, 1 << 47: true,
		0xffff_7fff_ffff_ffff: true, 0xffff_8000_0000_0000: false, 0xffff_ffff_ffff_f000: false,
	} {
		c := Context{Regs: Registers{RIP: pc}}
		trap, got := c.badPC()
		if got != bad || (bad && (trap.Kind != machine.TrapException || trap.Vector != cpu.VectorGP)) {
			t.Errorf("badPC(%#x) = %v %v, want %v", pc, trap, got, bad)
		}
	}
}
