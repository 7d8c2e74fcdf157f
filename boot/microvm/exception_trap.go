//go:build tamago && amd64

package microvm

import (
	"os"
	"runtime"
	"strconv"

	cpu "github.com/tamach/tamach/cpu/amd64"
)

// excEntrySize is the size of one excTable entry, a CALL rel32 (Intel SDM
// Vol. 2A CALL, opcode E8 cd).
const excEntrySize = 5

// excTableAddr returns the address of excTable (exception_amd64.s).
func excTableAddr() uint64

// excTable is the row of IDT entry points, one CALL excCommon per vector
// (exception_amd64.s). It is entered only through the IDT.
func excTable()

// excCommon saves the machine state to excFrame and reports it
// (exception_amd64.s). It is entered only from excTable.
func excCommon()

// excResume pushes excReturnPC, if any, and jumps to excBacktrace
// (exception_amd64.s). It is entered only by excCommon's IRETQ.
func excResume()

// Exception state. There is one CPU, and every exception ends the run, so
// one static frame is enough; SMP needs one per CPU.
var (
	// excFrame is filled by excCommon before excReportFn runs.
	excFrame ExceptionFrame

	// excReportFn is the report excCommon calls on the system stack.
	excReportFn = reportException

	// excReturnPC is the fake return address excResume pushes, or 0.
	excReturnPC uint64

	// excActive is set once an exception is being reported: a second
	// one ends the run at once.
	excActive bool

	// excStack receives the Go backtrace; static, so that printing it
	// does not allocate.
	excStack [64 << 10]byte
)

// installExceptionHandlers points IDT vectors 0-31, except the NMI, at
// excTable. TamaGo's EnableExceptions loads its IDT first; the board then
// overwrites the exception gates in place, so TamaGo's interrupt servicing
// (vectors 32-255, NMI) keeps working.
func installExceptionHandlers() {
	AMD64.EnableExceptions()
	idt, _ := cpu.ReadIDTR()
	table := excTableAddr()
	selector := cpu.ReadCS()
	for v := uint64(0); v < exceptionCount; v++ {
		if v == vectorNMI {
			continue
		}
		lo, hi := cpu.InterruptGate(table+v*excEntrySize, selector, cpu.DPLKernel)
		cpu.Store64(idt+v*cpu.GateSize, lo)
		cpu.Store64(idt+v*cpu.GateSize+8, hi)
	}
}

// reportException prints the report of excFrame. It runs on the system
// stack, called by excCommon; on return excCommon resumes the interrupted
// stack at excResume, which prints the backtrace.
func reportException() {
	f := &excFrame
	if excActive {
		print("\nmicrovm: nested ", cpu.ExceptionName(f.Vector), " at RIP 0x", strconv.FormatUint(f.RIP, 16),
			" while handling an exception\n")
		failWith(exitCodeException)
	}
	excActive = true
	code := textBytes(f.RIP)
	print("\n")
	for _, line := range f.Report(code, symbolAt) {
		print("microvm: ", line, "\n")
	}
	if fn := runtime.FuncForPC(uintptr(f.RIP)); fn != nil && len(code) > 0 {
		file, line := fn.FileLine(uintptr(f.RIP))
		print("microvm: at ", file, ":", line, "\n")
		excReturnPC = f.RIP
	}
}

// excBacktrace prints the Go backtrace of the interrupted goroutine and
// ends the run. excResume jumps to it.
func excBacktrace() {
	print("microvm: Go backtrace (excBacktrace stands for the faulting instruction):\n")
	n := runtime.Stack(excStack[:], false)
	os.Stdout.Write(excStack[:n])
	failWith(exitCodeException)
}

// textBytes returns up to maxInstructionLen bytes at pc if pc is in the
// kernel's text, nil otherwise: reading an arbitrary RIP could fault again.
func textBytes(pc uint64) []byte {
	start, end := runtime.TextRegion()
	if pc < start || pc >= end {
		return nil
	}
	n := min(uint64(maxInstructionLen), end-pc)
	b := make([]byte, n)
	for i := range b {
		b[i] = cpu.Load8(pc + uint64(i))
	}
	return b
}

// symbolAt names the Go function containing pc.
func symbolAt(pc uint64) (string, uint64) {
	fn := runtime.FuncForPC(uintptr(pc))
	if fn == nil {
		return "", 0
	}
	return fn.Name(), uint64(fn.Entry())
}
