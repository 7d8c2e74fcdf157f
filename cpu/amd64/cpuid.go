package amd64

import "strings"

// cpuidRegister selects one of the four registers CPUID returns.
type cpuidRegister uint8

const (
	cpuidEAX cpuidRegister = iota
	cpuidEBX
	cpuidECX
	cpuidEDX
)

// CPUID leaves read for Info (Intel SDM Vol. 2A CPUID, Table 3-8
// "Information Returned by CPUID Instruction").
const (
	leafVendor     = 0x00
	leafFeatures   = 0x01
	leafExtended   = 0x07 // subleaf 0
	leafExtMax     = 0x80000000
	leafExtFeature = 0x80000001
	leafPower      = 0x80000007
)

// cpuFeature is one CPUID feature flag.
type cpuFeature struct {
	name string
	leaf uint32
	reg  cpuidRegister
	bit  uint
}

// cpuFeatures are the flags the kernel cares about: RDRAND for the
// runtime's RNG, and what the pmap and trap code may use (Intel SDM Vol. 2A
// Table 3-8 and Table 3-10 "Feature Information Returned in the ECX
// Register", Table 3-11 for EDX).
var cpuFeatures = []cpuFeature{
	{"rdrand", leafFeatures, cpuidECX, 30},
	{"pcid", leafFeatures, cpuidECX, 17},
	{"x2apic", leafFeatures, cpuidECX, 21},
	{"tsc-deadline", leafFeatures, cpuidECX, 24},
	{"xsave", leafFeatures, cpuidECX, 26},
	{"fsgsbase", leafExtended, cpuidEBX, 0},
	{"smep", leafExtended, cpuidEBX, 7},
	{"invpcid", leafExtended, cpuidEBX, 10},
	{"smap", leafExtended, cpuidEBX, 20},
	{"syscall", leafExtFeature, cpuidEDX, 11},
	{"nx", leafExtFeature, cpuidEDX, 20},
	{"1g-pages", leafExtFeature, cpuidEDX, 26},
	{"invariant-tsc", leafPower, cpuidEDX, 8},
}

// CPUIDFunc executes CPUID for a leaf and subleaf: CPUID on the machine,
// a table in tests.
type CPUIDFunc func(leaf, subleaf uint32) (eax, ebx, ecx, edx uint32)

// hasFeature reports whether CPUID sets the feature's bit. Leaves above the
// maximum the CPU reports read as zero.
func hasFeature(cpuid CPUIDFunc, f cpuFeature) bool {
	maxLeaf, _, _, _ := cpuid(f.leaf&leafExtMax, 0)
	if f.leaf > maxLeaf {
		return false
	}
	var r [4]uint32
	r[cpuidEAX], r[cpuidEBX], r[cpuidECX], r[cpuidEDX] = cpuid(f.leaf, 0)
	return r[f.reg]&(1<<f.bit) != 0
}

// FeatureList names the features of cpuFeatures present, space-separated.
func FeatureList(cpuid CPUIDFunc) string {
	var names []string
	for _, f := range cpuFeatures {
		if hasFeature(cpuid, f) {
			names = append(names, f.name)
		}
	}
	return strings.Join(names, " ")
}

// VendorString returns the 12-byte vendor identification, spelled by
// CPUID leaf 0 in EBX, EDX, ECX (Intel SDM Vol. 2A CPUID, leaf 00H).
func VendorString(cpuid CPUIDFunc) string {
	_, ebx, ecx, edx := cpuid(leafVendor, 0)
	var b [12]byte
	for i, r := range [3]uint32{ebx, edx, ecx} {
		for j := 0; j < 4; j++ {
			b[i*4+j] = byte(r >> (8 * j))
		}
	}
	return string(b[:])
}
