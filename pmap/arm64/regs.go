package arm64

import "github.com/tamach/tamach/pmap"

// MAIR_EL1 attribute encodings, one byte per AttrIndx (Arm ARM D24.2,
// "MAIR_EL1, Memory Attribute Indirection Register (EL1)"). For Normal
// memory, Attr<n>[7:4] describes the outer and Attr<n>[3:0] the inner
// cacheability: 0b11RW is Write-Back Non-transient, R and W the Read- and
// Write-Allocate hints, 0b0100 Non-cacheable. Attr<n>[7:4] = 0b0000 makes
// Device memory, whose kind is Attr<n>[3:2]: 0b00 nGnRnE, 0b01 nGnRE.
const (
	mairWriteAllocate   = 1 << 0 // W
	mairReadAllocate    = 1 << 1 // R
	mairWriteBackNT     = 0b11 << 2
	mairNonCacheable    = 0b0100
	mairDeviceNGnRE     = 0b01 << 2
	mairOuterShift      = 4
	mairNormalWriteBack = mairWriteBackNT | mairReadAllocate | mairWriteAllocate // one half: 0xf

	// MAIRNormal is Normal memory, Inner and Outer Write-Back
	// Non-transient, Read-Allocate, Write-Allocate (0xff).
	MAIRNormal = mairNormalWriteBack<<mairOuterShift | mairNormalWriteBack

	// MAIRDevice is Device-nGnRE memory (0x04): no gathering, no
	// reordering, early write acknowledgement (Arm ARM B2.7.2, "Device
	// memory").
	MAIRDevice = mairDeviceNGnRE

	// MAIRNormalNC is Normal memory, Inner and Outer Non-cacheable (0x44).
	MAIRNormalNC = mairNonCacheable<<mairOuterShift | mairNonCacheable
)

// MAIR is the value the kernel must load into MAIR_EL1 before it enables the
// MMU with these tables: AttrIndx 0 Normal Write-Back, 1 Device-nGnRE,
// 2 Normal Non-cacheable (0x4404ff).
const MAIR = MAIRNormal<<(8*attrNormal) | MAIRDevice<<(8*attrDevice) | MAIRNormalNC<<(8*attrNormalNC)

// TCR_EL1 fields (Arm ARM D24.2, "TCR_EL1, Translation Control Register
// (EL1)").
const (
	tcrT0SZShift  = 0       // T0SZ[5:0]: TTBR0 region is 2^(64-T0SZ) bytes
	tcrIRGN0Shift = 8       // IRGN0[1:0]: inner cacheability of TTBR0 walks
	tcrORGN0Shift = 10      // ORGN0[1:0]: outer cacheability of TTBR0 walks
	tcrSH0Shift   = 12      // SH0[1:0]: shareability of TTBR0 walks
	tcrTG0Shift   = 14      // TG0[1:0]: TTBR0 granule, 0b00 = 4KB
	tcrT1SZShift  = 16      // T1SZ[5:0]
	tcrA1         = 1 << 22 // A1: 0 = the ASID comes from TTBR0_EL1
	tcrIRGN1Shift = 24      // IRGN1[1:0]
	tcrORGN1Shift = 26      // ORGN1[1:0]
	tcrSH1Shift   = 28      // SH1[1:0]
	tcrTG1Shift   = 30      // TG1[1:0]: TTBR1 granule, 0b10 = 4KB (not the TG0 encoding)
	tcrIPSShift   = 32      // IPS[2:0]: intermediate physical address size
	tcrAS         = 1 << 36 // AS: 1 = 16-bit ASIDs
	tcrHA         = 1 << 39 // HA: hardware Access flag update (FEAT_HAFDBS)
	tcrHD         = 1 << 40 // HD: hardware dirty state update (FEAT_HAFDBS)

	tcrTSZ      = 64 - vaBits // T0SZ = T1SZ = 16: 48-bit halves
	tcrRGNWBWA  = 0b01        // Normal, Write-Back Read-Allocate Write-Allocate
	tcrSHInner  = 0b11        // Inner Shareable
	tcrTG0Gran4 = 0b00        // 4KB granule, TG0 encoding
	tcrTG1Gran4 = 0b10        // 4KB granule, TG1 encoding
	tcrIPS48    = 0b101       // 48 bits, 256 TB
)

// ID_AA64MMFR0_EL1 and ID_AA64MMFR1_EL1 fields (Arm ARM D24.2,
// "ID_AA64MMFR0_EL1, AArch64 Memory Model Feature Register 0" and "...1").
const (
	mmfr0PARangeShift  = 0  // PARange[3:0]: 0b0101 = 48 bits
	mmfr0ASIDBitsShift = 4  // ASIDBits[7:4]: 0b0000 = 8, 0b0010 = 16
	mmfr0TGran4Shift   = 28 // TGran4[31:28]: 0b1111 = 4KB granule not supported
	mmfr1HAFDBSShift   = 0  // HAFDBS[3:0]: 0b0001 AF, 0b0010 AF and dirty state
	idFieldMask        = 0xf

	asidBits16      = 0b0010
	tgran4None      = 0b1111
	hafdbsAccess    = 0b0001
	hafdbsDirty     = 0b0010
	parange48       = 0b0101
	asidShift       = 48 // TTBR0_EL1.ASID, bits[63:48]
	tlbiASIDShift   = 48 // TLBI operand: ASID in bits[63:48]
	tlbiVAMask      = 1<<44 - 1
	tlbiVAPageShift = pmap.PageShift // TLBI operand bits[43:0] = VA[55:12]
)

