package vm

import "github.com/tamach/tamach/pmap"

// pageRange validates [addr, addr+size) the way Mach's range sanitisers
// do: a range that wraps is KERN_INVALID_ARGUMENT; the range is widened to
// whole pages (trunc_page of the start, round_page of the end); a range
// outside the map is KERN_INVALID_ADDRESS. size 0 gives start == end.
func (m *Map) pageRange(addr VAddr, size uint64) (VAddr, VAddr, error) {
	end := uint64(addr) + size
	if end < uint64(addr) || end > ^uint64(0)-pmap.PageMask {
		return 0, 0, KernInvalidArgument
	}
	start, rend := VAddr(truncPage(uint64(addr))), VAddr(roundPage(end))
	if size == 0 {
		return start, start, nil
	}
	if start < m.min || rend > m.max {
		return 0, 0, KernInvalidAddress
	}
	return start, rend, nil
}

// Allocate is vm_allocate (mach_vm_allocate): it maps size bytes of
// zero-filled memory, read-write with maximum protection all and
// inheritance copy, and returns where. The checks, in XNU's order
// (osfmk/vm/vm_user.c mach_vm_allocate_external, osfmk/vm/vm_kern.c
// mach_vm_allocate_kernel, osfmk/vm/vm_map.c vm_map_enter):
//
//   - a flag outside FlagsUserAllocate: KERN_INVALID_ARGUMENT;
//   - FlagsFixed (no FlagsAnywhere): the range is sanitised from
//     trunc_page(addr) (sanitizeRange with XNU's realigned start); size 0
//     succeeds and returns 0; a range that wraps or whose end rounds past
//     the last page is KERN_INVALID_ADDRESS (KERN_INVALID_ARGUMENT when
//     the size itself rounds to 0), as vm_allocate always answered;
//   - FlagsAnywhere: only the size is checked (size 0 succeeds and
//     returns 0, a size rounding to 0 is KERN_INVALID_ARGUMENT) and addr
//     is ignored: XNU's vm_allocate searches from the bottom of the map
//     (mach_vm_allocate_kernel_sanitize sets the address to 0), or from a
//     random address with FlagsRandomAddr; FlagsOverwrite has no effect;
//   - a superpage size: KERN_INVALID_ARGUMENT (no superpage size exists
//     here, as on arm64);
//   - a size above the map's: KERN_NO_SPACE;
//   - fixed: outside the map KERN_INVALID_ADDRESS, in use KERN_NO_SPACE
//     unless FlagsOverwrite replaces what is there; anywhere: no room
//     KERN_NO_SPACE.
//
// FlagsPurgable makes a purgable object; the alias tag travels in
// FlagsAliasMask. Flags4GBChunk, FlagsNoCache, FlagsPermanent and FlagsTPRO
// are accepted and change nothing here.
func (m *Map) Allocate(addr VAddr, size uint64, flags Flags) (VAddr, error) {
	if flags&^FlagsUserAllocate != 0 {
		return 0, KernInvalidArgument
	}
	anywhere := flags&FlagsAnywhere != 0
	if anywhere {
		if size == 0 {
			return 0, nil
		}
		if roundPage(size) == 0 {
			return 0, KernInvalidArgument
		}
		addr = 0
	} else {
		r, err := m.sanitizeRange(uint64(addr.Trunc()), size, callerAllocateFixed, zeroSucceeds)
		if err != nil || r.done {
			return 0, err
		}
	}
	if flags&FlagsSuperpageMask != 0 {
		return 0, KernInvalidArgument
	}
	m.sys.mu.Lock()
	defer m.sys.mu.Unlock()
	if m.sealed() {
		return 0, KernInvalidArgument
	}
	if !anywhere {
		return m.allocateLocked(addr, size, flags)
	}
	flags &^= FlagsOverwrite
	if flags&FlagsRandomAddr != 0 {
		start, err := m.allocateLocked(m.randomHint(roundPage(size)), size, flags)
		if Code(err) != KernNoSpace {
			return start, err
		}
		// XNU's vm_map_random_address_for_size picks among the holes
		// that fit; a random start with no room above it tries again
		// from the bottom.
	}
	return m.allocateLocked(0, size, flags)
}

