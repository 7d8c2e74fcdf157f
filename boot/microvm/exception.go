package microvm

import (
	"fmt"
	"strings"

	"golang.org/x/arch/x86/x86asm"

	cpu "github.com/tamach/tamach/cpu/amd64"
)

// ExceptionFrame is the machine state at a CPU exception: the general
// registers as the interrupted code left them, the vector and error code,
// the interrupt stack frame the CPU pushed (Intel SDM Vol. 3A §6.14.2
// "64-Bit Mode Stack Frame", Figure 6-9) and CR2.
//
// exception_amd64.s fills it through the field offsets of go_asm.h: keep
// every field a uint64.
type ExceptionFrame struct {
	RAX, RBX, RCX, RDX uint64
	RSI, RDI, RBP      uint64
	R8, R9, R10, R11   uint64
	R12, R13, R14, R15 uint64

	Vector    uint64
	ErrorCode uint64 // 0 for vectors without one

	RIP, CS, RFLAGS, RSP, SS uint64

	CR2 uint64 // the linear address of a page fault
}

// errorCodeVectors is cpu.ErrorCodeVectors under a name of this package,
// which go_asm.h gives exception_amd64.s.
const errorCodeVectors = cpu.ErrorCodeVectors

// Vectors the board treats specially.
const (
	vectorNMI      = cpu.VectorNMI // left to TamaGo, which uses NMIs between CPUs
	exceptionCount = cpu.Exceptions
)

// maxInstructionLen is the longest x86 instruction (Intel SDM Vol. 2A §2.3.11).
const maxInstructionLen = 15

// SymbolFunc names the function containing pc, with the offset of pc from
// its start, or returns "" if pc is in no known function.
type SymbolFunc func(pc uint64) (name string, base uint64)

// Report returns the exception report, one line each: the exception, the
// registers, and the instruction in code (the bytes at RIP, nil if they
// could not be read) decoded in Intel syntax.
func (f *ExceptionFrame) Report(code []byte, sym SymbolFunc) []string {
	lines := []string{f.headline()}
	if f.Vector == cpu.VectorPF {
		lines = append(lines, fmt.Sprintf("CR2 %#016x (%s)", f.CR2, cpu.PageFaultCause(f.ErrorCode)))
	}
	lines = append(lines, f.registerLines()...)
	return append(lines, "instruction: "+decodeAt(code, f.RIP, sym))
}

// headline is the report's first line.
func (f *ExceptionFrame) headline() string {
	s := fmt.Sprintf("CPU exception %s (vector %d) at CPL%d", cpu.ExceptionName(f.Vector), f.Vector, f.CS&cpu.SelectorRPL)
	if cpu.HasErrorCode(f.Vector) {
		s += fmt.Sprintf(", error code %#x", f.ErrorCode)
	}
	return s
}

// registerLines formats the general registers, RIP, RSP, RFLAGS and the
// segment selectors, three registers a line.
func (f *ExceptionFrame) registerLines() []string {
	regs := []struct {
		name string
		v    uint64
	}{
		{"RAX", f.RAX}, {"RBX", f.RBX}, {"RCX", f.RCX},
		{"RDX", f.RDX}, {"RSI", f.RSI}, {"RDI", f.RDI},
		{"RBP", f.RBP}, {"RSP", f.RSP}, {"R8 ", f.R8},
		{"R9 ", f.R9}, {"R10", f.R10}, {"R11", f.R11},
		{"R12", f.R12}, {"R13", f.R13}, {"R14", f.R14},
		{"R15", f.R15}, {"RIP", f.RIP}, {"CS ", f.CS},
	}
	var lines []string
	for i := 0; i < len(regs); i += 3 {
		var b strings.Builder
		for j := i; j < i+3 && j < len(regs); j++ {
			if j > i {
				b.WriteString("  ")
			}
			fmt.Fprintf(&b, "%s %#016x", regs[j].name, regs[j].v)
		}
		lines = append(lines, b.String())
	}
	return append(lines, fmt.Sprintf("RFLAGS %#x [%s]  SS %#x", f.RFLAGS, cpu.FlagNames(f.RFLAGS), f.SS))
}

// decodeAt decodes the 64-bit mode instruction in code, located at pc.
func decodeAt(code []byte, pc uint64, sym SymbolFunc) string {
	if len(code) == 0 {
		return fmt.Sprintf("%#x: not in kernel text, not read", pc)
	}
	where := fmt.Sprintf("%#x", pc)
	if sym != nil {
		if name, base := sym(pc); name != "" {
			where += fmt.Sprintf(" <%s+%#x>", name, pc-base)
		}
	}
	inst, err := x86asm.Decode(code, 64)
	if err != nil {
		return fmt.Sprintf("%s: % x: cannot decode: %v", where, code, err)
	}
	var lookup x86asm.SymLookup
	if sym != nil {
		lookup = func(a uint64) (string, uint64) { return sym(a) }
	}
	return fmt.Sprintf("%s: % x  %s", where, code[:inst.Len], x86asm.IntelSyntax(inst, pc, lookup))
}
