package armv8

import "fmt"

// PAddr is a physical address.
type PAddr uint64

// The boot identity map: built in Hwinit0 so that Go code runs with the
// MMU on (with the MMU off every data access is Device-nGnRnE and Go's
// unaligned loads would fault, Arm ARM chapter D8, "The effects of
// disabling an address translation stage"). The kernel's own tables
// (pmap/arm64) replace it; until then it maps, at level 1 of a 4 KiB-granule,
// 39-bit table:
//
//	[0, 2 MiB)             invalid: a nil dereference faults
//	[2 MiB, 1 GiB)         Device-nGnRnE, 2 MiB blocks (GIC, UART, ...)
//	[1 GiB, RAMEnd)        Normal write-back, 1 GiB blocks (the board's RAM)
//	[RAMEnd, 512 GiB)      invalid
//
// VAs at or above 2^39 are outside TTBR0's range and fault at level 0. Both
// boards fit this shape: QEMU virt and the i.MX 8M Plus have their devices
// in the first GiB and RAM from 1 GiB on (docs/boot-arm64.md).

// BootMap is what a board tells Hwinit0 about its address space: RAM (or
// the window RAM may occupy) is [RAMStart, RAMEnd); everything from 2 MiB
// to 1 GiB is devices.
type BootMap struct {
	RAMStart, RAMEnd PAddr
}

// Check reports a map the boot tables cannot express: RAM must start at
// 1 GiB and end on a GiB boundary at most 512 GiB. Each board's host tests
// check its map; Hwinit0 can only panic.
func (m BootMap) Check() error {
	if !m.valid() {
		return fmt.Errorf("armv8: boot map RAM [%#x, %#x): want RAM from 1 GiB to a GiB boundary at most 512 GiB", m.RAMStart, m.RAMEnd)
	}
	return nil
}

func (m BootMap) valid() bool {
	const gib = 1 << l1BlockShift
	return m.RAMStart == gib && m.RAMEnd > m.RAMStart && m.RAMEnd%gib == 0 && m.RAMEnd <= entriesPerTable*gib
}

const pageSize = 4096

// Stage 1 descriptor fields, VMSAv8-64 4 KiB granule (Arm ARM chapter D8,
// "Translation table descriptor formats").
const (
	descValid    = 1 << 0
	descTable    = 1 << 1 // levels 0-2: next-level table (else block)
	descAttrIdx  = 2      // AttrIndx[2:0] at bits [4:2]: MAIR_EL1 attribute
	descAPShift  = 6      // AP[2:1]; 0b00 = EL1 read/write, EL0 none
	descSHInner  = 0b11 << 8
	descAF       = 1 << 10
	descPXN      = 1 << 53
	descUXN      = 1 << 54
	descAddrMask = 0x0000_ffff_ffff_f000

	entriesPerTable = 512
	l1BlockShift    = 30 // a level-1 block maps 1 GiB
	l2BlockShift    = 21 // a level-2 block maps 2 MiB
)

// MAIR_EL1 attributes (Arm ARM D24.2 "MAIR_EL1", Attr<n> encodings).
const (
	mairDeviceNGnRnE = 0x00
	mairNormalWB     = 0xff // Normal, inner and outer write-back non-transient, R/W allocate
	attrDevice       = 0
	attrNormal       = 1
	mairValue        = mairDeviceNGnRnE<<(8*attrDevice) | mairNormalWB<<(8*attrNormal)
)

// TCR_EL1 fields (Arm ARM D24.2 "TCR_EL1").
const (
	tcrT0SZ       = 64 - 39 // 39-bit VA: translation starts at level 1
	tcrIRGN0WBWA  = 0b01 << 8
	tcrORGN0WBWA  = 0b01 << 10
	tcrSH0Inner   = 0b11 << 12
	tcrTG0Of4K    = 0b00 << 14
	tcrEPD1       = 1 << 23 // no TTBR1 walks at boot
	tcrTG1Of4K    = 0b10 << 30
	tcrIPSShift   = 32
	tcrIPSMax     = 0b101 // 48-bit PA, the most this 4 KiB/48-bit format uses
	mmfr0PARange  = 0xf   // ID_AA64MMFR0_EL1.PARange, bits [3:0]
	tcrBootFields = tcrT0SZ | tcrIRGN0WBWA | tcrORGN0WBWA | tcrSH0Inner | tcrTG0Of4K | tcrEPD1 | tcrTG1Of4K
)

// bootTCR is TCR_EL1 for the boot map, with IPS taken from the CPU's
// PARange (capped at 48 bits).
func bootTCR(mmfr0 uint64) uint64 {
	ips := mmfr0 & mmfr0PARange
	if ips > tcrIPSMax {
		ips = tcrIPSMax
	}
	return tcrBootFields | ips<<tcrIPSShift
}

const (
	deviceBlock = descValid | attrDevice<<descAttrIdx | descAF | descPXN | descUXN
	normalBlock = descValid | attrNormal<<descAttrIdx | descSHInner | descAF | descUXN
)

// fillBootTables writes the boot map m into l1 and l2 (each one table of
// entriesPerTable descriptors); l2PA is the physical address of l2.
func fillBootTables(m BootMap, l1, l2 []uint64, l2PA uint64) {
	if len(l1) != entriesPerTable || len(l2) != entriesPerTable || l2PA&^descAddrMask != 0 {
		panic("armv8.fillBootTables: tables must be one 4 KiB-aligned page each")
	}
	if !m.valid() {
		panic("armv8.fillBootTables: RAM must span whole GiBs from 1 GiB (BootMap.Check)")
	}
	for i := range l1 {
		l1[i] = 0
	}
	l1[0] = l2PA&descAddrMask | descValid | descTable
	for i := uint64(m.RAMStart >> l1BlockShift); i < uint64(m.RAMEnd>>l1BlockShift); i++ {
		l1[i] = i<<l1BlockShift | normalBlock
	}
	l2[0] = 0
	for i := uint64(1); i < entriesPerTable; i++ {
		l2[i] = i<<l2BlockShift | deviceBlock
	}
}

// bootSCTLR is SCTLR_EL1 with the MMU and data cache on (Arm ARM D24.2
// "SCTLR_EL1": M bit 0, C bit 2).
func bootSCTLR(sctlr uint64) uint64 {
	const (
		sctlrM = 1 << 0
		sctlrC = 1 << 2
	)
	return sctlr | sctlrM | sctlrC
}
