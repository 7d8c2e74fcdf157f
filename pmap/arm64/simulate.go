package arm64

import "github.com/tamach/tamach/pmap"

// Access is a host-simulation hook: it performs, in software, what the
// stage-1 translation table walk of the EL1&0 regime does for one access
// through this space, so that a simulated CPU (package vm/vmtest) can run
// the vm system over these tables exactly as an Armv8-A core would. The
// kernel never calls it: on hardware the MMU does this.
//
// It walks from the root to the leaf (Arm ARM D8.2, "Translation table
// walk"; D8.3, "Translation table descriptor formats"), then:
//
//   - checks access against the leaf's permissions for EL0 (user) or EL1
//     (D8.4.1, "Data access permissions" and "Instruction access
//     permissions": AP[1] gives EL0 access, AP[2] makes the page read-only
//     at both ELs, UXN/PXN forbid fetches at EL0/EL1). With the hardware
//     managing the dirty state (TCR_EL1.HD = 1), a write to a leaf with
//     DBM = 1 and AP[2] = 1 is allowed and clears AP[2] (D8.5.5, "Hardware
//     management of the dirty state");
//   - handles AF = 0: with TCR_EL1.HA = 1 the hardware sets AF (D8.5.1,
//     "Hardware management of the Access flag"); otherwise the access
//     takes an Access flag fault, which FastFault resolves.
//
// It returns the physical address of the byte accessed, or false for what
// would be a fault (Translation, Access flag or Permission). Descriptor
// updates are made only for an access that succeeds, atomically, as the
// hardware's are (D8.5.6). The pmap never sets the hierarchical attributes
// of table descriptors (APTable, UXNTable, PXNTable), so the walk does not
// apply them. There is no TLB in this simulation: the package's own tests
// check TLB maintenance with a model TLB.
func (s *Space) Access(va pmap.VAddr, access pmap.Prot, user bool) (pmap.PAddr, bool) {
	if access&^pmap.ProtAll != 0 || s.checkVA(va.Trunc()) != nil {
		return 0, false
	}
	off := s.offset(va.Trunc())
	slot, l := s.lookup(off)
	if slot == nil {
		return 0, false
	}
	for {
		old := loadLeaf(slot)
		e, ok := s.accessUpdate(old, access, user)
		if !ok {
			return 0, false
		}
		if e == old || casLeaf(slot, old, e) {
			pa := e.frame(l) + pmap.PAddr(off&(levelSize(l)-1))
			return pa + pmap.PAddr(va&pmap.PageMask), true
		}
	}
}

// accessUpdate returns the leaf e as the hardware leaves it after an access,
// or false if the access faults.
func (s *Space) accessUpdate(e entry, access pmap.Prot, user bool) (entry, bool) {
	if e&entryAF == 0 {
		if !s.sys.hwAccess {
			return 0, false // Access flag fault
		}
		e |= entryAF
	}
	if access&pmap.ProtWrite != 0 && e&entryAPRO != 0 {
		if !s.sys.hwDirty || e&entryDBM == 0 {
			return 0, false // Permission fault: read-only
		}
		e &^= entryAPRO
	}
	if !hardwareRights(e, user).Allows(access) {
		return 0, false // Permission fault
	}
	return e, true
}

// hardwareRights decodes what the leaf e lets EL0 (user) or EL1 do, from the
// hardware bits alone (D8.4.1): read from AP[1] at EL0 and always at EL1,
// write when also AP[2] = 0, execute when UXN (EL0) or PXN (EL1) is 0.
func hardwareRights(e entry, user bool) pmap.Prot {
	var p pmap.Prot
	switch {
	case user && e&entryAPEL0 != 0, !user:
		p |= pmap.ProtRead
		if e&entryAPRO == 0 {
			p |= pmap.ProtWrite
		}
	}
	if user && e&entryUXN == 0 || !user && e&entryPXN == 0 {
		p |= pmap.ProtExecute
	}
	return p
}
