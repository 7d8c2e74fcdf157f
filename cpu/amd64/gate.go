package amd64

// 64-bit IDT gate descriptor fields (Intel SDM Vol. 3A §6.14.1 "64-Bit Mode
// IDT", Figure 6-8 "64-Bit IDT Gate Descriptors"). A gate is two quadwords.
const (
	gateOffsetLowMask   = 0xffff // offset bits 15:0 in bits 15:0
	gateSelectorShift   = 16     // segment selector in bits 31:16
	gateTypeShift       = 40     // type in bits 43:40
	gateDPLShift        = 45     // descriptor privilege level in bits 46:45
	gatePresent         = 1 << 47
	gateOffsetMidMask   = 0xffff0000 // offset bits 31:16 ...
	gateOffsetMidShift  = 32         // ... moved to bits 63:48
	gateOffsetHighShift = 32         // offset bits 63:32 in the second quadword

	// gateTypeInterrupt is a 64-bit interrupt gate: IF is cleared on
	// entry (§3.5 Table 3-2 "System-Segment and Gate-Descriptor Types";
	// §6.12.1.3 "Flag Usage By Exception- or Interrupt-Handler Procedure").
	gateTypeInterrupt = 0xe

	// GateSize is the size of one gate in bytes.
	GateSize = 16
)

// Privilege levels (Intel SDM Vol. 3A §5.5 "Privilege Levels").
const (
	DPLKernel = 0
	DPLUser   = 3
)

// InterruptGate encodes a present 64-bit interrupt gate to handler in the
// code segment selector, without an IST stack, as its low and high
// quadwords. dpl is the lowest privilege allowed to raise the vector with
// INT n (§6.12.1.1): DPLKernel makes INT n from user mode a #GP.
func InterruptGate(handler uint64, selector uint16, dpl uint64) (lo, hi uint64) {
	lo = handler&gateOffsetLowMask |
		uint64(selector)<<gateSelectorShift |
		gateTypeInterrupt<<gateTypeShift |
		dpl<<gateDPLShift |
		gatePresent |
		(handler&gateOffsetMidMask)<<gateOffsetMidShift
	hi = handler >> gateOffsetHighShift
	return lo, hi
}

// GateHandler decodes the handler offset of a gate.
func GateHandler(lo, hi uint64) uint64 {
	return lo&gateOffsetLowMask | (lo>>gateOffsetMidShift)&gateOffsetMidMask | hi<<gateOffsetHighShift
}
