package vmtest

import "github.com/tamach/tamach/pmap"

// Canonical 48-bit layout of both machines: the lower half belongs to
// tasks, the upper half to the kernel (Intel SDM Vol. 3A §4.5 canonical
// addresses; Arm ARM D8.2 TTBR0/TTBR1 ranges).
const (
	lowerHalfEnd   pmap.VAddr = 1 << 47
	upperHalfStart pmap.VAddr = 0xffff_8000_0000_0000
)

func (p *SoftPmap) check(va pmap.VAddr, flags pmap.Flags) error {
	switch {
	case !va.Aligned():
		return pmap.ErrUnaligned
	case va >= lowerHalfEnd && va < upperHalfStart:
		return pmap.ErrNonCanonical
	case va >= upperHalfStart && p.kind == pmap.KindUser && flags&pmap.Kernel == 0:
		return pmap.ErrKernelRange
	}
	return nil
}

// Kind reports the kind of space.
func (p *SoftPmap) Kind() pmap.Kind { return p.kind }

// Enter maps va to pa.
func (p *SoftPmap) Enter(va pmap.VAddr, pa pmap.PAddr, prot pmap.Prot, flags pmap.Flags) error {
	if err := p.check(va, flags); err != nil {
		return err
	}
	if !pa.Aligned() {
		return pmap.ErrUnaligned
	}
	if prot&^pmap.ProtAll != 0 || flags&^(pmap.Wired|pmap.Device|pmap.Kernel) != 0 {
		return pmap.ErrBadFlags
	}
	if old := p.ptes[va]; old != nil {
		if old.pa == pa {
			p.setWired(old, flags&pmap.Wired != 0)
			old.prot, old.flags = prot, flags
			if !prot.Allows(pmap.ProtWrite) {
				old.modd = false
			}
			return nil
		}
		p.removeOne(va)
	}
	if prot == pmap.ProtNone {
		return nil
	}
	pte := &softPTE{pa: pa, prot: prot}
	p.ptes[va] = pte
	p.setWired(pte, flags&pmap.Wired != 0)
	pte.flags = flags
	ph := p.sys.physOf(pa)
	ph.maps = append(ph.maps, softMapping{p, va})
	return nil
}

func (p *SoftPmap) setWired(pte *softPTE, wired bool) {
	was := pte.flags&pmap.Wired != 0
	switch {
	case wired && !was:
		p.wired++
		pte.flags |= pmap.Wired
	case !wired && was:
		p.wired--
		pte.flags &^= pmap.Wired
	}
}

// removeOne unmaps va, keeping the page's attributes.
func (p *SoftPmap) removeOne(va pmap.VAddr) {
	pte := p.ptes[va]
	if pte == nil {
		return
	}
	p.setWired(pte, false)
	delete(p.ptes, va)
	ph := p.sys.phys[pte.pa]
	for i, mp := range ph.maps {
		if mp.space == p && mp.va == va {
			ph.maps[i] = ph.maps[len(ph.maps)-1]
			ph.maps = ph.maps[:len(ph.maps)-1]
			return
		}
	}
	panic("vmtest: SoftPmap.removeOne: reverse mapping missing")
}

// lower reduces the protection of va to prot, removing it for ProtNone.
func (p *SoftPmap) lower(va pmap.VAddr, prot pmap.Prot) {
	pte := p.ptes[va]
	if pte == nil {
		return
	}
	pte.prot &= prot
	if pte.prot == pmap.ProtNone {
		p.removeOne(va)
	}
}

// forRange calls f for each mapped page in [start, end), visiting whichever
// is smaller: the range or the space's mappings.
func (p *SoftPmap) forRange(start, end pmap.VAddr, f func(va pmap.VAddr)) {
	if uint64(end-start)>>pmap.PageShift <= uint64(len(p.ptes)) {
		for va := start; va < end; va += pmap.PageSize {
			if p.ptes[va] != nil {
				f(va)
			}
		}
		return
	}
	var vas []pmap.VAddr
	for va := range p.ptes {
		if va >= start && va < end {
			vas = append(vas, va)
		}
	}
	for _, va := range vas {
		f(va)
	}
}

