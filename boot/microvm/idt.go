package microvm

// 64-bit IDT gate descriptor fields (Intel SDM Vol. 3A §6.14.1, Figure 6-8
// "64-Bit IDT Gate Descriptors"). A gate is two quadwords.
const (
	gateOffsetLowMask   = 0xffff // offset bits 15:0 in bits 15:0
	gateSelectorShift   = 16     // segment selector in bits 31:16
	gateTypeShift       = 40     // type in bits 43:40
	gateDPLShift        = 45     // descriptor privilege level in bits 46:45
	gatePresent         = 1 << 47
	gateOffsetMidMask   = 0xffff0000 // offset bits 31:16 ...
	gateOffsetMidShift  = 32         // ... moved to bits 63:48
	gateOffsetHighShift = 32         // offset bits 63:32 in the second quadword

	// gateTypeInterrupt is a 64-bit interrupt gate, which clears IF on
	// entry (SDM Vol. 3A §3.5 Table 3-2 "System-Segment and Gate-Descriptor
	// Types"; §6.12.1.3).
	gateTypeInterrupt = 0xe

	// gateDPLKernel lets only CPL0 raise the vector with INT n.
	gateDPLKernel = 0

	// gateSize is the size of one 64-bit gate in bytes.
	gateSize = 16
)

// interruptGate encodes a present 64-bit interrupt gate to handler in code
// segment selector, DPL0, no IST, as its low and high quadwords.
func interruptGate(handler uint64, selector uint16) (lo, hi uint64) {
	lo = handler&gateOffsetLowMask |
		uint64(selector)<<gateSelectorShift |
		gateTypeInterrupt<<gateTypeShift |
		gateDPLKernel<<gateDPLShift |
		gatePresent |
		(handler&gateOffsetMidMask)<<gateOffsetMidShift
	hi = handler >> gateOffsetHighShift
	return lo, hi
}
