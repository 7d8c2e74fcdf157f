package vm

import (
	"slices"

	"github.com/tamach/tamach/pmap"
)

// Copy is Mach's vm_map_copy_t of the entry-list kind: a snapshot of a
// range of a map, taken copy-on-write, that can be inserted into another
// map (copyout), written over a range (copy overwrite) or discarded. Out-of
// line data travels in messages as one of these. Every call that takes a
// Copy consumes it, on success and on failure alike; one that is neither
// handed to such a call nor discarded is a leak System.Check reports
// (api_copy.go states the rule).
type Copy struct {
	sys     *System
	offset  uint64 // offset of the first byte in the first page
	size    uint64 // bytes of data
	entries []copyEntry
	madeBy  string // the call that made it, for leak reports
}

// copyEntry is one piece of a Copy: bytes [start, end) of the page-aligned
// copy come from object at offset.
type copyEntry struct {
	start, end uint64
	object     *Object // nil: zeros
	offset     uint64
	needsCopy  bool
}

// Size reports the number of data bytes in the copy.
func (c *Copy) Size() uint64 {
	if c == nil {
		return 0
	}
	return c.size
}

// pageSize reports the page-rounded extent of the copy.
func (c *Copy) pageSize() uint64 { return roundPage(c.offset + c.size) }

// Discard releases the copy (vm_map_copy_discard).
func (c *Copy) Discard() {
	if c == nil || c.sys == nil {
		return
	}
	c.sys.mu.Lock()
	defer c.sys.mu.Unlock()
	c.discard()
}

func (c *Copy) discard() {
	for _, ce := range c.entries {
		if ce.object != nil {
			ce.object.deallocate()
		}
	}
	c.retire()
}

// newCopy registers an empty copy made by the call madeBy describes.
func (s *System) newCopy(offset, size uint64, madeBy string) *Copy {
	c := &Copy{sys: s, offset: offset, size: size, madeBy: madeBy}
	s.copies[c] = struct{}{}
	return c
}

// retire forgets a consumed or discarded copy.
func (c *Copy) retire() {
	delete(c.sys.copies, c)
	c.entries, c.sys = nil, nil
}

// copyin takes a copy of [addr, addr+size) of m (vm_map_copyin); with
// destroy the range is removed from m. call names the API call, for leak
// reports. size 0 gives an empty copy; a range that wraps, ends in the
// last page or crosses 2^48 is KERN_INVALID_ADDRESS
// (vm_map_copyin_sanitize with XNU's copyio error compat).
func (m *Map) copyin(addr VAddr, size uint64, destroy bool, call string) (*Copy, error) {
	if size == 0 {
		return m.sys.newCopy(0, 0, copyMadeBy(call, addr, size)), nil
	}
	r, err := m.sanitizeRange(uint64(addr), size, callerCopyIO, zeroSucceeds|checkAddrRange)
	if err != nil {
		return nil, err
	}
	start, end := r.start, r.end
	if err := m.checkReadable(start, end); err != nil {
		return nil, err
	}
	c := m.sys.newCopy(uint64(addr-start), size, copyMadeBy(call, addr, size))
	if err := m.copyEntries(c, start, end, 0, destroy); err != nil {
		c.discard()
		return nil, err
	}
	if destroy {
		m.deleteRange(start, end)
	}
	return c, nil
}

// checkReadable verifies that [start, end) is mapped and readable,
// submaps included, entry by entry in address order as vm_map_copyin
// walks it: the first hole (KERN_INVALID_ADDRESS) or unreadable entry
// (KERN_PROTECTION_FAILURE) met decides.
func (m *Map) checkReadable(start, end VAddr) error {
	return m.walkRange(start, end, func(e *Entry) error {
		if !e.prot.Allows(ProtRead) {
			return KernProtectionFailure
		}
		if e.submap != nil {
			s, t := clampToEntry(e, start, end)
			return e.submap.checkReadable(s, t)
		}
		return nil
	})
}

// walkRange calls f for the entries of [start, end) in address order and
// returns the first error: KERN_INVALID_ADDRESS for a hole met before the
// next entry (or at the end), or f's.
func (m *Map) walkRange(start, end VAddr, f func(e *Entry) error) error {
	e, ok := m.lookup(start)
	if !ok {
		return KernInvalidAddress
	}
	for at := start; at < end; e = e.next {
		if e == &m.header || e.start > at {
			return KernInvalidAddress
		}
		if err := f(e); err != nil {
			return err
		}
		at = e.end
	}
	return nil
}

// clampToEntry translates the part of [start, end) inside submap entry e
// into the submap's addresses.
func clampToEntry(e *Entry, start, end VAddr) (VAddr, VAddr) {
	s, t := max(start, e.start), min(end, e.end)
	return VAddr(e.offset) + (s - e.start), VAddr(e.offset) + (t - e.start)
}

// copyEntries appends copy entries for [start, end) of m to c; base is the
// offset in c of start.
func (m *Map) copyEntries(c *Copy, start, end VAddr, base uint64, destroy bool) error {
	e := m.clipRange(start, end)
	for ; e != &m.header && e.start < end; e = e.next {
		rel := base + uint64(e.start-start)
		if e.submap != nil {
			s, t := clampToEntry(e, e.start, e.end)
			if err := e.submap.copyEntries(c, s, t, rel, false); err != nil {
				return err
			}
			continue
		}
		ce, err := m.copyEntry(e, destroy)
		if err != nil {
			return err
		}
		ce.start, ce.end = rel, rel+e.size()
		c.entries = append(c.entries, ce)
	}
	return nil
}

