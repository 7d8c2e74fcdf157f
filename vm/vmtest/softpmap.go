package vmtest

import "github.com/tamach/tamach/pmap"

// SoftSystem is a pmap.System in plain Go: each address space is a Go map
// from virtual page to mapping, and each physical page keeps its reverse
// mappings and its referenced and modified attributes.
//
// It emulates the referenced and modified bits as a pmap does on a CPU whose
// MMU does not keep them (Arm without FEAT_HAFDBS, Arm ARM D8.5): a mapping
// starts with no access; the first access traps to FastFault, which sets
// the referenced attribute and grants read (and execute); the first write
// traps again and sets the modified attribute and grants write. Clearing
// an attribute revokes the access again in every mapping of the page.
type SoftSystem struct {
	mem    pmap.Memory
	phys   map[pmap.PAddr]*softPhys
	spaces int
	nextID pmap.PAddr

	// CacheCalls records every SyncCache call, in order: a software
	// pmap has no cache to maintain, so tests read here what the vm
	// system asked for.
	CacheCalls []CacheCall
}

// CacheCall is one cache maintenance request a harness pmap received.
type CacheCall struct {
	PA   pmap.PAddr
	Size uint64
	Op   pmap.CacheOp
}

// softPhys is the reverse-map and attribute record of one physical page.
type softPhys struct {
	ref, mod bool
	maps     []softMapping
}

type softMapping struct {
	space *SoftPmap
	va    pmap.VAddr
}

// softPTE is one mapping of a SoftPmap.
type softPTE struct {
	pa         pmap.PAddr
	prot       pmap.Prot // the protection the vm asked for
	flags      pmap.Flags
	refd, modd bool // emulation state: access granted since the last clear
}

// SoftPmap is one address space of a SoftSystem.
type SoftPmap struct {
	sys   *SoftSystem
	kind  pmap.Kind
	root  pmap.PAddr
	refs  int
	ptes  map[pmap.VAddr]*softPTE
	wired uint64
}

// NewSoftSystem creates a software pmap system over mem. It needs no
// frames for tables; frames is accepted so that it has the shape of the
// other pmap constructors (see Options.Pmap).
func NewSoftSystem(mem pmap.Memory, frames pmap.Frames) pmap.System {
	return &SoftSystem{mem: mem, phys: map[pmap.PAddr]*softPhys{}, nextID: 1 << 40}
}

// Spaces reports the address spaces created and not destroyed.
func (s *SoftSystem) Spaces() int { return s.spaces }

// Create makes an empty address space.
func (s *SoftSystem) Create(kind pmap.Kind) (pmap.Pmap, error) {
	s.nextID += pmap.PageSize
	s.spaces++
	return &SoftPmap{sys: s, kind: kind, root: s.nextID, refs: 1, ptes: map[pmap.VAddr]*softPTE{}}, nil
}

func (s *SoftSystem) physOf(pa pmap.PAddr) *softPhys {
	ph := s.phys[pa]
	if ph == nil {
		ph = &softPhys{}
		s.phys[pa] = ph
	}
	return ph
}

// PageProtect lowers every mapping of pa to prot.
func (s *SoftSystem) PageProtect(pa pmap.PAddr, prot pmap.Prot) {
	ph := s.phys[pa]
	if ph == nil {
		return
	}
	for i := len(ph.maps) - 1; i >= 0; i-- {
		mp := ph.maps[i]
		mp.space.lower(mp.va, prot)
	}
}

// IsModified reports the modified attribute.
func (s *SoftSystem) IsModified(pa pmap.PAddr) bool {
	ph := s.phys[pa]
	return ph != nil && ph.mod
}

// ClearModify clears the modified attribute and revokes write emulation.
func (s *SoftSystem) ClearModify(pa pmap.PAddr) {
	ph := s.phys[pa]
	if ph == nil {
		return
	}
	ph.mod = false
	for _, mp := range ph.maps {
		mp.space.ptes[mp.va].modd = false
	}
}

// IsReferenced reports the referenced attribute.
func (s *SoftSystem) IsReferenced(pa pmap.PAddr) bool {
	ph := s.phys[pa]
	return ph != nil && ph.ref
}

// ClearReference clears the referenced attribute and revokes access
// emulation.
func (s *SoftSystem) ClearReference(pa pmap.PAddr) {
	ph := s.phys[pa]
	if ph == nil {
		return
	}
	ph.ref = false
	for _, mp := range ph.maps {
		pte := mp.space.ptes[mp.va]
		pte.refd, pte.modd = false, false
	}
}

// ZeroPage fills the frame with zeros.
func (s *SoftSystem) ZeroPage(pa pmap.PAddr) { *s.mem.Frame(pa) = [pmap.PageSize]byte{} }

// SyncCache records the request in CacheCalls.
func (s *SoftSystem) SyncCache(pa pmap.PAddr, size uint64, op pmap.CacheOp) {
	s.CacheCalls = append(s.CacheCalls, CacheCall{PA: pa, Size: size, Op: op})
}

// CopyPage copies frame src to frame dst.
func (s *SoftSystem) CopyPage(src, dst pmap.PAddr) { *s.mem.Frame(dst) = *s.mem.Frame(src) }

// Mappings reports the number of mappings of pa.
func (s *SoftSystem) Mappings(pa pmap.PAddr) int {
	if ph := s.phys[pa]; ph != nil {
		return len(ph.maps)
	}
	return 0
}
