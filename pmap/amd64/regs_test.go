package amd64

import "testing"

// TestGoldenRegisters checks register values against values worked out by
// hand from the manual's tables.
func TestGoldenRegisters(t *testing.T) {
	// Table 4-13: CR3 with PCID 3 and the PML4 table at 0x5000, no flush.
	if v := CR3(0x5000) | CR3(3) | CR3NoFlush; uint64(v) != 0x8000_0000_0000_5003 || v.Root() != 0x5000 || v.PCID() != 3 {
		t.Errorf("CR3 %#x", uint64(v))
	}
}

// TestDetectFeatures decodes a CPUID table shaped like QEMU's "max" CPU.
func TestDetectFeatures(t *testing.T) {
	table := map[uint32][4]uint32{
		cpuidMaxLeaf:     {0x0d, 0, 0, 0},
		cpuidInfo:        {0, 0, infoECXPCID, 0},
		cpuidExtFeatures: {0, extFeatEBXINVPCID, 0, 0},
		cpuidMaxExtLeaf:  {0x8000_0008, 0, 0, 0},
		cpuidExtInfo:     {0, 0, 0, extInfoEDXNX | extInfoEDXPage1GB},
		cpuidAddrSizes:   {0x3028, 0, 0, 0}, // 40 physical, 48 linear bits
	}
	cpuid := func(leaf, sub uint32) (uint32, uint32, uint32, uint32) {
		r := table[leaf]
		return r[0], r[1], r[2], r[3]
	}
	want := Features{PCID: true, INVPCID: true, NX: true, Page1G: true, PhysAddrBits: 40}
	if got := DetectFeatures(cpuid); got != want {
		t.Errorf("DetectFeatures = %+v, want %+v", got, want)
	}
	table[cpuidMaxLeaf] = [4]uint32{1, 0, 0, 0} // leaf 7 absent
	table[cpuidInfo] = [4]uint32{}
	table[cpuidMaxExtLeaf] = [4]uint32{0x8000_0001, 0, 0, 0}
	want = Features{NX: true, Page1G: true}
	if got := DetectFeatures(cpuid); got != want {
		t.Errorf("DetectFeatures (old CPU) = %+v, want %+v", got, want)
	}
}