// allocateLocked makes the entry of Allocate, with the lock held.
func (m *Map) allocateLocked(addr VAddr, size uint64, flags Flags) (VAddr, error) {
	var obj *Object
	if flags&FlagsPurgable != 0 {
		obj = m.sys.newObject(roundPage(size), nil)
		m.makePurgeable(obj)
	}
	spec := entrySpec{object: obj, prot: ProtDefault, maxProt: ProtAll, inherit: InheritDefault,
		alias: flags.alias()}
	start, err := m.enter(addr, size, 0, flags, spec)
	if err != nil && obj != nil {
		obj.deallocate()
	}
	return start, err
}

// randomHint returns a page-aligned address in [min, max-size] chosen by
// the system's random generator, where an anywhere search starts
// (VM_FLAGS_RANDOM_ADDR, vm_map_random_address_for_size).
func (m *Map) randomHint(size uint64) VAddr {
	span := uint64(m.max-m.min) - min(size, uint64(m.max-m.min))
	pages := span>>pmap.PageShift + 1
	return m.min + VAddr(m.sys.random()%pages)<<pmap.PageShift
}

// entrySpec describes the entry enter creates.
type entrySpec struct {
	object        *Object // consumed on success
	submap        *Map    // consumed on success
	offset        uint64
	prot, maxProt pmap.Prot
	inherit       Inherit
	alias         uint8
	needsCopy     bool
	isShared      bool
}

// enter finds room for size bytes (at addr, or anywhere at or above it
// aligned to mask) and makes one entry there (vm_map_enter).
func (m *Map) enter(addr VAddr, size, mask uint64, flags Flags, spec entrySpec) (VAddr, error) {
	if size > uint64(m.max-m.min) {
		return 0, KernNoSpace
	}
	size = roundPage(size)
	mask |= pmap.PageMask
	var start VAddr
	var err error
	if flags&FlagsAnywhere != 0 {
		start, err = m.findSpace(max(addr, m.min), size, mask)
	} else {
		start, err = m.fixedSpace(addr, size, mask, flags&FlagsOverwrite != 0)
	}
	if err != nil {
		return 0, err
	}
	prev, _ := m.lookup(start)
	e := &Entry{start: start, end: start + VAddr(size), object: spec.object, submap: spec.submap,
		offset: spec.offset, prot: spec.prot, maxProt: spec.maxProt, inherit: spec.inherit,
		alias: spec.alias, needsCopy: spec.needsCopy, isShared: spec.isShared}
	m.link(prev, e)
	m.simplify(e)
	return start, nil
}

// fixedSpace validates a fixed placement, clearing it for overwrite.
func (m *Map) fixedSpace(addr VAddr, size, mask uint64, overwrite bool) (VAddr, error) {
	start := VAddr(truncPage(uint64(addr)))
	end := uint64(start) + size
	if uint64(start)&mask != 0 {
		return 0, KernNoSpace
	}
	if start < m.min || end < uint64(start) || end > uint64(m.max) {
		return 0, KernInvalidAddress
	}
	if m.overlaps(start, VAddr(end)) {
		if !overwrite {
			return 0, KernNoSpace
		}
		m.deleteRange(start, VAddr(end))
	}
	return start, nil
}

// overlaps reports whether any entry overlaps [start, end).
func (m *Map) overlaps(start, end VAddr) bool {
	e, ok := m.lookup(start)
	if ok {
		return true
	}
	n := e.next
	return n != &m.header && n.start < end
}

