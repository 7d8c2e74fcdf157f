package arm64

import "fmt"

// ESR is a value of ESR_EL1, the Exception Syndrome Register (Arm ARM
// §D24.2 "ESR_EL1"): EC in bits [31:26], IL in bit 25, ISS in bits [24:0].
type ESR uint64

// ESR fields.
const (
	esrECShift  = 26
	esrECMask   = 0x3f
	esrILBit    = 1 << 25
	esrISSMask  = 1<<25 - 1
	issWnRBit   = 1 << 6 // data abort: write, not read
	issS1PTWBit = 1 << 7 // abort on a stage 1 table walk
	issCMBit    = 1 << 8 // data abort: cache maintenance
	issEABit    = 1 << 9 // external abort type
	issFnVBit   = 1 << 10
	issISVBit   = 1 << 24 // data abort: ISS[23:14] hold a valid syndrome
	issFSCMask  = 0x3f    // DFSC / IFSC
	issImm16    = 0xffff  // SVC, HVC, SMC, BRK immediate
)

// Exception classes used by the kernel (ESR_EL1.EC, Arm ARM §D24.2 "ESR_EL1").
const (
	ECUnknown      = 0x00
	ECWFx          = 0x01
	ECFPAccess     = 0x07
	ECIllegalState = 0x0e
	ECSVC64        = 0x15
	ECHVC64        = 0x16
	ECSMC64        = 0x17
	ECSysReg       = 0x18
	ECInstAbortLow = 0x20
	ECInstAbort    = 0x21
	ECPCAlign      = 0x22
	ECDataAbortLow = 0x24
	ECDataAbort    = 0x25
	ECSPAlign      = 0x26
	ECFP64         = 0x2c
	ECSError       = 0x2f
	ECBreakLow     = 0x30
	ECBreak        = 0x31
	ECStepLow      = 0x32
	ECStep         = 0x33
	ECWatchLow     = 0x34
	ECWatch        = 0x35
	ECBRK64        = 0x3c
)

var ecNames = map[uint8]string{
	ECUnknown:      "unknown reason (undefined instruction)",
	ECWFx:          "trapped WFI/WFE",
	ECFPAccess:     "trapped SVE/SIMD/FP access",
	ECIllegalState: "illegal execution state",
	ECSVC64:        "SVC in AArch64",
	ECHVC64:        "HVC in AArch64",
	ECSMC64:        "SMC in AArch64",
	ECSysReg:       "trapped MSR/MRS/system instruction",
	ECInstAbortLow: "instruction abort from a lower EL",
	ECInstAbort:    "instruction abort without a change of EL",
	ECPCAlign:      "PC alignment fault",
	ECDataAbortLow: "data abort from a lower EL",
	ECDataAbort:    "data abort without a change of EL",
	ECSPAlign:      "SP alignment fault",
	ECFP64:         "trapped floating-point exception",
	ECSError:       "SError interrupt",
	ECBreakLow:     "breakpoint from a lower EL",
	ECBreak:        "breakpoint without a change of EL",
	ECStepLow:      "software step from a lower EL",
	ECStep:         "software step without a change of EL",
	ECWatchLow:     "watchpoint from a lower EL",
	ECWatch:        "watchpoint without a change of EL",
	ECBRK64:        "BRK instruction in AArch64",
}

// EC is the exception class.
func (e ESR) EC() uint8 { return uint8(e>>esrECShift) & esrECMask }

// ISS is the instruction-specific syndrome.
func (e ESR) ISS() uint32 { return uint32(e) & esrISSMask }

// Is32 reports a 32-bit trapped instruction (IL=1).
func (e ESR) Is32() bool { return e&esrILBit != 0 }

// IsAbort reports an instruction or data abort, whose ISS carries a fault
// status code and FAR_EL1 holds the faulting address.
func (e ESR) IsAbort() bool {
	switch e.EC() {
	case ECInstAbort, ECInstAbortLow, ECDataAbort, ECDataAbortLow:
		return true
	}
	return false
}

// IsDataAbort reports a data abort.
func (e ESR) IsDataAbort() bool { return e.EC() == ECDataAbort || e.EC() == ECDataAbortLow }

// WnR reports, for a data abort, that the access was a write.
func (e ESR) WnR() bool { return e.IsDataAbort() && e.ISS()&issWnRBit != 0 }

// FSC is the fault status code (DFSC or IFSC) of an abort.
func (e ESR) FSC() FaultStatus { return FaultStatus(e.ISS() & issFSCMask) }

// CM reports, for a data abort, a cache maintenance instruction (which
// sets WnR but reads the page).
func (e ESR) CM() bool { return e.IsDataAbort() && e.ISS()&issCMBit != 0 }

