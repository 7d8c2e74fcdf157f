package amd64

import "github.com/tamach/tamach/pmap"

// Features are the paging features the processor has, as CPUID reports them.
type Features struct {
	// PCID: CPUID.01H:ECX.PCID[bit 17]; the kernel has set CR4.PCIDE
	// (Intel SDM Vol. 3A §4.10.1).
	PCID bool
	// INVPCID: CPUID.(EAX=07H,ECX=0H):EBX.INVPCID[bit 10] (§4.10.4.1).
	INVPCID bool
	// NX: CPUID.80000001H:EDX.NX[bit 20]; the kernel has set
	// IA32_EFER.NXE, so bit 63 of an entry is XD (§4.1.4, §4.6).
	NX bool
	// Page1G: CPUID.80000001H:EDX.Page1GB[bit 26]: PDPTEs may map
	// 1 GiB pages (§4.1.4).
	Page1G bool
	// PhysAddrBits is MAXPHYADDR, CPUID.80000008H:EAX[7:0] (§4.1.4);
	// 0 means the architectural maximum, 52.
	PhysAddrBits uint8
}

// CPUID leaves and feature bits the pmap reads (Intel SDM Vol. 2A, CPUID;
// Vol. 3A §4.1.4 "Enumeration of Paging Features by CPUID").
const (
	cpuidMaxLeaf     = 0x00       // EAX: highest basic leaf
	cpuidInfo        = 0x01       // ECX bit 17: PCID
	cpuidExtFeatures = 0x07       // subleaf 0, EBX bit 10: INVPCID
	cpuidMaxExtLeaf  = 0x80000000 // EAX: highest extended leaf
	cpuidExtInfo     = 0x80000001 // EDX bit 20: NX; bit 26: Page1GB
	cpuidAddrSizes   = 0x80000008 // EAX bits 7:0: MAXPHYADDR

	infoECXPCID       = 1 << 17
	extFeatEBXINVPCID = 1 << 10
	extInfoEDXNX      = 1 << 20
	extInfoEDXPage1GB = 1 << 26
	addrSizesPhysMask = 0xff
)

// CPUIDFunc executes CPUID with EAX = leaf and ECX = subleaf.
type CPUIDFunc func(leaf, subleaf uint32) (eax, ebx, ecx, edx uint32)

// DetectFeatures reads the paging features the processor implements. Whether
// the kernel has turned them on (CR4.PCIDE, IA32_EFER.NXE) is a separate
// question that HardwareCPU.Features answers.
func DetectFeatures(cpuid CPUIDFunc) Features {
	var f Features
	maxLeaf, _, _, _ := cpuid(cpuidMaxLeaf, 0)
	if maxLeaf >= cpuidInfo {
		_, _, ecx, _ := cpuid(cpuidInfo, 0)
		f.PCID = ecx&infoECXPCID != 0
	}
	if maxLeaf >= cpuidExtFeatures {
		_, ebx, _, _ := cpuid(cpuidExtFeatures, 0)
		f.INVPCID = f.PCID && ebx&extFeatEBXINVPCID != 0
	}
	maxExt, _, _, _ := cpuid(cpuidMaxExtLeaf, 0)
	if maxExt >= cpuidExtInfo {
		_, _, _, edx := cpuid(cpuidExtInfo, 0)
		f.NX = edx&extInfoEDXNX != 0
		f.Page1G = edx&extInfoEDXPage1GB != 0
	}
	if maxExt >= cpuidAddrSizes {
		eax, _, _, _ := cpuid(cpuidAddrSizes, 0)
		f.PhysAddrBits = uint8(eax & addrSizesPhysMask)
	}
	return f
}

// CR3 is a value for MOV to CR3 in 4-level paging (Intel SDM Vol. 3A §4.5,
// Tables 4-12 and 4-13).
//
//	 63   62     52 51          12 11        0
//	+----+---------+--------------+-----------+
//	| NF | 0       | PML4 address | PCID      |   CR4.PCIDE = 1 (Table 4-13)
//	+----+---------+--------------+-----------+
//	                               bit 4 PCD, bit 3 PWT when PCIDE = 0 (Table 4-12)
type CR3 uint64

// CR3 fields.
const (
	// CR3NoFlush (bit 63): with CR4.PCIDE = 1, a MOV to CR3 with this bit
	// set keeps the TLB and paging-structure-cache entries of the new
	// PCID; with it clear, it invalidates them (§4.10.4.1). It is never
	// set when CR4.PCIDE = 0.
	CR3NoFlush CR3 = 1 << 63
	// cr3PCIDMask selects the PCID, bits 11:0 (Table 4-13).
	cr3PCIDMask CR3 = CR3(maxPCID)
	// cr3AddrMask selects the PML4 table address (Tables 4-12, 4-13).
	cr3AddrMask CR3 = CR3(entryAddrMask)
)

// Root returns the PML4 table address v loads.
func (v CR3) Root() pmap.PAddr { return pmap.PAddr(v & cr3AddrMask) }

// PCID returns the PCID v loads (0 when CR4.PCIDE = 0).
func (v CR3) PCID() PCID { return PCID(v & cr3PCIDMask) }

// NoFlush reports whether loading v keeps the new PCID's cached entries.
func (v CR3) NoFlush() bool { return v&CR3NoFlush != 0 }