// copyEntry makes the copy of one entry: nothing for untouched memory, the
// object itself when the entry is being destroyed and private, an eager
// copy when the entry is wired or its object purgeable, a delayed copy
// (copy object, copyShared) when the object is written in place by
// others, and otherwise a symmetric copy-on-write share: both sides need a
// copy and the source is write-protected.
func (m *Map) copyEntry(e *Entry, destroy bool) (copyEntry, error) {
	switch {
	case e.object == nil:
		return copyEntry{}, nil
	case destroy && !e.isShared && !e.wired():
		e.object.reference()
		return copyEntry{object: e.object, offset: e.offset, needsCopy: e.needsCopy}, nil
	case e.wired() || e.object.copiedEagerly():
		o, err := m.sys.copySlowly(e.object, e.offset, e.size())
		return copyEntry{object: o}, err
	case e.isShared:
		return m.sys.copyShared(e.object, e.offset, e.size())
	}
	m.markNeedsCopy(e)
	e.object.reference()
	return copyEntry{object: e.object, offset: e.offset, needsCopy: true}, nil
}

// markNeedsCopy performs plain → needs copy on e: its mappings lose write
// access so that the next write faults and shadows the object.
func (m *Map) markNeedsCopy(e *Entry) {
	// LAB cow: begin
	if e.needsCopy {
		return
	}
	e.needsCopy = true
	m.timestamp++
	if m.pmap != nil {
		m.pmapProtect(e.start, e.end, e.prot&^ProtWrite)
		return
	}
	for off, p := range e.object.pages {
		if off >= e.offset && off-e.offset < e.size() {
			m.sys.pmap.PageProtect(p.pa, ProtRead|ProtExecute)
		}
	}
	// LAB cow: stub
	// panic("lab cow: not implemented: markNeedsCopy")
	// LAB cow: end
}

// copiedEagerly reports whether copies of o must be made at once
// (copySlowly), never copy-on-write: o is purgeable, and a purge discards
// its data in place, without the fault a copy-on-write copy relies on.
// XNU gives purgeable objects the copy strategy MEMORY_OBJECT_COPY_NONE
// (osfmk/vm/vm_map.c, vm_map_enter), which vm_object_copy_strategically
// (osfmk/vm/vm_object.c) copies with vm_object_copy_slowly.
func (o *Object) copiedEagerly() bool { return o.purgable != PurgableDeny }

// copySlowly makes a new object holding a copy of size bytes of o's chain
// at offset (vm_object_copy_slowly). Pages no object of the chain has stay
// absent: they read as zeros. Only the offsets some object of the chain
// holds data for are visited (chainOffsets), so the cost follows the data,
// not the size: an untouched purgeable region of terabytes copies at once.
func (s *System) copySlowly(o *Object, offset, size uint64) (*Object, error) {
	n := s.newObject(size, nil)
	for _, off := range chainOffsets(o, offset, size) {
		p, err := s.chainPage(o, offset+off)
		if err != nil {
			n.deallocate()
			return nil, err
		}
		if p == nil {
			continue
		}
		if _, err := s.copyPage(p, n, off); err != nil {
			n.deallocate()
			return nil, err
		}
	}
	return n, nil
}

// chainOffsets returns, in increasing order, the offsets in [0, size)
// (relative to offset in o) at which some object of o's shadow chain has a
// resident page or data with its pager: the only offsets a copy of the
// range can find data at. An external pager may hold data anywhere below
// its object's size, so the part of the range inside such an object is
// listed whole (it is bounded by the object, not by the range).
func chainOffsets(o *Object, offset, size uint64) []uint64 {
	seen := map[uint64]bool{}
	add := func(objOff, base uint64) {
		if objOff >= base && objOff-base < size {
			seen[objOff-base] = true
		}
	}
	for base := offset; o != nil; base, o = base+o.shadowOffset, o.shadow {
		for off := range o.pages {
			add(off, base)
		}
		if o.internal {
			for off := range o.pagedOut {
				add(off, base)
			}
		} else if o.pager != nil {
			for off := base &^ pmap.PageMask; off < o.size && off-base < size; off += pmap.PageSize {
				add(off, base)
			}
		}
	}
	offs := make([]uint64, 0, len(seen))
	for off := range seen {
		offs = append(offs, off)
	}
	slices.Sort(offs)
	return offs
}

// copyout inserts c anywhere in m (vm_map_copyout) and returns the address
// of the data. It consumes c on success.
func (m *Map) copyout(c *Copy) (VAddr, error) {
	if c.size == 0 {
		c.discard()
		return 0, nil
	}
	size := c.pageSize()
	start, err := m.findSpace(m.min, size, pmap.PageMask)
	if err != nil {
		return 0, err
	}
	prev, _ := m.lookup(start)
	for _, ce := range c.entries {
		e := &Entry{start: start + VAddr(ce.start), end: start + VAddr(ce.end), object: ce.object,
			offset: ce.offset, needsCopy: ce.needsCopy, prot: ProtDefault, maxProt: ProtAll,
			inherit: InheritDefault}
		m.link(prev, e)
		prev = e
	}
	m.simplifyRange(start, start+VAddr(size))
	off := c.offset
	c.retire()
	return start + VAddr(off), nil
}
