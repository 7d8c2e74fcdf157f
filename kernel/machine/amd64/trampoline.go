//go:build tamago && amd64

package amd64

import (
	"errors"
	"fmt"
	"unsafe"

	"github.com/tamach/tamach/pmap"
	amd64pmap "github.com/tamach/tamach/pmap/amd64"

	cpu "github.com/tamach/tamach/cpu/amd64"
)

// The trampoline's code, in trampoline_amd64.s. These are entered only by
// the CPU (IDT gates, SYSCALL) or by jumps inside the trampoline; their Go
// declarations exist for the symbols' sake.
func trampStubs()
func trampCommon()
func trampSyscall()
func trampUserTrap()
func trampExit()
func trampEnd()

// trampSymbols returns the addresses of the trampoline's symbols in kernel
// text (run_amd64.s).
func trampSymbols() (stubs, common, syscall, userTrap, exit, end uint64)

// trapReturnAddr returns the address of trapReturn (run_amd64.s).
func trapReturnAddr() uint64

// loadGDT executes LGDT (Intel SDM Vol. 2A LGDT). Defined in run_amd64.s.
func loadGDT(base uint64, limit uint16)

// loadIDT executes LIDT (Intel SDM Vol. 2A LIDT). Defined in run_amd64.s.
func loadIDT(base uint64, limit uint16)

// loadTR executes LTR (Intel SDM Vol. 2A LTR). Defined in run_amd64.s.
func loadTR(sel uint16)

// msrFSBase is cpu.MSRFSBase under a name of this package, which go_asm.h
// gives run_amd64.s.
const (
	msrFSBase = cpu.MSRFSBase

	// syscallMask is IA32_FMASK: SYSCALL enters the kernel with
	// interrupts off, no single-stepping, DF = 0 as the ABI requires,
	// no alignment checking and no nested task.
	syscallMask = cpu.FlagIF | cpu.FlagTF | cpu.FlagDF | cpu.FlagAC | cpu.FlagNT
)

// errTrampoline reports a trampoline that cannot be set up.
var errTrampoline = errors.New("machine: trampoline")

// trampState is the trampoline after installTrampoline.
type trampState struct {
	frames [trampPages]pmap.PAddr // code, IDT, per-CPU page
	vars   *trampVars             // in the per-CPU page, through the identity map
	frame  *trapFrame
}

// tramp is set by installTrampoline.
var tramp *trampState

// Kernel state enterUser saves and trapReturn restores (run_amd64.s). Only
// assembly reads and writes them, with interrupts masked.
var (
	savedSP, savedBP, savedFlags, savedFS uint64
	savedUserFX, savedKernelFX            uintptr
	trampExitVA                           uint64
)

// trampolineProt are the rights of the trampoline's pages, in every space.
var trampolineProt = [trampPages]pmap.Prot{
	trampCodePage:   pmap.ProtRead | pmap.ProtExecute,
	trampIDTPage:    pmap.ProtRead,
	trampPerCPUPage: pmap.ProtRead | pmap.ProtWrite,
}

// installTrampoline builds the trampoline (code, IDT, GDT, TSS), maps it into
// the kernel's space and loads it: GDT, TSS, IDT, the SYSCALL MSRs and the
// LAPIC timer. CPL0 exceptions keep going to the gates the old IDT had.
func installTrampoline(m *Machine) error {
	t := &trampState{}
	for i := range t.frames {
		pa, ok := m.tables.AllocFrame()
		if !ok {
			return pmap.ErrNoFrames
		}
		t.frames[i] = pa
	}
	if err := copyTrampolineCode(t.frames[trampCodePage]); err != nil {
		return err
	}
	fillIDT(t.frames[trampIDTPage])
	pcpu := pmap.Identity{}.Frame(t.frames[trampPerCPUPage])
	fillPerCPU(pcpu)
	t.vars = (*trampVars)(unsafe.Pointer(&pcpu[pcpuVars]))
	t.frame = (*trapFrame)(unsafe.Pointer(&pcpu[pcpuFrame]))
	t.vars.KernelResume = trapReturnAddr()
	t.vars.KernelCR3 = kernelCR3(m.sys.Features().PCID) // the kernel's space is active (Start), and stays so
	if err := mapTrampoline(m.kernel, t); err != nil {
		return err
	}
	stubs, _, syscallEntry, _, exit, _ := trampSymbols()
	trampExitVA = uint64(TrampolineVA) + exit - stubs
	loadGDT(perCPUVA+pcpuGDT, gdtEntries*8-1)
	loadTR(selTSS)
	loadIDT(idtVA, cpu.Vectors*cpu.GateSize-1)
	cpu.WriteMSR(cpu.MSRSTAR, starValue())
	cpu.WriteMSR(cpu.MSRLSTAR, uint64(TrampolineVA)+syscallEntry-stubs)
	cpu.WriteMSR(cpu.MSRFMASK, syscallMask)
	cpu.WriteMSR(cpu.MSRKernelGSBase, perCPUVA)
	cpu.WriteMSR(cpu.MSREFER, cpu.ReadMSR(cpu.MSREFER)|cpu.EFERSCE)
	startLAPIC()
	tramp = t
	return nil
}

