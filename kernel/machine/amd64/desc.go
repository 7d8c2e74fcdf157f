package amd64

import (
	"encoding/binary"

	cpu "github.com/tamach/tamach/cpu/amd64"
)

// Descriptor encodings of the x86-64 GDT, IDT and TSS. Plain Go, tested on
// the host against values worked out from the SDM's figures. Section numbers
// are those of the Intel SDM Vol. 3A from 2023 on (task management is chapter
// 9, the APIC chapter 11; older editions number them 7 and 10); the titles are
// given too.

// Segment descriptor fields (Intel SDM Vol. 3A §3.4.5 "Segment Descriptors",
// Figure 3-8). In 64-bit mode base and limit of code and data segments are
// ignored (§3.2.4 "Segmentation in IA-32e Mode"); type, S, DPL, P and L are
// what matter.
const (
	segTypeShift = 40      // type, bits 43:40 (Table 3-1)
	segS         = 1 << 44 // S: code or data (not system) descriptor
	segDPLShift  = 45      // DPL, bits 46:45
	segP         = 1 << 47 // present
	segL         = 1 << 53 // L: 64-bit code segment (§5.2.1 "Code-Segment Descriptor in 64-bit Mode")

	// segTypeCode is an execute/read code segment, segTypeData a
	// read/write data segment (Table 3-1 "Code- and Data-Segment Types").
	segTypeCode = 0xa
	segTypeData = 0x2

	// Limit and base field positions, for the TSS descriptor (Figure 3-8).
	segLimitLowMask  = 0xffff     // limit 15:0 in bits 15:0
	segBaseLowMask   = 0xffffff   // base 23:0 ...
	segBaseLowShift  = 16         // ... in bits 39:16
	segLimitHighMask = 0xf0000    // limit 19:16 ...
	segLimitHighPos  = 48 - 16    // ... in bits 51:48
	segBaseMidMask   = 0xff000000 // base 31:24 ...
	segBaseMidShift  = 56 - 24    // ... in bits 63:56
	segBaseHighShift = 32         // base 63:32 in the second quadword (TSS)
)

// codeSegment encodes a 64-bit code segment descriptor of privilege dpl.
func codeSegment(dpl uint64) uint64 {
	return segTypeCode<<segTypeShift | segS | dpl<<segDPLShift | segP | segL
}

// dataSegment encodes a read/write data segment descriptor of privilege dpl.
func dataSegment(dpl uint64) uint64 {
	return segTypeData<<segTypeShift | segS | dpl<<segDPLShift | segP
}

// tssTypeAvailable is the system-descriptor type of an available 64-bit TSS
// (Intel SDM Vol. 3A §3.5 Table 3-2 "System-Segment and Gate-Descriptor
// Types": 1001B in IA-32e mode). LTR marks it busy (1011B).
const tssTypeAvailable = 0x9

// tssDescriptor encodes the 16-byte 64-bit TSS descriptor of a TSS at base,
// limit bytes long minus one (Intel SDM Vol. 3A §9.2.3 "TSS Descriptor in
// 64-bit Mode", Figure 9-4), as its low and high quadwords.
func tssDescriptor(base, limit uint64) (lo, hi uint64) {
	lo = limit&segLimitLowMask |
		(base&segBaseLowMask)<<segBaseLowShift |
		tssTypeAvailable<<segTypeShift |
		cpu.DPLKernel<<segDPLShift | segP |
		(limit&segLimitHighMask)<<segLimitHighPos |
		(base&segBaseMidMask)<<segBaseMidShift
	hi = base >> segBaseHighShift
	return lo, hi
}

// GDT layout. The kernel selectors are those TamaGo's boot GDT already uses
// (amd64/init.s: code 0x08, data 0x10), so loading this GDT changes no
// selector the running code holds. The user selectors follow the order
// SYSRET needs (Intel SDM Vol. 3A §5.8.8 "Fast System Calls in 64-Bit Mode";
// Vol. 2B SYSRET): with IA32_STAR[63:48] = gdtUser32Code|3, SYSRET to 64-bit
// mode loads CS = STAR[63:48]+16 and SS = STAR[63:48]+8.
const (
	gdtNull       = 0
	gdtKernelCode = 1 // selector 0x08; SYSCALL loads CS = STAR[47:32]
	gdtKernelData = 2 // selector 0x10; SYSCALL loads SS = STAR[47:32]+8
	gdtUser32Code = 3 // selector 0x18: the 32-bit user code slot of the SYSRET layout, left not present
	gdtUserData   = 4 // selector 0x23 with RPL 3
	gdtUserCode   = 5 // selector 0x2b with RPL 3
	gdtTSS        = 6 // selector 0x30; the 64-bit TSS descriptor takes slots 6 and 7
	gdtEntries    = 8

	selectorShift = 3 // a selector is index<<3 | TI<<2 | RPL (§3.4.2, Figure 3-6)
	rpl3          = cpu.DPLUser

	selKernelCode = gdtKernelCode << selectorShift
	selKernelData = gdtKernelData << selectorShift
	selUserData   = gdtUserData<<selectorShift | rpl3
	selUserCode   = gdtUserCode<<selectorShift | rpl3
	selTSS        = gdtTSS << selectorShift
	selSysretBase = gdtUser32Code<<selectorShift | rpl3
)

// buildGDT returns the GDT's entries with the TSS at tssBase.
func buildGDT(tssBase uint64) [gdtEntries]uint64 {
	var g [gdtEntries]uint64
	g[gdtKernelCode] = codeSegment(cpu.DPLKernel)
	g[gdtKernelData] = dataSegment(cpu.DPLKernel)
	g[gdtUserData] = dataSegment(cpu.DPLUser)
	g[gdtUserCode] = codeSegment(cpu.DPLUser)
	g[gdtTSS], g[gdtTSS+1] = tssDescriptor(tssBase, tssSize-1)
	return g
}

// IA32_STAR fields (Intel SDM Vol. 3A §5.8.8, Figure 5-14 "MSRs Used by
// SYSCALL and SYSRET"; Vol. 4 Table 2-2).
const (
	starSyscallShift = 32 // STAR[47:32]: SYSCALL's CS; SS is CS+8
	starSysretShift  = 48 // STAR[63:48]: SYSRET's base; 64-bit CS is +16, SS +8
)

// starValue is the IA32_STAR value for this GDT.
func starValue() uint64 {
	return selKernelCode<<starSyscallShift | selSysretBase<<starSysretShift
}

// 64-bit TSS layout (Intel SDM Vol. 3A §9.7 "Task Management in 64-bit
// Mode", Figure 9-11 "64-Bit TSS Format"): byte offsets.
const (
	tssRSP0       = 4   // stack pointer loaded on a privilege change to CPL0
	tssIST1       = 36  // IST1..IST7 follow, 8 bytes each (§6.14.5)
	tssIOMapBase  = 102 // 16-bit offset of the I/O permission bit map
	tssSize       = 104 // the TSS proper; the I/O map would follow it
	tssNoIOBitmap = tssSize
)

// buildTSS returns the bytes of a TSS whose RSP0 is rsp0. The I/O map base
// points at the end of the TSS, so there is no I/O bitmap and, with IOPL 0,
// every IN/OUT from CPL3 raises #GP (Vol. 1 §19.5.2 "I/O Permission Bit Map").
func buildTSS(rsp0 uint64) [tssSize]byte {
	var t [tssSize]byte
	binary.LittleEndian.PutUint64(t[tssRSP0:], rsp0)
	binary.LittleEndian.PutUint16(t[tssIOMapBase:], tssNoIOBitmap)
	return t
}
