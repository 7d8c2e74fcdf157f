package vm

import "github.com/tamach/tamach/pmap"

// RemapResult is what vm_remap returns besides the address.
type RemapResult struct {
	Address  VAddr
	Cur, Max pmap.Prot // the most restrictive protections of the source
}

// Remap is vm_remap (mach_vm_remap): it maps the memory of [srcAddr,
// srcAddr+size) of src into m at addr (or anywhere at or above it, aligned
// to mask), shared with the source or, with copy, as a copy-on-write copy.
// Each new entry keeps its source entry's protections; the new entries get
// inheritance inherit. The source must be mapped (KERN_INVALID_ADDRESS) and
// contain no submap (KERN_INVALID_ARGUMENT).
func (m *Map) Remap(addr VAddr, size, mask uint64, flags Flags, src *Map, srcAddr VAddr, copy bool, inherit Inherit) (RemapResult, error) {
	if src == nil || src.sys != m.sys || flags&^flagsMap != 0 || !inherit.valid() ||
		flags&FlagsAnywhere != 0 && flags&FlagsOverwrite != 0 || size == 0 {
		return RemapResult{}, KernInvalidArgument
	}
	m.sys.mu.Lock()
	defer m.sys.mu.Unlock()
	if m.sealed() {
		return RemapResult{}, KernInvalidArgument
	}
	start, end, err := src.pageRange(srcAddr, size)
	if err != nil {
		return RemapResult{}, err
	}
	if err := src.checkRemapSource(start, end); err != nil {
		return RemapResult{}, err
	}
	pieces, res, err := src.remapPieces(start, end, copy, inherit)
	if err != nil {
		return RemapResult{}, err
	}
	placed, err := m.placePieces(addr, uint64(end-start), mask, flags, pieces)
	if err != nil {
		for _, e := range pieces {
			m.releaseEntry(e)
		}
		return RemapResult{}, err
	}
	res.Address = placed
	return res, nil
}

func (m *Map) checkRemapSource(start, end VAddr) error {
	if !m.covered(start, end) {
		return KernInvalidAddress
	}
	ok := true
	m.entriesIn(start, end, func(e *Entry) bool { ok = e.submap == nil; return ok })
	if !ok {
		return KernInvalidArgument
	}
	return nil
}

// remapPieces builds the unlinked entries (at source-relative addresses)
// that Remap inserts.
func (m *Map) remapPieces(start, end VAddr, copy bool, inherit Inherit) ([]*Entry, RemapResult, error) {
	res := RemapResult{Cur: ProtAll, Max: ProtAll}
	var pieces []*Entry
	for e := m.clipRange(start, end); e != &m.header && e.start < end; e = e.next {
		var ne *Entry
		var err error
		if copy {
			ne, err = m.forkCopyEntry(e)
		} else {
			ne = m.shareEntry(e)
		}
		if err != nil {
			for _, p := range pieces {
				m.releaseEntry(p)
			}
			return nil, res, err
		}
		ne.start, ne.end = ne.start-start, ne.end-start
		ne.inherit, ne.wiredCount, ne.userWiredCount = inherit, 0, 0
		res.Cur &= ne.prot
		res.Max &= ne.maxProt
		pieces = append(pieces, ne)
	}
	m.simplifyRange(start, end)
	return pieces, res, nil
}

// placePieces finds room for size bytes and links the pieces there.
func (m *Map) placePieces(addr VAddr, size, mask uint64, flags Flags, pieces []*Entry) (VAddr, error) {
	mask |= pmap.PageMask
	var at VAddr
	var err error
	if flags&FlagsAnywhere != 0 {
		at, err = m.findSpace(max(addr, m.min), size, mask)
	} else {
		at, err = m.fixedSpace(addr, size, mask, flags&FlagsOverwrite != 0)
	}
	if err != nil {
		return 0, err
	}
	prev, _ := m.lookup(at)
	for _, e := range pieces {
		e.start, e.end = e.start+at, e.end+at
		m.link(prev, e)
		prev = e
	}
	m.simplifyRange(at, at+VAddr(size))
	return at, nil
}
