package machine

import (
	"fmt"

	"github.com/tamach/tamach/pmap"
)

// The arm64 trap decoding, plain Go so that it is tested on any host (the
// files named a64*.go hold the arm64 parts that need no hardware; the
// *_arm64.go files hold the rest). Section numbers are those of the Arm
// Architecture Reference Manual for A-profile, DDI 0487 J.a ("Arm ARM"),
// where AArch64 system registers are described in D19.2; later issues
// renumber the register pages (K.a and L.a use D24.2), so each register is
// named too.

// a64VectorKind is the kind of an exception entry, the low two bits of its
// index in a 16-entry VBAR_EL1 table (Arm ARM D1, "Exception vectors":
// synchronous, IRQ, FIQ and SError at offsets 0x000, 0x080, 0x100, 0x180 of
// each group).
type a64VectorKind uint64

// Vector kinds.
const (
	a64Sync a64VectorKind = iota
	a64IRQ
	a64FIQ
	a64SError
)

// ESR_EL1 fields (Arm ARM D19.2, "ESR_EL1, Exception Syndrome Register
// (EL1)"): EC in bits [31:26], IL in bit [25], ISS in bits [24:0].
const (
	esrECShift = 26
	esrECMask  = 0x3f
	esrISSMask = 1<<25 - 1

	// ISS of a Data Abort (ISS encoding for an exception from a Data
	// Abort): WnR bit [6], CM bit [8], DFSC bits [5:0]. An Instruction
	// Abort has IFSC in bits [5:0] and no WnR.
	issWnR     = 1 << 6
	issCM      = 1 << 8
	issFSCMask = 0x3f
)

// Exception classes Run tells apart (ESR_EL1.EC).
const (
	ecSVC64        = 0x15 // SVC instruction execution in AArch64 state
	ecInstAbortLow = 0x20 // Instruction Abort from a lower Exception level
	ecDataAbortLow = 0x24 // Data Abort from a lower Exception level
	ecSError       = 0x2f // SError interrupt
	ecBRK64        = 0x3c // BRK instruction execution in AArch64 state
)

// a64FIQVector is Trap.Vector for an FIQ from EL0: an FIQ has no syndrome
// (ESR_EL1 is not written), so the value lies outside the 6-bit EC range.
// The board routes every interrupt as IRQ (Group 1), so it is not expected.
const a64FIQVector = 0x100

// FaultStatus is the fault status code of an abort, DFSC or IFSC (Arm ARM
// D19.2, ESR_EL1 "ISS encoding for an exception from a Data Abort",
// DFSC): for address size, translation, access flag and permission faults
// bits [5:2] give the kind and bits [1:0] the lookup level.
type FaultStatus uint8

// Fault kinds, DFSC/IFSC bits [5:2] with the level bits clear.
const (
	FaultAddressSize FaultStatus = 0b0000_00
	FaultTranslation FaultStatus = 0b0001_00
	FaultAccessFlag  FaultStatus = 0b0010_00
	FaultPermission  FaultStatus = 0b0011_00
	fsLevelMask      FaultStatus = 0b11
	fsKindLimit      FaultStatus = 0b0100_00 // codes from here on have no level
)

// Kind is the fault's kind with the level bits cleared, or the whole code
// when the code is not one of the four levelled kinds.
func (f FaultStatus) Kind() FaultStatus {
	if f < fsKindLimit {
		return f &^ fsLevelMask
	}
	return f
}

// Level is the translation table level of a levelled fault.
func (f FaultStatus) Level() int { return int(f & fsLevelMask) }

// Paging reports whether the fault is one the VM system resolves: an
// address size, translation, access flag or permission fault.
func (f FaultStatus) Paging() bool { return f < fsKindLimit }

func (f FaultStatus) String() string {
	names := map[FaultStatus]string{
		FaultAddressSize: "address size", FaultTranslation: "translation",
		FaultAccessFlag: "access flag", FaultPermission: "permission",
	}
	if f.Paging() {
		return fmt.Sprintf("%s fault, level %d", names[f.Kind()], f.Level())
	}
	return fmt.Sprintf("fault status %#x", uint8(f))
}

// ESRFaultStatus is the DFSC or IFSC of the syndrome esr.
func ESRFaultStatus(esr uint64) FaultStatus { return FaultStatus(esr & issFSCMask) }

// esrEC is the exception class of esr.
func esrEC(esr uint64) uint64 { return esr >> esrECShift & esrECMask }

// a64DecodeTrap turns what the trampoline saved about an exception from EL0
// into a Trap: the entry's kind, ESR_EL1 and FAR_EL1 (Arm ARM D19.2
// "FAR_EL1": valid for Instruction and Data Aborts), and for an IRQ the
// INTID acknowledged at the GIC. Trap.Vector is the exception class (the
// INTID for an interrupt) and Trap.Code the whole syndrome.
func a64DecodeTrap(kind a64VectorKind, esr, far uint64, intid uint64) Trap {
	switch kind {
	case a64IRQ:
		return Trap{Kind: TrapInterrupt, Vector: intid, User: true}
	case a64FIQ:
		return Trap{Kind: TrapException, Vector: a64FIQVector, User: true}
	case a64SError:
		return Trap{Kind: TrapException, Vector: esrEC(esr), Code: esr, User: true}
	}
	ec := esrEC(esr)
	t := Trap{Kind: TrapException, Vector: ec, Code: esr, User: true}
	switch ec {
	case ecSVC64:
		t.Kind = TrapSyscall
	case ecInstAbortLow, ecDataAbortLow:
		fs := ESRFaultStatus(esr)
		if !fs.Paging() {
			break // alignment, external abort, ...: not the VM's business
		}
		t.Kind = TrapPageFault
		t.Addr = pmap.VAddr(far)
		t.Access = abortAccess(ec, esr)
		t.Present = fs.Kind() == FaultAccessFlag || fs.Kind() == FaultPermission
	}
	return t
}

// abortAccess is the access an abort was for: execute for an Instruction
// Abort; for a Data Abort write when WnR is set, read otherwise (cache
// maintenance, CM = 1, reports WnR = 1 but is a read of the page).
func abortAccess(ec, esr uint64) pmap.Prot {
	switch {
	case ec == ecInstAbortLow:
		return pmap.ProtExecute
	case esr&issWnR != 0 && esr&issCM == 0:
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

// a64DecodePAR returns the output address of a successful translation, or
// ok = false and the fault status of a failed one.
func a64DecodePAR(par uint64) (pa pmap.PAddr, fs FaultStatus, ok bool) {
	if par&parF != 0 {
		return 0, FaultStatus(par >> parFSTShift & parFSTMask), false
	}
	return pmap.PAddr(par & parPAMask), 0, true
}
