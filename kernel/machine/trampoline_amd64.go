//go:build tamago

package machine

import (
	"errors"
	"fmt"
	"unsafe"

	"github.com/tamach/tamach/pmap"
	amd64pmap "github.com/tamach/tamach/pmap/amd64"
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

// MSRs (Intel SDM Vol. 4 Table 2-2) and their bits.
const (
	msrEFER         = 0xc000_0080
	msrSTAR         = 0xc000_0081 // SYSCALL/SYSRET segments (§5.8.8)
	msrLSTAR        = 0xc000_0082 // SYSCALL's 64-bit entry point
	msrFMASK        = 0xc000_0084 // RFLAGS bits SYSCALL clears
	msrFSBase       = 0xc000_0100 // IA32_FS_BASE
	msrKernelGSBase = 0xc000_0102 // IA32_KERNEL_GS_BASE, swapped in by SWAPGS

	eferSCE = 1 << 0 // IA32_EFER.SCE: SYSCALL/SYSRET enabled (§5.8.8)

	// syscallMask is IA32_FMASK: SYSCALL enters the kernel with
	// interrupts off, no single-stepping, DF = 0 as the ABI requires,
	// no alignment checking and no nested task.
	syscallMask = flagIF | flagTF | flagDF | flagAC | flagNT
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
func installTrampoline(m *machineState) error {
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
	if err := mapTrampoline(m.kernel, t); err != nil {
		return err
	}
	stubs, _, syscallEntry, _, exit, _ := trampSymbols()
	trampExitVA = uint64(TrampolineVA) + exit - stubs
	loadGDT(perCPUVA+pcpuGDT, gdtEntries*8-1)
	loadTR(selTSS)
	loadIDT(idtVA, vectors*gateSize-1)
	wrmsr(msrSTAR, starValue())
	wrmsr(msrLSTAR, uint64(TrampolineVA)+syscallEntry-stubs)
	wrmsr(msrFMASK, syscallMask)
	wrmsr(msrKernelGSBase, perCPUVA)
	wrmsr(msrEFER, rdmsr(msrEFER)|eferSCE)
	startLAPIC()
	tramp = t
	return nil
}

// copyTrampolineCode copies trampStubs..trampEnd to the code frame, after
// checking that the linker kept the symbols in order and within a page.
func copyTrampolineCode(pa pmap.PAddr) error {
	stubs, common, syscall, userTrap, exit, end := trampSymbols()
	if !(stubs < common && common < syscall && syscall < userTrap && userTrap < exit && exit < end) ||
		end-stubs > pmap.PageSize || common-stubs < vectors*stubSize {
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
	for v := uint64(0); v < vectors; v++ {
		dpl := uint64(dplKernel)
		if v == vectorBP {
			dpl = dplUser
		}
		idt[2*v], idt[2*v+1] = interruptGate(uint64(TrampolineVA)+v*stubSize, dpl)
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
	oldIDT, _ := readIDTR()
	for v := uint64(0); v < vectors; v++ {
		slot := oldIDT + v*gateSize
		words[pcpuChain/8+v] = gateHandler(load64(slot), load64(slot+8))
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
func PrepareSpace(p pmap.Pmap) error {
	s, ok := p.(*amd64pmap.Space)
	if !ok {
		return fmt.Errorf("%w: %T is not a pmap/amd64 space", errTrampoline, p)
	}
	if tramp == nil {
		return errNotStarted
	}
	return mapTrampoline(s, tramp)
}
