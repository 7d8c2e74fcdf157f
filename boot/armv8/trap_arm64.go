//go:build tamago

package armv8

import (
	"runtime"
	"runtime/goos"
	_ "unsafe" // go:linkname

	"golang.org/x/arch/arm64/arm64asm"

	cpu "github.com/tamach/tamach/cpu/arm64"
)

// trapFrame is the interrupted context, saved by trapCommon
// (vectors_arm64.s, which uses the go_asm.h offsets of these fields).
type trapFrame struct {
	X      [31]uint64 // x0..x30 (x29 = FP, x30 = LR)
	SP     uint64     // the interrupted stack pointer
	ELR    uint64     // ELR_EL1: where the exception was taken
	SPSR   uint64     // SPSR_EL1: the interrupted PSTATE
	ESR    uint64     // ESR_EL1: the syndrome
	FAR    uint64     // FAR_EL1: the faulting address of an abort
	Vector uint64     // index of the vector table entry
}

// Exception classes vectors_arm64.s tests, cpu/arm64's under names of this
// package, which go_asm.h gives the assembly.
const (
	ecDataAbort = cpu.ECDataAbort
	ecBRK64     = cpu.ECBRK64
)

// Trap-path state. There is one CPU: the frame, the flags and the stack are
// guarded by the exception itself (DAIF stays masked until the machine
// stops or the probe returns).
var (
	frame     trapFrame
	trapping  uint64 // a report is under way: a second exception is nested
	goReady   uint64 // the Go runtime is up enough for trapReport (set in Hwinit0)
	trapStack [trapStackSize / 8]uint64
)

const (
	// trapStackSize is the static stack of the raw report.
	trapStackSize = 16 << 10
	// trapGap is left below the interrupted SP before trapReport's frame.
	trapGap = 256
	// exitException is QEMU's exit status after a CPU exception report.
	exitException = 3
	// backtraceDepth bounds the frame-pointer walk.
	backtraceDepth = 32
)

// vectors is the exception vector table, defined in vectors_arm64.s; its
// address goes to VBAR_EL1 in Entry. It is never called.
func vectors()

// trapCommon is the shared entry path of the vectors (vectors_arm64.s).
// It is never called from Go.
func trapCommon()

// trapReport is where trapCommon's exception return lands: at EL1, on the
// interrupted stack below a gap, with LR = 0. It moves at once to the
// system (g0) stack, where the report may use the stack and the heap
// freely: no stack growth of the interrupted goroutine (whose caller chain
// the runtime could not unwind through the exception) and no GC start,
// which the runtime never does from g0.
//
//go:nosplit
func trapReport() {
	systemstack(reportTrap)
}

// systemstack is the runtime's switch to the g0 stack
// (runtime/asm_arm64.s); trapReport is the only caller.
//
//go:linkname systemstack runtime.systemstack
//go:noescape
func systemstack(fn func())

// reportTrap prints the exception in frame (the report of
// docs/boot-arm64.md) and stops the machine with a failing status.
func reportTrap() {
	f := frame
	v := cpu.Vector(f.Vector)
	esr := cpu.ESR(f.ESR)
	print("\n*** CPU exception: ", v.String(), "\n")
	for _, line := range esr.Describe() {
		print(line, "\n")
	}
	if esr.IsAbort() || v.Kind() == cpu.KindSError {
		print("FAR_EL1  ", hex64(f.FAR), "\n")
	}
	print("ELR_EL1  ", hex64(f.ELR), "  ", funcLine(f.ELR, false), "\n")
	print("SPSR_EL1 ", hex64(f.SPSR), "  ", describeSPSR(f.SPSR), "\n")
	printInstruction(f.ELR, esr)
	printRegisters(&f)
	printBacktrace(&f)
	FailWith(exitException)
}

// printRegisters prints x0..x30 and SP, two per line.
func printRegisters(f *trapFrame) {
	for i := 0; i < len(f.X); i += 2 {
		print(regName(i), " ", hex64(f.X[i]))
		if i+1 < len(f.X) {
			print("   ", regName(i+1), " ", hex64(f.X[i+1]))
		} else {
			print("   sp  ", hex64(f.SP))
		}
		print("\n")
	}
}

func regName(i int) string {
	const digits = "0123456789"
	if i < 10 {
		return "x" + digits[i:i+1] + " "
	}
	return "x" + digits[i/10:i/10+1] + digits[i%10:i%10+1]
}

// printInstruction decodes the instruction at pc when it is in the
// kernel's text (so reading it cannot fault again).
func printInstruction(pc uint64, esr cpu.ESR) {
	start, end := runtime.TextRegion()
	if esr.IsAbort() && (esr.EC() == cpu.ECInstAbort || esr.EC() == cpu.ECInstAbortLow) || pc%4 != 0 || pc < start || pc+4 > end {
		print("instruction: not read (pc outside the kernel text)\n")
		return
	}
	word := textWord(pc)
	b := []byte{byte(word), byte(word >> 8), byte(word >> 16), byte(word >> 24)}
	inst, err := arm64asm.Decode(b)
	if err != nil {
		print("instruction: ", hex32(word), "  (", err.Error(), ")\n")
		return
	}
	print("instruction: ", hex32(word), "  ", arm64asm.GoSyntax(inst, pc, symName, nil),
		"   (", arm64asm.GNUSyntax(inst), ")\n")
}

