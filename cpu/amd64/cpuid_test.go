package amd64

import "testing"

// fakeCPUID answers like a CPU whose vendor is "GenuineIntel", maximum
// leaves 7 and 0x80000001, with RDRAND, PCID, SMEP, NX and SYSCALL.
func fakeCPUID(leaf, subleaf uint32) (eax, ebx, ecx, edx uint32) {
	switch leaf {
	case leafVendor:
		return 7, 0x756e6547, 0x6c65746e, 0x49656e69 // "Genu" "ntel" "ineI"
	case leafFeatures:
		return 0, 0, 1<<30 | 1<<17, 0
	case leafExtended:
		return 0, 1 << 7, 0, 0
	case leafExtMax:
		return leafExtFeature, 0, 0, 0
	case leafExtFeature:
		return 0, 0, 0, 1<<20 | 1<<11
	case leafPower:
		// above the maximum extended leaf: must be ignored
		return 0, 0, 0, 1 << 8
	}
	return 0, 0, 0, 0
}

func TestFeatureList(t *testing.T) {
	if got, want := FeatureList(fakeCPUID), "rdrand pcid smep syscall nx"; got != want {
		t.Errorf("FeatureList = %q, want %q", got, want)
	}
}

func TestVendorString(t *testing.T) {
	if got := VendorString(fakeCPUID); got != "GenuineIntel" {
		t.Errorf("VendorString = %q", got)
	}
}
