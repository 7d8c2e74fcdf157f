package vm

import "github.com/tamach/tamach/pmap"

// Entry is Mach's vm_map_entry: one range [start, end) of a map with
// uniform attributes, backed by an object (or a submap) at an offset.
//
// An entry is in one of these states (the map entry state machine):
//
//   - plain: object nil (zero-fill on first touch) or its own object;
//   - needs copy: the object is shared copy-on-write with another entry;
//     it is mapped read-only and the first write pushes a shadow object
//     (needsCopy → plain);
//   - shared: the object is written in place by several entries (share
//     inheritance, vm_map without copy, memory entries); a copy of it is
//     made eagerly rather than copy-on-write;
//   - wired: wiredCount+userWiredCount > 0; its pages stay resident;
//   - in transition: being changed with the map lock dropped (reserved for
//     pagers that answer asynchronously; never set while the lock is held
//     throughout, as today).
//
// Lock legend: every field is guarded by the map lock (M).
type Entry struct {
	prev, next *Entry // (M) address-ordered list, through Map.header

	start, end VAddr   // (M) page-aligned, start < end
	object     *Object // (M) nil: anonymous memory not yet touched
	offset     uint64  // (M) offset of start in object
	submap     *Map    // (M) set instead of object for a nested map

	prot, maxProt pmap.Prot // (M) current and maximum protection
	inherit       Inherit   // (M) what fork does with the entry
	behavior      Behavior  // (M) paging advice
	alias         uint8     // (M) VM_MEMORY_* tag from the allocation flags

	needsCopy    bool // (M) object must be shadowed before a write
	isShared     bool // (M) object written in place by other entries too
	inTransition bool // (M) being changed with the map unlocked
	zeroWired    bool // (M) VM_BEHAVIOR_ZERO_WIRED_PAGES: zero wired pages when deleted still wired

	wiredCount     uint16 // (M) kernel wirings
	userWiredCount uint16 // (M) user wirings (vm_wire from a task)
}

// VAddr is a virtual address (pmap.VAddr).
type VAddr = pmap.VAddr

func (e *Entry) size() uint64 { return uint64(e.end - e.start) }

func (e *Entry) wired() bool { return e.wiredCount+e.userWiredCount > 0 }

// Map is Mach's vm_map: an address space [min, max) as a sorted list of
// non-overlapping entries, indexed by a B-tree for O(log n) lookup, with a
// last-hit hint, a first-free hint and a timestamp that changes whenever
// the map does.
//
// Lock legend: (M) the map lock (System.mu today); (C) constant.
type Map struct {
	sys      *System   // (C)
	pmap     pmap.Pmap // (C) nil for a submap
	min, max VAddr     // (C)

	header    Entry     // (M) list sentinel: header.next is the lowest entry
	tree      entryTree // (M) the same entries, ordered by start
	hint      *Entry    // (M) last entry found, or nil
	firstFree VAddr     // (M) lowest unmapped address (max if none)
	timestamp uint64    // (M) bumped on every change
	size      uint64    // (M) bytes mapped
	refs      int       // (M) map references (tasks, submap entries)
	parents   int       // (M) entries nesting this map as a submap
}

