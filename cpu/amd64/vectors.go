package amd64

import (
	"fmt"
	"strings"
)

// Exception vectors (Intel SDM Vol. 3A §6.3.1, Table 6-1 "Protected-Mode
// Exceptions and Interrupts"; 21 #CP, 29 #VC and 30 #SX from the AMD64 APM
// Vol. 2 §8.2). Vectors 0-31 are exceptions, 32-255 interrupts.
const (
	VectorDE  = 0  // #DE divide error
	VectorDB  = 1  // #DB debug
	VectorNMI = 2  // non-maskable interrupt
	VectorBP  = 3  // #BP breakpoint (INT3)
	VectorUD  = 6  // #UD invalid opcode
	VectorDF  = 8  // #DF double fault
	VectorGP  = 13 // #GP general protection
	VectorPF  = 14 // #PF page fault
	VectorAC  = 17 // #AC alignment check

	Exceptions = 32  // vectors below this are exceptions
	Vectors    = 256 // entries of the IDT
)

// exceptionNames are the mnemonics and names of vectors 0-31.
var exceptionNames = [Exceptions]string{
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

// ExceptionName returns the mnemonic and name of a vector ("#PF page
// fault"), or "interrupt N" above the exceptions.
func ExceptionName(vector uint64) string {
	if vector < Exceptions {
		return exceptionNames[vector]
	}
	return fmt.Sprintf("interrupt %d", vector)
}

// ErrorCodeVectors has bit v set for each exception that pushes an error
// code (Table 6-1, "Error Code" column; AMD64 APM Vol. 2 §8.2 for #VC and
// #SX). The entry stubs of the others push a 0 in its place.
const ErrorCodeVectors = 1<<8 | 1<<10 | 1<<11 | 1<<12 | 1<<13 | 1<<14 |
	1<<17 | 1<<21 | 1<<29 | 1<<30

// HasErrorCode reports whether the CPU pushes an error code for vector.
func HasErrorCode(vector uint64) bool {
	return vector < Exceptions && ErrorCodeVectors&(1<<vector) != 0
}

// Page-fault error code bits (Intel SDM Vol. 3A §4.7, Figure 4-12
// "Page-Fault Error Code").
const (
	PFPresent     = 1 << 0 // P: protection violation, not a missing page
	PFWrite       = 1 << 1 // W/R: the access was a write
	PFUser        = 1 << 2 // U/S: the access was from CPL3
	PFReserved    = 1 << 3 // RSVD: a reserved bit was set in a paging entry
	PFInstruction = 1 << 4 // I/D: instruction fetch
	PFProtKey     = 1 << 5 // PK: protection-key violation
	PFShadowStack = 1 << 6 // SS: shadow-stack access
)

// PageFaultCause describes a page-fault error code in words.
func PageFaultCause(code uint64) string {
	var w []string
	if code&PFPresent != 0 {
		w = append(w, "protection violation")
	} else {
		w = append(w, "page not present")
	}
	switch {
	case code&PFInstruction != 0:
		w = append(w, "instruction fetch")
	case code&PFWrite != 0:
		w = append(w, "write")
	default:
		w = append(w, "read")
	}
	if code&PFUser != 0 {
		w = append(w, "user mode")
	} else {
		w = append(w, "kernel mode")
	}
	for _, b := range []struct {
		bit  uint64
		name string
	}{{PFReserved, "reserved bit set"}, {PFProtKey, "protection key"}, {PFShadowStack, "shadow stack"}} {
		if code&b.bit != 0 {
			w = append(w, b.name)
		}
	}
	return strings.Join(w, ", ")
}
