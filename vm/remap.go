package vm

import "github.com/tamach/tamach/pmap"

// RemapResult is what vm_remap returns besides the address.
type RemapResult struct {
	Address  VAddr
	Cur, Max pmap.Prot // Remap: the most restrictive protections of the source; RemapNew: those asked for
}

// remapRequest is vm_remap's arguments once checked (vm_map_remap_sanitize).
type remapRequest struct {
	addr       VAddr  // the target address (fixed) or hint, truncated to its page
	size, mask uint64 // size: of the source page range
	flags      Flags
	src        *Map
	start, end VAddr // the source page range
	dataOffset uint64
	copy       bool
	legacy     bool      // mach_vm_remap: protections are results only
	cur, max   pmap.Prot // RemapNew: the protections asked for
	inherit    Inherit
}

// Remap is mach_vm_remap (osfmk/vm/vm_user.c mach_vm_remap_external,
// osfmk/vm/vm_map.c vm_map_remap): it maps the memory of [srcAddr,
// srcAddr+size) of src into m at addr (or anywhere at or above it, aligned
// to mask), shared with the source or, with copy, as a copy. Each new entry
// keeps its source entry's protections, and the result reports the most
// restrictive of them; the new entries get inheritance inherit. The
// checks, in XNU's order:
//
//   - a flag outside VM_FLAGS_USER_REMAP (FlagsAnywhere,
//     FlagsRandomAddr, FlagsOverwrite, FlagsReturnDataAddr,
//     FlagsResilientCodesign, FlagsResilientMedia; no alias tag):
//     KERN_INVALID_ARGUMENT;
//   - inheritance above VM_INHERIT_NONE: KERN_INVALID_ARGUMENT;
//   - the source range: size 0, a wrapping range, or one ending in the
//     last page: KERN_INVALID_ARGUMENT; without FlagsReturnDataAddr the
//     end is computed from the truncated start (0x1ff0+0x20 is one page);
//   - FlagsResilientMedia without copy: KERN_INVALID_ARGUMENT;
//   - the source: unmapped or with a hole KERN_INVALID_ADDRESS, a nested
//     submap KERN_INVALID_ARGUMENT (XNU reaches into it);
//   - placement as vm_map's (FlagsOverwrite is ignored with
//     FlagsAnywhere).
//
// With FlagsReturnDataAddr the address returned keeps srcAddr's offset in
// its page; with FlagsResilientCodesign the new entries are read-only.
func (m *Map) Remap(addr VAddr, size, mask uint64, flags Flags, src *Map, srcAddr VAddr, copy bool, inherit Inherit) (RemapResult, error) {
	if flags&^flagsUserRemap != 0 {
		return RemapResult{}, KernInvalidArgument
	}
	r := remapRequest{flags: flags, copy: copy, legacy: true, inherit: inherit}
	return m.remap(addr, size, mask, src, srcAddr, &r)
}

// RemapNew is mach_vm_remap_new (osfmk/vm/vm_user.c
// mach_vm_remap_new_external): Remap with FlagsReturnDataAddr always set and
// the protections cur and max given, not found. cur or max with a bit
// outside VM_PROT_ALL, or cur above max, is KERN_INVALID_ARGUMENT, max with
// both write and execute KERN_PROTECTION_FAILURE; these are checked after
// the flags and before the inheritance. Sharing
// needs every source entry to allow cur as current and max as maximum
// protection, copying needs read as maximum (KERN_PROTECTION_FAILURE);
// the new entries get cur and max, which the result repeats.
func (m *Map) RemapNew(addr VAddr, size, mask uint64, flags Flags, src *Map, srcAddr VAddr, copy bool, cur, max pmap.Prot, inherit Inherit) (RemapResult, error) {
	if flags&^flagsUserRemap != 0 {
		return RemapResult{}, KernInvalidArgument
	}
	cur, max, err := sanitizeProts(cur, max, 0, false)
	if err != nil {
		return RemapResult{}, err
	}
	if max.Allows(ProtWrite | ProtExecute) {
		return RemapResult{}, KernProtectionFailure
	}
	r := remapRequest{flags: flags | FlagsReturnDataAddr, copy: copy, cur: cur, max: max, inherit: inherit}
	return m.remap(addr, size, mask, src, srcAddr, &r)
}

