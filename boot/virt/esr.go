package virt

import "fmt"

// Vector is the index of an entry of the VBAR_EL1 table: the table holds
// four groups (where the exception came from) of four kinds (what it is),
// each entry 0x80 bytes (Arm ARM §D1 "Exception vectors", table
// "Vector offsets from vector table base address").
type Vector uint8

// Groups and kinds of the vector table, in table order.
const (
	vectorKinds  = 4
	vectorGroups = 4
	NumVectors   = vectorKinds * vectorGroups
	VectorStride = 0x80 // bytes per entry
)

// Vector kinds, the low two bits of a Vector.
const (
	KindSync Vector = iota
	KindIRQ
	KindFIQ
	KindSError
)

// Vector groups, the high two bits of a Vector.
const (
	GroupCurrentSP0 Vector = iota * vectorKinds // current EL, SP_EL0 selected
	GroupCurrentSPx                             // current EL, SP_ELx selected
	GroupLower64                                // lower EL in AArch64
	GroupLower32                                // lower EL in AArch32
)

var vectorGroupNames = [vectorGroups]string{"current EL with SP0", "current EL with SPx", "lower EL AArch64", "lower EL AArch32"}
var vectorKindNames = [vectorKinds]string{"synchronous", "IRQ", "FIQ", "SError"}

// Kind is the exception kind of the entry.
func (v Vector) Kind() Vector { return v % vectorKinds }

// Group is the origin group of the entry.
func (v Vector) Group() Vector { return v - v%vectorKinds }

// Offset is the byte offset of the entry from VBAR_EL1.
func (v Vector) Offset() uint64 { return uint64(v) * VectorStride }

func (v Vector) String() string {
	if v >= NumVectors {
		return fmt.Sprintf("vector %d (invalid)", uint8(v))
	}
	return fmt.Sprintf("%s %s (VBAR_EL1+%#03x)", vectorGroupNames[v/vectorKinds], vectorKindNames[v%vectorKinds], v.Offset())
}

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
func (e ESR) FSC() uint8 { return uint8(e.ISS() & issFSCMask) }

// ClassName names the exception class.
func (e ESR) ClassName() string {
	if n, ok := ecNames[e.EC()]; ok {
		return n
	}
	return fmt.Sprintf("exception class %#x", e.EC())
}

// Fault status codes (Arm ARM §D24.2 "ESR_EL1", ISS encoding for an exception from
// a Data Abort, DFSC): the low two bits of the first four groups are the
// translation table level.
const (
	fscAddressSize  = 0b0000_00
	fscTranslation  = 0b0001_00
	fscAccessFlag   = 0b0010_00
	fscPermission   = 0b0011_00
	fscLevelMask    = 0b11
	fscExternal     = 0b0100_00
	fscTagCheck     = 0b0100_01
	fscExternalWalk = 0b0101_00
	fscAlignment    = 0b1000_01
	fscTLBConflict  = 0b1100_00
)

// FSCName names a fault status code.
func FSCName(fsc uint8) string {
	level := fsc & fscLevelMask
	switch fsc &^ fscLevelMask {
	case fscAddressSize:
		return fmt.Sprintf("address size fault, level %d", level)
	case fscTranslation:
		return fmt.Sprintf("translation fault, level %d", level)
	case fscAccessFlag:
		return fmt.Sprintf("access flag fault, level %d", level)
	case fscPermission:
		return fmt.Sprintf("permission fault, level %d", level)
	case fscExternalWalk:
		return fmt.Sprintf("synchronous external abort on table walk, level %d", level)
	}
	switch fsc {
	case fscExternal:
		return "synchronous external abort"
	case fscTagCheck:
		return "synchronous tag check fault"
	case fscAlignment:
		return "alignment fault"
	case fscTLBConflict:
		return "TLB conflict abort"
	}
	return fmt.Sprintf("fault status %#x", fsc)
}

// Describe decodes the syndrome into report lines.
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
			e.FSC(), FSCName(e.FSC()), boolBit(e.WnR()), access,
			bit(iss, issISVBit), bit(iss, issS1PTWBit), bit(iss, issCMBit), bit(iss, issEABit),
			bit(iss, issFnVBit), farValidity(iss)))
	case e.IsAbort():
		lines = append(lines, fmt.Sprintf("  IFSC %#x %s; S1PTW %d, EA %d, FnV %d (FAR %s)",
			e.FSC(), FSCName(e.FSC()), bit(iss, issS1PTWBit), bit(iss, issEABit),
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