// symName names the function holding addr, for the disassembler.
func symName(addr uint64) (string, uint64) {
	fn := runtime.FuncForPC(uintptr(addr))
	if fn == nil {
		return "", 0
	}
	return fn.Name(), uint64(fn.Entry())
}

// funcLine names the function and line of pc; a return address is looked
// up one byte earlier, inside its call instruction.
func funcLine(pc uint64, isReturn bool) string {
	lookup := pc
	if isReturn && lookup > 0 {
		lookup--
	}
	fn := runtime.FuncForPC(uintptr(lookup))
	if fn == nil {
		return "?"
	}
	file, line := fn.FileLine(uintptr(lookup))
	return fn.Name() + "+" + hexShort(pc-uint64(fn.Entry())) + " " + file + ":" + itoa(line)
}

// printBacktrace walks the interrupted code's frame-pointer chain. Go's
// arm64 frames keep the caller's FP at [FP] and the return address at
// [FP+8] (runtime/traceback.go, "the frame pointer ... below the stack
// pointer"); a frameless leaf has its return address only in LR.
func printBacktrace(f *trapFrame) {
	print("backtrace (frame pointers, innermost first):\n")
	print("  ", hex64(f.ELR), "  ", funcLine(f.ELR, false), "\n")
	fp := f.X[29]
	lr := f.X[30]
	first := uint64(0)
	if fpPlausible(fp, f.SP) {
		first = peek64(fp + 8)
	}
	if sameFunc(lr, f.ELR) || lr == first || !inText(lr) {
		lr = 0
	}
	if lr != 0 {
		print("  ", hex64(lr), "  ", funcLine(lr, true), "  (LR)\n")
	}
	for i := 0; i < backtraceDepth && fpPlausible(fp, f.SP); i++ {
		ret := peek64(fp + 8)
		if !inText(ret) {
			break
		}
		print("  ", hex64(ret), "  ", funcLine(ret, true), "\n")
		next := peek64(fp)
		if next <= fp {
			break
		}
		fp = next
	}
}

// fpPlausible reports whether fp can be a frame pointer of the stack at
// sp: 8-byte aligned, at or above sp and inside the Go heap window (the
// board's runtime/goos.RamStart and RamSize).
func fpPlausible(fp, sp uint64) bool {
	start, size := uint64(goos.RamStart), uint64(goos.RamSize)
	return fp%8 == 0 && fp >= sp-trapGap && fp >= start && fp+16 <= start+size
}

func inText(pc uint64) bool {
	start, end := runtime.TextRegion()
	return pc >= start && pc < end
}

// sameFunc reports whether a and b are in the same compiled function
// (FuncForPC names an inlined callee but gives its caller's entry).
func sameFunc(a, b uint64) bool {
	fa, fb := runtime.FuncForPC(uintptr(a)), runtime.FuncForPC(uintptr(b))
	return fa != nil && fb != nil && fa.Entry() == fb.Entry()
}

// describeSPSR names the interrupted mode and masks (Arm ARM D24.2
// "SPSR_EL1": M[4:0], DAIF in bits [9:6], NZCV in bits [31:28]).
func describeSPSR(spsr uint64) string {
	const (
		mMask    = 0x1f
		m32Bit   = 0x10
		daifShft = 6
	)
	modes := map[uint64]string{0x0: "EL0t", 0x4: "EL1t", 0x5: "EL1h", 0x8: "EL2t", 0x9: "EL2h"}
	mode, ok := modes[spsr&mMask]
	if spsr&m32Bit != 0 {
		mode = "AArch32"
	} else if !ok {
		mode = "mode " + hexShort(spsr&mMask)
	}
	daif := ""
	for i, name := range []string{"F", "I", "A", "D"} {
		if spsr&(1<<(daifShft+i)) != 0 {
			daif = name + daif
		}
	}
	if daif == "" {
		daif = "none"
	}
	return "(" + mode + ", masked: " + daif + ")"
}

// rawTrap reports an exception that trapReport cannot: nested in a
// report, before the runtime started, or from a lower EL. It runs on
// trapStack, with whatever the interrupted code left in the g register, so
// it writes through the board's console hook (runtime/goos.Printk, which is
// nosplit) and calls nothing that checks the stack.
//
//go:nosplit
func rawTrap() {
	rawString("\r\n*** CPU exception (raw report): vector ")
	rawHex(frame.Vector)
	rawString(" ESR_EL1 ")
	rawHex(frame.ESR)
	rawString(" ELR_EL1 ")
	rawHex(frame.ELR)
	rawString(" FAR_EL1 ")
	rawHex(frame.FAR)
	rawString(" SPSR_EL1 ")
	rawHex(frame.SPSR)
	rawString(" SP ")
	rawHex(frame.SP)
	rawString(" LR ")
	rawHex(frame.X[30])
	rawString("\r\n")
}

//go:nosplit
func rawString(s string) {
	for i := 0; i < len(s); i++ {
		goos.Printk(s[i])
	}
}

//go:nosplit
func rawHex(v uint64) {
	const digits = "0123456789abcdef"
	goos.Printk('0')
	goos.Printk('x')
	for shift := 60; shift >= 0; shift -= 4 {
		goos.Printk(digits[(v>>uint(shift))&0xf])
	}
}