// copyTrampolineCode copies trampStubs..trampEnd to the code frame, after
// checking that the linker kept the symbols in order and within a page.
func copyTrampolineCode(pa pmap.PAddr) error {
	stubs, common, syscall, userTrap, exit, end := trampSymbols()
	if !(stubs < common && common < syscall && syscall < userTrap && userTrap < exit && exit < end) ||
		end-stubs > pmap.PageSize || common-stubs < cpu.Vectors*stubSize {
		return fmt.Errorf("%w: code symbols out of order or over a page: %#x %#x %#x %#x %#x %#x",
			errTrampoline, stubs, common, syscall, userTrap, exit, end)
	}
	dst := pmap.Identity{}.Frame(pa)
	src := unsafe.Slice((*byte)(unsafe.Add(unsafe.Pointer(nil), uintptr(stubs))), end-stubs)
	copy(dst[:], src)
	return nil
}

// fillIDT writes the 256 gates into the IDT frame: each to its stub in the
// trampoline, DPL 0 except #BP.
func fillIDT(pa pmap.PAddr) {
	idt := pmap.Table(pmap.Identity{}, pa)
	for v := uint64(0); v < cpu.Vectors; v++ {
		dpl := uint64(cpu.DPLKernel)
		if v == cpu.VectorBP {
			dpl = cpu.DPLUser
		}
		idt[2*v], idt[2*v+1] = cpu.InterruptGate(uint64(TrampolineVA)+v*stubSize, selKernelCode, dpl)
	}
}

// fillPerCPU writes the GDT, the TSS and the chain table (the handlers of
// the IDT loaded now) into the per-CPU page.
func fillPerCPU(pcpu *[pmap.PageSize]byte) {
	words := (*[pmap.PageSize / 8]uint64)(unsafe.Pointer(pcpu))
	gdt := buildGDT(perCPUVA + pcpuTSS)
	copy(words[pcpuGDT/8:], gdt[:])
	tss := buildTSS(trapStackTop)
	copy(pcpu[pcpuTSS:], tss[:])
	oldIDT, _ := cpu.ReadIDTR()
	for v := uint64(0); v < cpu.Vectors; v++ {
		slot := oldIDT + v*cpu.GateSize
		words[pcpuChain/8+v] = cpu.GateHandler(cpu.Load64(slot), cpu.Load64(slot+8))
	}
}

// mapTrampoline maps the trampoline's pages at TrampolineVA in space.
func mapTrampoline(space *amd64pmap.Space, t *trampState) error {
	for i, pa := range t.frames {
		va := TrampolineVA + pmap.VAddr(i*pmap.PageSize)
		if err := space.Enter(va, pa, trampolineProt[i], pmap.Kernel|pmap.Wired); err != nil {
			return fmt.Errorf("%w: mapping %v: %w", errTrampoline, va, err)
		}
	}
	return nil
}

// PrepareSpace maps the trampoline into a task's address space, which Run
// requires. Calling it again is harmless.
func (m *Machine) PrepareSpace(p pmap.Pmap) error {
	s, ok := p.(*amd64pmap.Space)
	if !ok {
		return fmt.Errorf("%w: %T is not a pmap/amd64 space", errTrampoline, p)
	}
	if tramp == nil {
		return errNotStarted
	}
	return mapTrampoline(s, tramp)
}
