package amd64

import (
	"github.com/tamach/tamach/pmap"

	"github.com/tamach/tamach/kernel/machine"

	cpu "github.com/tamach/tamach/cpu/amd64"
)

// The x86-64 trap decoding, plain Go so that it is tested on any host. The
// trampoline leaves the vector, the error code and CR2 in the trap frame;
// Run hands them here.

// decodeTrap turns a trap frame's vector and error code, and CR2, into a Trap.
func decodeTrap(vector, code, cr2 uint64) machine.Trap {
	// LAB trap-x86: begin
	switch {
	case vector == vectorSyscall:
		return machine.Trap{Cause: machine.Cause{Kind: machine.TrapSyscall}, Vector: vector}
	case vector == cpu.VectorPF:
		t := machine.Trap{Vector: vector, Code: code, Addr: pmap.VAddr(cr2)}
		t.Kind, t.Access = machine.TrapPageFault, pmap.ProtRead
		t.Present, t.User = code&cpu.PFPresent != 0, code&cpu.PFUser != 0
		switch {
		case code&cpu.PFInstruction != 0:
			t.Access = pmap.ProtExecute
		case code&cpu.PFWrite != 0:
			t.Access = pmap.ProtWrite
		}
		return t
	case vector < exceptions:
		return machine.Trap{Cause: machine.Cause{Kind: machine.TrapException}, Vector: vector, Code: code}
	}
	return machine.Trap{Cause: machine.Cause{Kind: machine.TrapInterrupt}, Vector: vector}
	// LAB trap-x86: stub
	// panic("lab trap-x86: not implemented: decodeTrap")
	// LAB trap-x86: end
}