// ClassName names the exception class.
func (e ESR) ClassName() string {
	if n, ok := ecNames[e.EC()]; ok {
		return n
	}
	return fmt.Sprintf("exception class %#x", e.EC())
}

// FaultStatus is the fault status code of an abort, DFSC or IFSC (Arm ARM
// D24.2 "ESR_EL1", ISS encoding for an exception from a Data Abort; the
// same codes appear in PAR_EL1.FST after a failed AT): for address size,
// translation, access flag and permission faults, bits [5:2] give the kind
// and bits [1:0] the translation table level.
type FaultStatus uint8

// Fault kinds, with the level bits clear, and the codes that have no level.
const (
	FaultAddressSize  FaultStatus = 0b0000_00
	FaultTranslation  FaultStatus = 0b0001_00
	FaultAccessFlag   FaultStatus = 0b0010_00
	FaultPermission   FaultStatus = 0b0011_00
	FaultExternal     FaultStatus = 0b0100_00
	FaultTagCheck     FaultStatus = 0b0100_01
	FaultExternalWalk FaultStatus = 0b0101_00 // levelled too
	FaultAlignment    FaultStatus = 0b1000_01
	FaultTLBConflict  FaultStatus = 0b1100_00

	faultLevelMask FaultStatus = 0b11
	faultKindLimit FaultStatus = 0b0100_00 // codes below have a level and are paging faults
)

// Kind is the fault's kind with the level bits cleared, or the whole code
// when the code is not one of the levelled kinds.
func (f FaultStatus) Kind() FaultStatus {
	if f < faultKindLimit || f&^faultLevelMask == FaultExternalWalk {
		return f &^ faultLevelMask
	}
	return f
}

// Level is the translation table level of a levelled fault.
func (f FaultStatus) Level() int { return int(f & faultLevelMask) }

// Paging reports whether the fault is one the VM system resolves: an
// address size, translation, access flag or permission fault.
func (f FaultStatus) Paging() bool { return f < faultKindLimit }

var faultNames = map[FaultStatus]string{
	FaultAddressSize:  "address size fault",
	FaultTranslation:  "translation fault",
	FaultAccessFlag:   "access flag fault",
	FaultPermission:   "permission fault",
	FaultExternalWalk: "synchronous external abort on table walk",
	FaultExternal:     "synchronous external abort",
	FaultTagCheck:     "synchronous tag check fault",
	FaultAlignment:    "alignment fault",
	FaultTLBConflict:  "TLB conflict abort",
}

func (f FaultStatus) String() string {
	name, ok := faultNames[f.Kind()]
	switch {
	case !ok:
		return fmt.Sprintf("fault status %#x", uint8(f))
	case f.Paging() || f.Kind() == FaultExternalWalk:
		return fmt.Sprintf("%s, level %d", name, f.Level())
	}
	return name
}

// Describe decodes the syndrome into report lines. It runs on the system
// stack of the board's exception report, so it hands fmt only strings and
// numbers: formatting a Stringer there would defer, which the runtime
// forbids on the system stack.
func (e ESR) Describe() []string {
	lines := []string{fmt.Sprintf("ESR_EL1 %#x: EC %#x %s, IL %d, ISS %#x",
		uint64(e), e.EC(), e.ClassName(), boolBit(e.Is32()), e.ISS())}
	iss := e.ISS()
	switch {
	case e.IsDataAbort():
		access := "read"
		if e.WnR() {
			access = "write"
		}
		lines = append(lines, fmt.Sprintf("  DFSC %#x %s; WnR %d (%s); ISV %d, S1PTW %d, CM %d, EA %d, FnV %d (FAR %s)",
			uint8(e.FSC()), e.FSC().String(), boolBit(e.WnR()), access,
			bit(iss, issISVBit), bit(iss, issS1PTWBit), bit(iss, issCMBit), bit(iss, issEABit),
			bit(iss, issFnVBit), farValidity(iss)))
	case e.IsAbort():
		lines = append(lines, fmt.Sprintf("  IFSC %#x %s; S1PTW %d, EA %d, FnV %d (FAR %s)",
			uint8(e.FSC()), e.FSC().String(), bit(iss, issS1PTWBit), bit(iss, issEABit),
			bit(iss, issFnVBit), farValidity(iss)))
	case e.EC() == ECSVC64 || e.EC() == ECHVC64 || e.EC() == ECSMC64 || e.EC() == ECBRK64:
		lines = append(lines, fmt.Sprintf("  imm16 %#x", iss&issImm16))
	}
	return lines
}

func farValidity(iss uint32) string {
	if iss&issFnVBit != 0 {
		return "not valid"
	}
	return "valid"
}

func bit(v uint32, mask uint32) int {
	if v&mask != 0 {
		return 1
	}
	return 0
}

func boolBit(b bool) int {
	if b {
		return 1
	}
	return 0
}
