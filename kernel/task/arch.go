package task

import (
	"debug/elf"
	"fmt"

	"golang.org/x/arch/arm64/arm64asm"
	"golang.org/x/arch/x86/x86asm"

	"github.com/tamach/tamach/kernel/machine"

	x86 "github.com/tamach/tamach/cpu/amd64"
	aarch64 "github.com/tamach/tamach/cpu/arm64"
)

// Arch describes one instruction set to the task layer: its ELF machine,
// its Linux system call numbers, how its instructions are decoded for fault
// reports and which signal a trap stands for in a wait status.
type Arch struct {
	Name    string
	Machine elf.Machine // e_machine of the ELF images it runs

	// MaxInsn is the longest instruction in bytes: what a fault report
	// reads at the PC.
	MaxInsn int

	// syscalls maps the architecture's Linux numbers to the calls.
	syscalls map[uint64]*syscallDef

	// cloneTLS is the argument index of clone's tls argument (x86-64
	// and arm64 order clone's arguments differently: Linux
	// kernel/fork.c, CONFIG_CLONE_BACKWARDS).
	cloneTLS int

	// decode renders the instruction at the start of code, at pc.
	decode func(code []byte, pc uint64) (string, error)

	// signal is the signal a fatal exception stands for.
	signal func(t machine.Trap) int
}

// Decode renders the instruction at the start of code (read at pc) for a
// report, or says why it cannot.
func (a *Arch) Decode(code []byte, pc uint64) string {
	if len(code) == 0 {
		return "(instruction not readable)"
	}
	s, err := a.decode(code, pc)
	if err != nil {
		return fmt.Sprintf("(% x: %v)", code[:min(len(code), 4)], err)
	}
	return s
}

// Signal numbers of Linux's asm-generic/signal.h, used in wait statuses.
const (
	sigILL  = 4
	sigTRAP = 5
	sigBUS  = 7
	sigFPE  = 8
	sigKILL = 9
	sigSEGV = 11
	sigXCPU = 24 // the CPU time limit (Config.CPULimit), as RLIMIT_CPU's
)

// AMD64 is the x86-64 instruction set.
var AMD64 = &Arch{
	Name: "amd64", Machine: elf.EM_X86_64, MaxInsn: 15,
	syscalls: syscallsAMD64, cloneTLS: 4,
	decode: func(code []byte, pc uint64) (string, error) {
		in, err := x86asm.Decode(code, 64)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("% x  %s", code[:in.Len], x86asm.IntelSyntax(in, pc, nil)), nil
	},
	signal: func(t machine.Trap) int {
		switch t.Vector {
		case x86.VectorDE:
			return sigFPE
		case x86.VectorBP:
			return sigTRAP
		case x86.VectorGP:
			return sigSEGV
		case x86.VectorAC:
			return sigBUS
		}
		return sigILL
	},
}

// ARM64 is the AArch64 instruction set.
var ARM64 = &Arch{
	Name: "arm64", Machine: elf.EM_AARCH64, MaxInsn: 4,
	syscalls: syscallsARM64, cloneTLS: 3,
	decode: func(code []byte, pc uint64) (string, error) {
		if len(code) < 4 {
			return "", fmt.Errorf("only %d bytes readable", len(code))
		}
		in, err := arm64asm.Decode(code)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("% x  %s", code[:4], arm64asm.GNUSyntax(in)), nil
	},
	signal: func(t machine.Trap) int {
		switch t.Vector {
		case aarch64.ECBRK64:
			return sigTRAP
		case aarch64.ECPCAlign, aarch64.ECSPAlign:
			return sigBUS
		}
		return sigILL
	},
}