// Features is what the ID registers say about the MMU.
type Features struct {
	ASIDBits int  // 8 or 16
	Gran4    bool // the 4KB granule is implemented
	PARange  int  // ID_AA64MMFR0_EL1.PARange encoding
	HWAccess bool // FEAT_HAFDBS: hardware can set the Access flag
	HWDirty  bool // FEAT_HAFDBS: hardware can manage the dirty state
}

// DecodeFeatures decodes ID_AA64MMFR0_EL1 and ID_AA64MMFR1_EL1.
func DecodeFeatures(mmfr0, mmfr1 uint64) Features {
	asidLen := int(mmfr0>>mmfr0ASIDBitsShift) & idFieldMask
	hafdbs := int(mmfr1>>mmfr1HAFDBSShift) & idFieldMask
	f := Features{
		ASIDBits: 8,
		PARange:  int(mmfr0>>mmfr0PARangeShift) & idFieldMask,
		Gran4:    int(mmfr0>>mmfr0TGran4Shift)&idFieldMask != tgran4None,
		HWAccess: hafdbs >= hafdbsAccess,
		HWDirty:  hafdbs >= hafdbsDirty,
	}
	if asidLen == asidBits16 {
		f.ASIDBits = 16
	}
	return f
}

// tcrValue composes TCR_EL1 for these tables: both halves 48 bits with the
// 4KB granule, walks Inner Shareable and Write-Back cacheable, the ASID from
// TTBR0 (A1 = 0) with AS for 16-bit ASIDs, IPS from PARange (at most 48
// bits), and HA/HD when the hardware manages the Access flag and the dirty
// state. Top-byte-ignore stays off so every bit of an address is checked.
func tcrValue(f Features, hwAccess, hwDirty bool) uint64 {
	ips := uint64(f.PARange)
	if ips > tcrIPS48 {
		ips = tcrIPS48
	}
	t := uint64(tcrTSZ)<<tcrT0SZShift |
		tcrRGNWBWA<<tcrIRGN0Shift |
		tcrRGNWBWA<<tcrORGN0Shift |
		tcrSHInner<<tcrSH0Shift |
		tcrTG0Gran4<<tcrTG0Shift |
		uint64(tcrTSZ)<<tcrT1SZShift |
		tcrRGNWBWA<<tcrIRGN1Shift |
		tcrRGNWBWA<<tcrORGN1Shift |
		tcrSHInner<<tcrSH1Shift |
		tcrTG1Gran4<<tcrTG1Shift |
		ips<<tcrIPSShift
	if f.ASIDBits == 16 {
		t |= tcrAS
	}
	if hwAccess {
		t |= tcrHA
	}
	if hwDirty {
		t |= tcrHD
	}
	return t
}

// ttbr0Value is TTBR0_EL1 for a table at root tagged with asid (D24.2,
// "TTBR0_EL1": ASID bits[63:48], BADDR bits[47:1], CnP bit[0] = 0).
func ttbr0Value(root pmap.PAddr, asid ASID) uint64 {
	return uint64(asid)<<asidShift | uint64(root)
}

// DCZID_EL0 fields (Arm ARM D19.2 "DCZID_EL0").
const (
	dczidDZP = 1 << 4 // DC ZVA prohibited
	dczidBS  = 0xf    // log2 of the block size in 4-byte words
)

// zvaBlock is the block DC ZVA zeroes, in bytes, when ZeroFrame may use
// it, or 0 when it clears with stores instead: DCZID_EL0 prohibits DC ZVA
// (DZP), or the block is over 512 bytes, so that the zeroing loop's eight
// blocks no longer divide a page.
func zvaBlock(dczid uint64) uint64 {
	if dczid&dczidDZP != 0 || dczid&dczidBS > 7 {
		return 0
	}
	return 4 << (dczid & dczidBS)
}

// tlbiVA is the operand of TLBI VAE1IS for va in asid (Arm ARM C5.5, "A64
// system instructions for TLB maintenance": ASID in bits[63:48], VA[55:12]
// in bits[43:0]).
func tlbiVA(asid ASID, va pmap.VAddr) uint64 {
	return uint64(asid)<<tlbiASIDShift | uint64(va)>>tlbiVAPageShift&tlbiVAMask
}

// tlbiASID is the operand of TLBI ASIDE1IS for asid.
func tlbiASID(asid ASID) uint64 { return uint64(asid) << tlbiASIDShift }
