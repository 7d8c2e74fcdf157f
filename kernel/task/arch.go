package task

import (
	"debug/elf"
	"fmt"

	"golang.org/x/arch/arm64/arm64asm"
	"golang.org/x/arch/x86/x86asm"

	"github.com/tamach/tamach/kernel/machine"
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

// x86 exception vectors (Intel SDM Vol. 3A §6.3.1, Table 6-1).
const (
	vecDivide     = 0  // #DE
	vecBreakpoint = 3  // #BP
	vecInvalidOp  = 6  // #UD
	vecGP         = 13 // #GP
	vecAlignment  = 17 // #AC
)

// Arm exception classes in ESR_EL1.EC (Arm ARM D19.2.41, "ESR_EL1").
const (
	ecPCAlign = 0x22 // PC alignment fault
	ecSPAlign = 0x26 // SP alignment fault
	ecBRK     = 0x3c // BRK instruction
)

// Signal numbers of Linux's asm-generic/signal.h, used in wait statuses.
const (
	sigILL  = 4
	sigTRAP = 5
	sigBUS  = 7
	sigFPE  = 8
	sigKILL = 9
	sigSEGV = 11
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
		case vecDivide:
			return sigFPE
		case vecBreakpoint:
			return sigTRAP
		case vecGP:
			return sigSEGV
		case vecAlignment:
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
		case ecBRK:
			return sigTRAP
		case ecPCAlign, ecSPAlign:
			return sigBUS
		}
		return sigILL
	},
}