// findSpace returns the lowest address at or above start, aligned to mask,
// with size free bytes (vm_map_find_space), starting from the first-free
// hint.
func (m *Map) findSpace(start VAddr, size, mask uint64) (VAddr, error) {
	if start < m.firstFree {
		start = m.firstFree
	}
	prev, ok := m.lookup(start)
	if ok {
		start = prev.end
	}
	for {
		aligned := (uint64(start) + mask) &^ mask
		end := aligned + size
		if aligned < uint64(start) || end < aligned || end > uint64(m.max) {
			return 0, KernNoSpace
		}
		start = VAddr(aligned)
		next := prev.next
		for next != &m.header && next.end <= start {
			prev, next = next, next.next
		}
		if next == &m.header || VAddr(end) <= next.start {
			return start, nil
		}
		prev, start = next, next.end
	}
}

// Deallocate is vm_deallocate (mach_vm_deallocate): it removes every
// mapping in the page range covering [addr, addr+size). size 0 succeeds;
// a range that wraps, or whose end rounds past the last page, is
// KERN_INVALID_ARGUMENT (XNU's compat layer only reports those). Holes are
// not an error. A range reaching below the map's minimum or above its
// maximum removes nothing and succeeds: XNU's vm_map_delete finds a gap
// there, raises a (non-fatal) guard exception and returns before deleting
// anything (osfmk/vm/vm_map.c vm_map_delete, VMDS_FOUND_GAP).
func (m *Map) Deallocate(addr VAddr, size uint64) error {
	r, err := m.sanitizeRange(uint64(addr), size, callerNone, zeroSucceeds)
	if err != nil || r.done {
		return err
	}
	m.sys.mu.Lock()
	defer m.sys.mu.Unlock()
	if m.sealed() {
		return KernInvalidArgument
	}
	if r.start < m.min || r.end > m.max {
		return nil
	}
	m.deleteRange(r.start, r.end)
	return nil
}

// deleteRange removes the entries in [start, end), clipping at the ends
// (vm_map_delete).
func (m *Map) deleteRange(start, end VAddr) {
	e := m.clipRange(start, end)
	for e != &m.header && e.start < end {
		next := e.next
		m.deleteEntry(e)
		e = next
	}
}

// deleteEntry unwires, unmaps and unlinks e and drops its references. A
// wired entry with VM_BEHAVIOR_ZERO_WIRED_PAGES has its pages zeroed
// first, so that no one else mapping them sees what it left there (XNU's
// vm_map_delete, zero_wired_pages).
func (m *Map) deleteEntry(e *Entry) {
	if e.wired() && e.zeroWired && e.object != nil {
		for off := e.offset; off < e.offset+e.size(); off += pmap.PageSize {
			if p := e.object.lookup(off); p != nil {
				m.sys.pmap.ZeroPage(p.pa)
			}
		}
	}
	if e.wired() {
		m.unwirePages(e)
		e.wiredCount, e.userWiredCount = 0, 0
	}
	if m.pmap != nil {
		if err := m.pmap.Remove(e.start, e.end); err != nil {
			panic("vm: Map.deleteEntry: pmap refused to remove a map range")
		}
	}
	m.unlink(e)
	m.releaseEntry(e)
}

// releaseEntry drops e's reference on its object or submap.
func (m *Map) releaseEntry(e *Entry) {
	if e.object != nil {
		e.object.deallocate()
		e.object = nil
	}
	if e.submap != nil {
		e.submap.parents--
		e.submap.release()
		e.submap = nil
	}
}

// Reference adds a reference to the map (vm_map_reference).
func (m *Map) Reference() {
	m.sys.mu.Lock()
	m.refs++
	m.sys.mu.Unlock()
}

// Destroy drops a reference (vm_map_deallocate); the last one removes every
// entry and destroys the address space.
func (m *Map) Destroy() {
	m.sys.mu.Lock()
	defer m.sys.mu.Unlock()
	m.release()
}

func (m *Map) release() {
	m.refs--
	if m.refs > 0 {
		return
	}
	if m.refs < 0 {
		panic("vm: Map.release of a dead map")
	}
	m.deleteRange(m.min, m.max)
	if m.pmap != nil {
		m.pmap.Destroy()
	}
	delete(m.sys.maps, m)
}