func (p *SoftPmap) checkRange(start, end pmap.VAddr) error {
	if end < start {
		return pmap.ErrBadRange
	}
	if err := p.check(start, pmap.Kernel); err != nil {
		return err
	}
	if !end.Aligned() {
		return pmap.ErrUnaligned
	}
	return nil
}

// Remove unmaps [start, end).
func (p *SoftPmap) Remove(start, end pmap.VAddr) error {
	if err := p.checkRange(start, end); err != nil {
		return err
	}
	p.forRange(start, end, p.removeOne)
	return nil
}

// Protect lowers the protection of [start, end).
func (p *SoftPmap) Protect(start, end pmap.VAddr, prot pmap.Prot) error {
	if err := p.checkRange(start, end); err != nil {
		return err
	}
	if prot&^pmap.ProtAll != 0 {
		return pmap.ErrBadFlags
	}
	p.forRange(start, end, func(va pmap.VAddr) { p.lower(va, prot) })
	return nil
}

// Extract translates va, reporting the protection the mapping was
// entered with, as the hardware formats do.
func (p *SoftPmap) Extract(va pmap.VAddr) (pmap.PAddr, pmap.Prot, bool) {
	pte := p.ptes[va.Trunc()]
	if pte == nil {
		return 0, 0, false
	}
	return pte.pa + pmap.PAddr(va&pmap.PageMask), pte.prot, true
}

// Access is the MMU of this software pmap (vmtest.MMU): an access succeeds
// only once the emulation has granted it, nothing before the first access
// (the referenced trap), no write before the first write (the modified
// trap); every other access faults, to FastFault first. user is ignored:
// the software pmap maps everything for user mode.
func (p *SoftPmap) Access(va pmap.VAddr, access pmap.Prot, user bool) (pmap.PAddr, bool) {
	pte := p.ptes[va.Trunc()]
	if pte == nil || !pte.refd {
		return 0, false
	}
	eff := pte.prot &^ pmap.ProtWrite
	if pte.modd {
		eff = pte.prot
	}
	if !eff.Allows(access) {
		return 0, false
	}
	return pte.pa + pmap.PAddr(va&pmap.PageMask), true
}

// SetWired changes the wired attribute of va.
func (p *SoftPmap) SetWired(va pmap.VAddr, wired bool) error {
	pte := p.ptes[va]
	if pte == nil {
		return pmap.ErrNotMapped
	}
	p.setWired(pte, wired)
	return nil
}

// FastFault sets the referenced (and, for a write the mapping allows, the
// modified) attribute of the page at va and grants the access.
func (p *SoftPmap) FastFault(va pmap.VAddr, access pmap.Prot) bool {
	pte := p.ptes[va.Trunc()]
	if pte == nil || !pte.prot.Allows(access) {
		return false
	}
	ph := p.sys.phys[pte.pa]
	granted := false
	if !pte.refd {
		pte.refd, ph.ref, granted = true, true, true
	}
	if access&pmap.ProtWrite != 0 && !pte.modd {
		pte.modd, ph.mod, granted = true, true, true
	}
	return granted
}

// Activate does nothing: the simulated CPU is told its map directly.
func (p *SoftPmap) Activate() {}

// Root returns the space's identifier.
func (p *SoftPmap) Root() pmap.PAddr { return p.root }

// Reference adds a reference.
func (p *SoftPmap) Reference() { p.refs++ }

// Destroy drops a reference, removing every mapping with the last.
func (p *SoftPmap) Destroy() {
	p.refs--
	if p.refs > 0 {
		return
	}
	for va := range p.ptes {
		p.removeOne(va)
	}
	p.sys.spaces--
}

// Stats reports resident and wired pages.
func (p *SoftPmap) Stats() pmap.Stats {
	return pmap.Stats{Resident: uint64(len(p.ptes)), Wired: p.wired}
}
