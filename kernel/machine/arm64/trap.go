package arm64

import (
	"github.com/tamach/tamach/pmap"

	"github.com/tamach/tamach/kernel/machine"

	cpu "github.com/tamach/tamach/cpu/arm64"
)

// The arm64 trap decoding, plain Go so that it is tested on any host (files
// without a build tag hold the parts that need no hardware). The syndrome
// itself (ESR_EL1 classes, fault status codes) is decoded by cpu/arm64.
// Section numbers are those of the Arm Architecture Reference Manual for
// A-profile, DDI 0487 J.a ("Arm ARM"), where AArch64 system registers are
// described in D19.2; later issues renumber the register pages (K.a and L.a
// use D24.2), so each register is named too.

// fiqVector is Trap.Vector for an FIQ from EL0: an FIQ has no syndrome
// (ESR_EL1 is not written), so the value lies outside the 6-bit EC range.
// The board routes every interrupt as IRQ (Group 1), so it is not expected.
const fiqVector = 0x100

// decodeTrap turns what the trampoline saved about an exception from EL0
// into a Trap: the entry's kind, ESR_EL1 and FAR_EL1 (Arm ARM D19.2
// "FAR_EL1": valid for Instruction and Data Aborts), and for an IRQ the
// INTID acknowledged at the GIC. Trap.Vector is the exception class (the
// INTID for an interrupt) and Trap.Code the whole syndrome.
func decodeTrap(kind cpu.Vector, esr cpu.ESR, far uint64, intid uint64) machine.Trap {
	switch kind {
	case cpu.KindIRQ:
		return machine.Trap{Cause: machine.Cause{Kind: machine.TrapInterrupt, User: true}, Vector: intid}
	case cpu.KindFIQ:
		return machine.Trap{Cause: machine.Cause{Kind: machine.TrapException, User: true}, Vector: fiqVector}
	case cpu.KindSError:
		return machine.Trap{Cause: machine.Cause{Kind: machine.TrapException, User: true}, Vector: uint64(esr.EC()), Code: uint64(esr)}
	}
	t := machine.Trap{Cause: machine.Cause{Kind: machine.TrapException, User: true}, Vector: uint64(esr.EC()), Code: uint64(esr)}
	switch esr.EC() {
	case cpu.ECSVC64:
		t.Kind = machine.TrapSyscall
	case cpu.ECInstAbortLow, cpu.ECDataAbortLow:
		fs := esr.FSC()
		if !fs.Paging() {
			break // alignment, external abort, ...: not the VM's business
		}
		t.Kind = machine.TrapPageFault
		t.Addr = pmap.VAddr(far)
		t.Access = abortAccess(esr)
		t.Present = fs.Kind() == cpu.FaultAccessFlag || fs.Kind() == cpu.FaultPermission
	}
	return t
}

// abortAccess is the access an abort was for: execute for an Instruction
// Abort; for a Data Abort write when WnR is set, read otherwise (cache
// maintenance, CM = 1, reports WnR = 1 but is a read of the page).
func abortAccess(esr cpu.ESR) pmap.Prot {
	switch {
	case esr.EC() == cpu.ECInstAbortLow:
		return pmap.ProtExecute
	case esr.WnR() && !esr.CM():
		return pmap.ProtWrite
	}
	return pmap.ProtRead
}

// PAR_EL1 after an AT instruction (Arm ARM D19.2, "PAR_EL1, Physical
// Address Register"): F, bit [0], says the translation failed; then FST,
// bits [6:1], is the fault status code. Otherwise PA, bits [47:12], is the
// output address.
const (
	parF        = 1 << 0
	parFSTShift = 1
	parFSTMask  = 0x3f
	parPAMask   = (1<<48 - 1) &^ pmap.PageMask
)

// decodePAR returns the output address of a successful translation, or
// ok = false and the fault status of a failed one.
func decodePAR(par uint64) (pa pmap.PAddr, fs cpu.FaultStatus, ok bool) {
	if par&parF != 0 {
		return 0, cpu.FaultStatus(par >> parFSTShift & parFSTMask), false
	}
	return pmap.PAddr(par & parPAMask), 0, true
}
