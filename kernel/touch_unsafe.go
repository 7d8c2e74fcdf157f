package kernel

import "unsafe"

// UnmappedAddress is an address no board maps: 64 TiB, above any RAM or
// device of the QEMU boards and inside the canonical lower half on x86-64
// (Intel SDM Vol. 3A §3.3.7.1) and the 48-bit TTBR0 range on Arm.
const UnmappedAddress = 1 << 46

// touch reads the 64-bit word at addr. It exists to provoke a CPU exception
// on purpose (the fault command word, the self-checks).
func touch(addr uintptr) uint64 {
	return *(*uint64)(unsafe.Add(unsafe.Pointer(nil), addr))
}
