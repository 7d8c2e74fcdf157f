package pmap

import "unsafe"

// wordsAsFrame views PageSize/8 words as one frame of bytes. Callers pass a
// slice of exactly that length.
func wordsAsFrame(w []uint64) *[PageSize]byte {
	return (*[PageSize]byte)(unsafe.Pointer(&w[0]))
}

// Entries is the number of 8-byte descriptors in one 4 KiB table, on both
// x86-64 (Intel SDM Vol. 3A §4.5) and VMSAv8-64 with a 4KB granule (Arm ARM
// D8.2).
const Entries = PageSize / 8

// Table views the frame at pa as a page table of 8-byte entries.
// Precondition: pa is a page-aligned frame that m covers.
func Table(m Memory, pa PAddr) *[Entries]uint64 {
	return (*[Entries]uint64)(unsafe.Pointer(m.Frame(pa)))
}

// Identity is the Memory of a kernel that runs on an identity map of RAM:
// physical address pa is dereferenced at virtual address pa. It is only
// meaningful on bare metal, once the kernel's tables map RAM 1:1.
type Identity struct{}

// Frame implements Memory.
func (Identity) Frame(pa PAddr) *[PageSize]byte {
	if !pa.Aligned() {
		panic("pmap.Identity.Frame: unaligned frame address")
	}
	// unsafe.Add from nil forms the pointer without the uintptr-to-Pointer
	// conversion go vet rightly flags in ordinary code: here the integer
	// is an address the kernel's identity map makes valid.
	return (*[PageSize]byte)(unsafe.Add(unsafe.Pointer(nil), uintptr(pa)))
}
