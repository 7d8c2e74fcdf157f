package amd64

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
