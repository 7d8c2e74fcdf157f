package microvm

import (
	"fmt"
	"strings"

	"golang.org/x/arch/x86/x86asm"
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

// exceptionNames are the mnemonics of vectors 0-31 (Intel SDM Vol. 3A
// §6.15, Table 6-1 "Protected-Mode Exceptions and Interrupts"; 21 #CP,
// 29 #VC and 30 #SX from the AMD64 APM Vol. 2 §8.2).
var exceptionNames = [exceptionCount]string{
	0: "#DE divide error", 1: "#DB debug", 2: "NMI", 3: "#BP breakpoint",
	4: "#OF overflow", 5: "#BR bound range", 6: "#UD invalid opcode",
	7: "#NM device not available", 8: "#DF double fault",
	9: "coprocessor segment overrun", 10: "#TS invalid TSS",
	11: "#NP segment not present", 12: "#SS stack fault",
	13: "#GP general protection", 14: "#PF page fault", 15: "reserved",
	16: "#MF x87 floating point", 17: "#AC alignment check",
	18: "#MC machine check", 19: "#XM SIMD floating point",
	20: "#VE virtualization", 21: "#CP control protection",
	22: "reserved", 23: "reserved", 24: "reserved", 25: "reserved",
	26: "reserved", 27: "reserved", 28: "#HV hypervisor injection",
	29: "#VC VMM communication", 30: "#SX security", 31: "reserved",
}

// errorCodeVectors has bit v set for each vector v whose exception pushes
// an error code (SDM Vol. 3A Table 6-1, "Error Code" column; AMD64 APM
// Vol. 2 §8.2 for #VC and #SX). exception_amd64.s tests it.
const errorCodeVectors = 1<<8 | 1<<10 | 1<<11 | 1<<12 | 1<<13 | 1<<14 |
	1<<17 | 1<<21 | 1<<29 | 1<<30

// Page-fault error code bits (Intel SDM Vol. 3A §4.7, Figure 4-12
// "Page-Fault Error Code").
const (
	pfPresent     = 1 << 0 // P: protection violation, not a missing page
	pfWrite       = 1 << 1 // W/R: the access was a write
	pfUser        = 1 << 2 // U/S: the access was from CPL3
	pfReserved    = 1 << 3 // RSVD: a reserved bit was set in a paging entry
	pfInstruction = 1 << 4 // I/D: instruction fetch
	pfProtKey     = 1 << 5 // PK: protection-key violation
	pfShadowStack = 1 << 6 // SS: shadow-stack access
)

// RFLAGS bits shown in the report (Intel SDM Vol. 1 §3.4.3, Figure 3-8).
var rflagsBits = []struct {
	bit  uint64
	name string
}{
	{1 << 0, "CF"}, {1 << 2, "PF"}, {1 << 4, "AF"}, {1 << 6, "ZF"},
	{1 << 7, "SF"}, {1 << 8, "TF"}, {1 << 9, "IF"}, {1 << 10, "DF"},
	{1 << 11, "OF"}, {1 << 14, "NT"}, {1 << 16, "RF"}, {1 << 18, "AC"},
}

// selectorRPL masks the requested privilege level of a segment selector;
// in CS it is the CPL (Intel SDM Vol. 3A §3.4.2 and §5.5).
const selectorRPL = 0b11

// Vectors the board treats specially (Intel SDM Vol. 3A Table 6-1).
const (
	vectorNMI       = 2  // left to TamaGo, which uses NMIs between CPUs
	vectorPageFault = 14 // reports CR2
	exceptionCount  = 32 // vectors 0-31 are exceptions
)

// maxInstructionLen is the longest x86 instruction (Intel SDM Vol. 2A §2.3.11).
const maxInstructionLen = 15

// ExceptionName returns the mnemonic and name of a vector.
func ExceptionName(vector uint64) string {
	if vector < uint64(len(exceptionNames)) {
		return exceptionNames[vector]
	}
	return fmt.Sprintf("interrupt %d", vector)
}

// hasErrorCode reports whether the CPU pushes an error code for vector.
func hasErrorCode(vector uint64) bool {
	return vector < exceptionCount && errorCodeVectors&(1<<vector) != 0
}

// pageFaultCause describes a page-fault error code in words.
func pageFaultCause(code uint64) string {
	var w []string
	if code&pfPresent != 0 {
		w = append(w, "protection violation")
	} else {
		w = append(w, "page not present")
	}
	switch {
	case code&pfInstruction != 0:
		w = append(w, "instruction fetch")
	case code&pfWrite != 0:
		w = append(w, "write")
	default:
		w = append(w, "read")
	}
	if code&pfUser != 0 {
		w = append(w, "user mode")
	} else {
		w = append(w, "kernel mode")
	}
	if code&pfReserved != 0 {
		w = append(w, "reserved bit set")
	}
	if code&pfProtKey != 0 {
		w = append(w, "protection key")
	}
	if code&pfShadowStack != 0 {
		w = append(w, "shadow stack")
	}
	return strings.Join(w, ", ")
}

// flagNames lists the RFLAGS bits that are set.
func flagNames(rflags uint64) string {
	var w []string
	for _, f := range rflagsBits {
		if rflags&f.bit != 0 {
			w = append(w, f.name)
		}
	}
	return strings.Join(w, " ")
}

// SymbolFunc names the function containing pc, with the offset of pc from
// its start, or returns "" if pc is in no known function.
type SymbolFunc func(pc uint64) (name string, base uint64)

// Report returns the exception report, one line each: the exception, the
// registers, and the instruction in code (the bytes at RIP, nil if they
// could not be read) decoded in Intel syntax.
func (f *ExceptionFrame) Report(code []byte, sym SymbolFunc) []string {
	lines := []string{f.headline()}
	if f.Vector == vectorPageFault {
		lines = append(lines, fmt.Sprintf("CR2 %#016x (%s)", f.CR2, pageFaultCause(f.ErrorCode)))
	}
	lines = append(lines, f.registerLines()...)
	return append(lines, "instruction: "+decodeAt(code, f.RIP, sym))
}

// headline is the report's first line.
func (f *ExceptionFrame) headline() string {
	s := fmt.Sprintf("CPU exception %s (vector %d) at CPL%d", ExceptionName(f.Vector), f.Vector, f.CS&selectorRPL)
	if hasErrorCode(f.Vector) {
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
	return append(lines, fmt.Sprintf("RFLAGS %#x [%s]  SS %#x", f.RFLAGS, flagNames(f.RFLAGS), f.SS))
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