// remap is vm_map_remap.
func (m *Map) remap(addr VAddr, size, mask uint64, src *Map, srcAddr VAddr, r *remapRequest) (RemapResult, error) {
	if src == nil || src.sys != m.sys {
		return RemapResult{}, KernInvalidArgument
	}
	if err := sanitizeInherit(r.inherit); err != nil {
		return RemapResult{}, err
	}
	start, end, err := sanitizeAddrSize(uint64(srcAddr), size, sizeZeroFails, r.flags&FlagsReturnDataAddr == 0)
	if err != nil {
		return RemapResult{}, err
	}
	r.src, r.start, r.end, r.size, r.mask = src, VAddr(start), VAddr(end), end-start, mask
	r.addr = VAddr(truncPage(uint64(addr)))
	if r.flags&FlagsReturnDataAddr != 0 {
		r.dataOffset = uint64(srcAddr) & pmap.PageMask
	}
	if r.flags&FlagsResilientMedia != 0 && !r.copy {
		return RemapResult{}, KernInvalidArgument
	}
	m.sys.mu.Lock()
	defer m.sys.mu.Unlock()
	if m.sealed() {
		return RemapResult{}, KernInvalidArgument
	}
	if err := src.checkRemapSource(r); err != nil {
		return RemapResult{}, err
	}
	pieces, res, err := src.remapPieces(r)
	if err != nil {
		return RemapResult{}, err
	}
	if r.flags&FlagsResilientCodesign != 0 {
		for _, e := range pieces {
			e.prot, e.maxProt = ProtRead, ProtRead
		}
		res.Cur, res.Max = ProtRead, ProtRead
	}
	placed, err := m.placePieces(r.addr, r.size, mask, r.flags, pieces)
	if err != nil {
		for _, e := range pieces {
			m.releaseEntry(e)
		}
		return RemapResult{}, err
	}
	res.Address = placed + VAddr(r.dataOffset)
	return res, nil
}

// checkRemapSource walks the source range as vm_map_remap_extract does,
// before anything changes: it must start in an entry and have no hole
// (KERN_INVALID_ADDRESS), hold no submap (KERN_INVALID_ARGUMENT), and for
// RemapNew every entry must allow the protections asked for
// (KERN_PROTECTION_FAILURE); the first of these an entry breaks is the
// error.
func (m *Map) checkRemapSource(r *remapRequest) error {
	needCur, needMax := r.cur, r.max
	if r.copy {
		needCur, needMax = ProtNone, ProtRead
	}
	e, ok := m.lookup(r.start)
	if !ok {
		return KernInvalidAddress
	}
	for at := r.start; at < r.end; at, e = e.end, e.next {
		switch {
		case e == &m.header || e.start > at:
			return KernInvalidAddress
		case e.submap != nil:
			return KernInvalidArgument
		case !r.legacy && (!e.prot.Allows(needCur) || !e.maxProt.Allows(needMax)):
			return KernProtectionFailure
		}
	}
	return nil
}

// remapPieces builds the unlinked entries (at source-relative addresses)
// that remap inserts, and the protections to report.
// Precondition: checkRemapSource accepted the range.
func (m *Map) remapPieces(r *remapRequest) ([]*Entry, RemapResult, error) {
	// LAB sharing: begin
	res := RemapResult{Cur: ProtAll, Max: ProtAll}
	if !r.legacy {
		res.Cur, res.Max = r.cur, r.max
	}
	var pieces []*Entry
	for e := m.clipRange(r.start, r.end); e != &m.header && e.start < r.end; e = e.next {
		var ne *Entry
		var err error
		if r.copy {
			ne, err = m.forkCopyEntry(e)
		} else {
			ne = m.shareEntry(e)
		}
		if err != nil { // an eager copy found no memory, or its pager failed
			for _, p := range pieces {
				m.releaseEntry(p)
			}
			m.simplifyRange(r.start, r.end)
			return nil, res, err
		}
		ne.start, ne.end = ne.start-r.start, ne.end-r.start
		ne.inherit, ne.wiredCount, ne.userWiredCount = r.inherit, 0, 0
		if r.legacy {
			res.Cur &= ne.prot
			res.Max &= ne.maxProt
		} else {
			ne.prot, ne.maxProt = r.cur, r.max
		}
		pieces = append(pieces, ne)
	}
	m.simplifyRange(r.start, r.end)
	return pieces, res, nil
	// LAB sharing: stub
	// panic("lab sharing: not implemented: remapPieces")
	// LAB sharing: end
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
