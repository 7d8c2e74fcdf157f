//go:build tamago && arm64

package arm64

import (
	"fmt"
	"unsafe"

	"github.com/tamach/tamach/pmap"
	arm64pmap "github.com/tamach/tamach/pmap/arm64"

	cpu "github.com/tamach/tamach/cpu/arm64"
)

// trapArea is the per-CPU trap area: one frame, mapped at TrapAreaVA in the
// TTBR1 half so the trampoline reaches it from any address space, and seen
// by Go through the identity map. trampoline_arm64.s addresses its fields
// through go_asm.h. Only the one CPU touches it, with DAIF masked.
type trapArea struct {
	KernelTTBR0 uint64 // TTBR0_EL1 of the kernel's identity map (ASID included)
	UserTTBR0   uint64 // TTBR0_EL1 of the task about to run
	KernelVBAR  uint64 // the board's vector table, restored on every trap
	TrampVBAR   uint64 // the trampoline's vector table (TTBR1 alias)
	ExitVA      uint64 // the trampoline's exit (TTBR1 alias)
	KernelSP    uint64 // the goroutine's SP, FP, LR and g at enterUser
	KernelFP    uint64
	KernelLR    uint64
	KernelG     uint64
	KernelFPCR  uint64
	Ctx         uint64 // the running thread's Context
	Scratch1    uint64 // X1 and X2, parked by the vectors
	Scratch2    uint64
	UserX0      uint64 // the thread's X0, loaded last by the exit
	Kind        uint64 // index of the vector that fired (0..15)
	ESR         uint64 // ESR_EL1 and FAR_EL1 at the trap
	FAR         uint64
}

// trampolineExit is the exit's offset in the trampoline: after the 16
// vectors of 0x80 bytes (Arm ARM D1, "Exception vectors"; cpu/arm64).
const trampolineExit = cpu.NumVectors * cpu.VectorStride

// Markers the trampoline's text is checked against (trampoline_arm64.s):
// CLREX (C6.2 "CLREX", CRm = 0b1111) opens the exit, BRK #0x7e57 ends the
// text.
const (
	insnCLREX      = 0xd5033f5f
	trampolineEndW = opBRK | 0x7e57<<a64Imm16
)

// trampState is the TTBR1 trap path of the machine.
type trampState struct {
	area     *trapArea
	areaAddr uint64 // identity address of the area frame
	low      uint64 // kernel address of the trampoline's vector table
	pages    int    // text pages mapped at TrampolineVA
}

// Defined in trampoline_arm64.s.

// trampoline is the trap trampoline's text; never called from Go.
func trampoline()

// trampolineAddr returns the kernel address of the trampoline.
func trampolineAddr() uint64

// enterUser runs ctx at EL0 until the next exception (see the .s file).
func enterUser(area uint64, ctx *Context)

// build maps the trampoline's text pages and a fresh trap area frame into
// the TTBR1 space upper, after checking the text's markers.
func (t *trampState) build(upper *arm64pmap.Space, frames pmap.Frames) error {
	t.low = trampolineAddr()
	if t.low%trampolineExit != 0 || load32(t.low+trampolineExit) != insnCLREX {
		return fmt.Errorf("machine: trampoline at %#x: vectors not 2 KiB aligned or exit not at +%#x", t.low, trampolineExit)
	}
	base := t.low &^ pmap.PageMask
	end := uint64(0)
	for a := t.low; a < base+trampolinePages*pmap.PageSize; a += insnSize {
		if load32(a) == trampolineEndW {
			end = a + insnSize
			break
		}
	}
	if end == 0 {
		return fmt.Errorf("machine: trampoline end marker not within %d pages of %#x", trampolinePages, base)
	}
	t.pages = int((end - base + pmap.PageMask) / pmap.PageSize)
	for i := 0; i < t.pages; i++ {
		off := uint64(i) * pmap.PageSize
		if err := upper.Enter(TrampolineVA+pmap.VAddr(off), pmap.PAddr(base+off), pmap.ProtRead|pmap.ProtExecute, pmap.Wired); err != nil {
			return err
		}
	}
	pa, ok := frames.AllocFrame()
	if !ok {
		return pmap.ErrNoFrames
	}
	if err := upper.Enter(TrapAreaVA, pa, pmap.ProtRead|pmap.ProtWrite, pmap.Wired); err != nil {
		return err
	}
	t.areaAddr = uint64(pa)
	t.area = (*trapArea)(unsafe.Pointer(pmap.Identity{}.Frame(pa)))
	t.area.TrampVBAR = t.high(t.low)
	t.area.ExitVA = t.high(t.low + trampolineExit)
	return nil
}

// high is the TTBR1 alias of the trampoline text address a.
func (t *trampState) high(a uint64) uint64 {
	return uint64(TrampolineVA) + a - t.low&^pmap.PageMask
}

// init records the kernel's TTBR0_EL1 value and the board's vector table,
// which every trap restores. Called once the kernel runs on its tables.
func (t *trampState) init(kernelTTBR uint64) {
	t.area.KernelTTBR0 = kernelTTBR
	t.area.KernelVBAR = cpu.ReadVBAR()
}

// trapCPU is the CPU the pmap drives: pmap/arm64's HardwareCPU, except that
// a task's tables cannot be loaded from here. The kernel's own code and data
// live in its TTBR0 space, so after a write of a task's TTBR0_EL1 value the
// next instruction fetch would fault. Run takes the value from the space's
// Prepare instead, and the trampoline loads it on its way to EL0; an
// Activate of a task space is a bug, and panics with that reason rather
// than with a fault at the next instruction.
type trapCPU struct {
	arm64pmap.HardwareCPU
	kernelTTBR uint64 // 0 until Start switched to the kernel's tables
}

var _ arm64pmap.CPU = (*trapCPU)(nil)

// started records the kernel's TTBR0_EL1 value: from now on no other may
// be loaded.
func (c *trapCPU) started(kernelTTBR uint64) { c.kernelTTBR = kernelTTBR }

// SetTTBR0 implements arm64pmap.CPU.
func (c *trapCPU) SetTTBR0(v uint64) {
	if c.kernelTTBR != 0 && v != c.kernelTTBR {
		panic("arm64: Activate of a task space from the kernel: Run loads it through the trampoline (Prepare)")
	}
	c.HardwareCPU.SetTTBR0(v)
}