// NewMap creates an empty map over [min, max) using the address space pm,
// whose reference the map takes over (vm_map_create). pm may be nil for a
// map that will only be nested as a submap.
func (s *System) NewMap(pm pmap.Pmap, min, max VAddr) (*Map, error) {
	if !min.Aligned() || !max.Aligned() || min >= max {
		return nil, KernInvalidArgument
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.newMap(pm, min, max), nil
}

func (s *System) newMap(pm pmap.Pmap, min, max VAddr) *Map {
	m := &Map{sys: s, pmap: pm, min: min, max: max, firstFree: min, refs: 1}
	m.header.next, m.header.prev = &m.header, &m.header
	m.header.start, m.header.end = min, min
	s.maps[m] = struct{}{}
	return m
}

// Pmap returns the map's address space.
func (m *Map) Pmap() pmap.Pmap { return m.pmap }

// Bounds reports the range the map covers.
func (m *Map) Bounds() (min, max VAddr) { return m.min, m.max }

// Timestamp reports the map's version: it changes whenever the map does.
func (m *Map) Timestamp() uint64 {
	m.sys.mu.Lock()
	defer m.sys.mu.Unlock()
	return m.timestamp
}

// Entries reports the number of entries.
func (m *Map) Entries() int {
	m.sys.mu.Lock()
	defer m.sys.mu.Unlock()
	return m.tree.len()
}

// lookup finds the entry containing va (vm_map_lookup_entry). If none does,
// it returns false and the entry before va (&m.header if there is none).
//
// The last-hit hint answers first; its successor only for the page just
// past the hint (a walk running off the end of an entry), so that a lookup
// elsewhere does not pay a cache miss on an entry it will not use before
// the tree search.
func (m *Map) lookup(va VAddr) (*Entry, bool) {
	if h := m.hint; h != nil {
		if va >= h.start && va < h.end {
			return h, true
		}
		if n := h.next; va.Trunc() == h.end && n != &m.header && n.start == h.end {
			m.hint = n
			return n, true
		}
	}
	_, e := m.tree.floor(va)
	if e == nil {
		return &m.header, false
	}
	if va < e.end {
		m.hint = e
		return e, true
	}
	return e, false
}

// link inserts e after prev (vm_map_entry_link).
// Precondition: e lies between prev and prev.next and overlaps neither.
func (m *Map) link(prev, e *Entry) {
	e.prev, e.next = prev, prev.next
	prev.next.prev = e
	prev.next = e
	if !m.tree.insert(e) {
		panic("vm: Map.link: duplicate entry start")
	}
	m.size += e.size()
	m.timestamp++
	if e.start == m.firstFree {
		m.advanceFirstFree(e)
	}
}

// unlink removes e (vm_map_entry_unlink); its references are the caller's.
func (m *Map) unlink(e *Entry) {
	m.unlinkKeepFree(e)
	if e.start < m.firstFree {
		m.firstFree = e.start
	}
}

// unlinkKeepFree removes e without moving the first-free hint, for callers
// that cover e's range again at once.
func (m *Map) unlinkKeepFree(e *Entry) {
	if !m.tree.delete(e.start) {
		panic("vm: Map.unlink: entry not in tree")
	}
	e.prev.next, e.next.prev = e.next, e.prev
	if m.hint == e {
		m.hint = nil
	}
	m.size -= e.size()
	m.timestamp++
}

// advanceFirstFree moves the first-free hint past the run of adjacent
// entries starting at e.
func (m *Map) advanceFirstFree(e *Entry) {
	for e != &m.header && e.start == m.firstFree {
		m.firstFree = e.end
		e = e.next
	}
}

// clone returns a copy of e's attributes with new references on its object
// or submap, unlinked.
func (e *Entry) clone() *Entry {
	ne := *e
	ne.prev, ne.next = nil, nil
	if ne.object != nil {
		ne.object.reference()
	}
	if ne.submap != nil {
		ne.submap.refs++
		ne.submap.parents++
	}
	return &ne
}

// clipStart splits e so that an entry starts at va (vm_map_clip_start).
// Precondition: e contains va.
func (m *Map) clipStart(e *Entry, va VAddr) {
	if va <= e.start {
		return
	}
	ne := e.clone()
	ne.end = va
	m.tree.delete(e.start)
	e.offset += uint64(va - e.start)
	e.start = va
	m.tree.insert(e)
	m.size -= ne.size()
	m.link(e.prev, ne)
}

// clipEnd splits e so that an entry ends at va (vm_map_clip_end).
// Precondition: e contains va-1.
func (m *Map) clipEnd(e *Entry, va VAddr) {
	if va >= e.end {
		return
	}
	ne := e.clone()
	ne.start = va
	ne.offset += uint64(va - e.start)
	e.end = va
	m.size -= ne.size()
	m.link(e, ne)
}

// mergeable reports whether b can be folded into a, its left neighbour.
func mergeable(a, b *Entry) bool {
	if a.end != b.start || a.submap != nil || b.submap != nil || a.object != b.object {
		return false
	}
	if a.object != nil && a.offset+a.size() != b.offset {
		return false
	}
	return a.prot == b.prot && a.maxProt == b.maxProt && a.inherit == b.inherit &&
		a.behavior == b.behavior && a.alias == b.alias && a.needsCopy == b.needsCopy &&
		a.isShared == b.isShared && !a.inTransition && !b.inTransition && a.zeroWired == b.zeroWired &&
		a.wiredCount == b.wiredCount && a.userWiredCount == b.userWiredCount
}

// simplify merges e with compatible neighbours (vm_map_simplify_entry).
func (m *Map) simplify(e *Entry) {
	if e == &m.header {
		return
	}
	if p := e.prev; p != &m.header && mergeable(p, e) {
		m.absorbNext(p)
		e = p
	}
	if n := e.next; n != &m.header && mergeable(e, n) {
		m.absorbNext(e)
	}
}

// absorbNext folds e.next into e.
func (m *Map) absorbNext(e *Entry) {
	n := e.next
	m.unlinkKeepFree(n)
	m.size += n.size()
	e.end = n.end
	if n.object != nil {
		n.object.deallocate()
	}
	m.timestamp++
}

// simplifyRange merges compatible neighbours among the entries touching
// [start, end], the entry just before start included.
func (m *Map) simplifyRange(start, end VAddr) {
	e, ok := m.lookup(start)
	if !ok {
		e = e.next
	}
	if e != &m.header && e.prev != &m.header {
		e = e.prev
	}
	for e != &m.header && e.start <= end {
		if n := e.next; n != &m.header && mergeable(e, n) {
			m.absorbNext(e)
			continue
		}
		e = e.next
	}
}

// clipRange clips entries so that entries begin at start and end at end,
// and returns the first entry inside [start, end) (or the entry after
// start if start is in a hole).
func (m *Map) clipRange(start, end VAddr) *Entry {
	e, ok := m.lookup(start)
	if ok {
		m.clipStart(e, start)
	} else {
		e = e.next
	}
	if last, ok := m.lookup(end - 1); ok {
		m.clipEnd(last, end)
	}
	return e
}

// covered reports whether [start, end) is fully mapped, with no hole.
func (m *Map) covered(start, end VAddr) bool {
	e, ok := m.lookup(start)
	if !ok {
		return false
	}
	for e.end < end {
		if e.next == &m.header || e.next.start != e.end {
			return false
		}
		e = e.next
	}
	return true
}

// entriesIn calls f for every entry overlapping [start, end) in order; f
// may not change the map.
func (m *Map) entriesIn(start, end VAddr, f func(e *Entry) bool) {
	e, ok := m.lookup(start)
	if !ok {
		e = e.next
	}
	for ; e != &m.header && e.start < end; e = e.next {
		if !f(e) {
			return
		}
	}
}

// Lookup reports the entry containing va (vm_map_lookup_entry): its range,
// or false if va is unmapped.
func (m *Map) Lookup(va VAddr) (start, end VAddr, ok bool) {
	m.sys.mu.Lock()
	defer m.sys.mu.Unlock()
	e, ok := m.lookup(va)
	if !ok {
		return 0, 0, false
	}
	return e.start, e.end, true
}
