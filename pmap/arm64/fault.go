package arm64

import "github.com/tamach/tamach/pmap"

// The software emulation of the Access flag and the dirty state, for CPUs
// without FEAT_HAFDBS (or with Config.SoftwareAccess). pmap/amd64 has no
// counterpart of this file: x86-64 processors set the Accessed and Dirty
// flags of paging-structure entries in hardware (Intel SDM Vol. 3A §4.8),
// so its FastFault (space.go) always returns false.

// FastFault implements pmap.Pmap for the emulated referenced and modified
// bits of tracked (user, managed) pages:
//
//   - an Access flag fault (AF = 0, D8.5.1 "The Access flag") on an access
//     the mapping allows: AF is set, the page is now referenced;
//   - a write Permission fault on a writable page kept read-only while
//     clean (swWrite = 1, AP[2] = 1): AP[2] is cleared, the page is now
//     modified (and referenced).
//
// It returns false, changing nothing, for any other fault: va unmapped, an
// access the mapping's protection does not allow, an untracked mapping, or
// a descriptor that already allows the access. With FEAT_HAFDBS in use
// (TCR_EL1.HA/HD) the hardware does both updates itself and these faults do
// not occur, as they never do on x86-64 (Intel SDM Vol. 3A §4.8).
//
// Entries that cause an Access flag fault are never held in a TLB (D8.13.1,
// "TLB behavior": translation table entries that generate a Translation
// fault, an Address size fault or an Access flag fault are not cached), so
// setting AF needs no TLBI; clearing AP[2] of an entry that was accessible
// does, since the read-only entry may be cached.
func (s *Space) FastFault(va pmap.VAddr, access pmap.Prot) bool {
	// LAB pgtbl-arm64: begin
	if access == pmap.ProtNone || access&^pmap.ProtAll != 0 || s.checkVA(va.Trunc()) != nil {
		return false
	}
	off := s.offset(va.Trunc())
	slot, _ := s.lookup(off)
	if slot == nil {
		return false
	}
	var clearBits entry
	if access&pmap.ProtWrite != 0 {
		clearBits = entryAPRO
	}
	for {
		old := loadLeaf(slot)
		if old&swTracked == 0 || !old.prot().Allows(access) {
			return false
		}
		e := old&^clearBits | entryAF
		if e == old {
			return false
		}
		if !casLeaf(slot, old, e) {
			continue
		}
		if old.referenced() {
			s.invalidate(off)
		} else {
			s.publish()
		}
		return true
	}
	// LAB pgtbl-arm64: stub
	// panic("lab pgtbl-arm64: not implemented: FastFault")
	// LAB pgtbl-arm64: end
}
