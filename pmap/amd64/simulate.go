package amd64

import "github.com/tamach/tamach/pmap"

// Access is a host-simulation hook: it performs, in software, what the
// processor's page walker does for one data access or instruction fetch
// through this space, so that a simulated CPU (package vm/vmtest) can run the
// vm system over these tables exactly as a real x86-64 core would. The kernel
// never calls it: on hardware the MMU does this.
//
// It translates va by walking the four levels from the root (Intel SDM Vol.
// 3A §4.5, Figure 4-8), checks access (read, write or execute; user for a
// CPL 3 access) against the rights combined along the walk (§4.6.1, with
// CR0.WP = 1 and SMEP/SMAP off: a write needs R/W = 1 at every level, a
// user access U/S = 1 at every level, a fetch XD = 0 at every level when
// the CPU has NX), and, only when the access is allowed, sets Accessed in
// every paging-structure entry it used and Dirty in the leaf on a write
// (§4.8). It returns the physical address of the byte accessed, or false
// for what would be a page fault (#PF, §4.7): a non-present entry, a
// rights violation or a non-canonical va (a #GP on hardware). Nothing
// changes when it returns false.
//
// There is no TLB in this simulation: every call walks the tables, so a
// caller never sees a translation the pmap failed to invalidate (the
// package's own tests check TLB maintenance with a model TLB).
func (s *Space) Access(va pmap.VAddr, access pmap.Prot, user bool) (pmap.PAddr, bool) {
	if !canonical(va) || access&^pmap.ProtAll != 0 {
		return 0, false
	}
	var used [levelPML4]*entry
	e, rights := &s.top, pmap.ProtAll
	for level := levelPML4; level >= levelPT; level-- {
		e = &s.sys.table(e.tableAddr())[index(va, level)]
		if !e.valid() {
			return 0, false
		}
		used[levelPML4-level] = e
		rights &= s.hardwareRights(*e, user)
		if !e.leaf(level) {
			continue
		}
		if !rights.Allows(access) {
			return 0, false
		}
		setAccessed(used[:levelPML4-level+1], access)
		off := pmap.PAddr(uint64(va) & (levelSize(level) - 1))
		return e.frame(level) + off, true
	}
	panic("amd64.(*Space).Access: walk below the page-table level")
}

// hardwareRights returns what the entry e lets through for an
// access of the given mode (Intel SDM Vol. 3A §4.6.1): read always (Present
// implies it, x86 has no write-only pages), write if R/W = 1, execute if
// XD = 0 or the CPU lacks execute-disable; nothing at all for a user access
// when U/S = 0.
func (s *Space) hardwareRights(e entry, user bool) pmap.Prot {
	if user && e&entryUS == 0 {
		return pmap.ProtNone
	}
	p := pmap.ProtRead | pmap.ProtExecute
	if e&entryRW != 0 {
		p |= pmap.ProtWrite
	}
	if s.sys.feat.NX && e&entryXD != 0 {
		p &^= pmap.ProtExecute
	}
	return p
}

// setAccessed sets Accessed in every entry of a successful walk, root first,
// and Dirty in the leaf (the last entry) on a write (Intel SDM Vol. 3A §4.8:
// "whenever the processor uses a paging-structure entry as part of
// linear-address translation, it sets the accessed flag in that entry";
// "whenever there is a write to a linear address, the processor sets the
// dirty flag ... in the paging-structure entry that identifies the final
// physical address").
func setAccessed(used []*entry, access pmap.Prot) {
	for _, e := range used {
		*e |= entryA
	}
	if access&pmap.ProtWrite != 0 {
		*used[len(used)-1] |= entryD
	}
}
