package vm

import "github.com/tamach/tamach/pmap"

// Fork is vm_map_fork: it creates a map for a child task over the address
// space pm (whose reference it takes), giving each entry to the child as
// its inheritance says:
//
//   - share: parent and child map the same object (a pending copy is
//     resolved first, so that they share the parent's own copy); both
//     entries become shared;
//   - copy: the child gets a copy-on-write copy; nothing is copied and no
//     page is touched until one side writes, except for memory written in
//     place by others (shared), wired or purgeable, which is copied at
//     once;
//   - none: the child gets nothing there.
//
// Wirings are not inherited.
func (m *Map) Fork(pm pmap.Pmap) (*Map, error) {
	m.sys.mu.Lock()
	defer m.sys.mu.Unlock()
	child := m.sys.newMap(pm, m.min, m.max)
	for e := m.header.next; e != &m.header; e = e.next {
		var ne *Entry
		var err error
		// LAB sharing: begin
		switch e.inherit {
		case InheritShare:
			m.share(e) // not true_share: XNU's vm_map_fork_share leaves it
			ne = e.clone()
		case InheritCopy, InheritDonateCopy:
			ne, err = m.forkCopyEntry(e)
		default:
			continue
		}
		// LAB sharing: stub
		// notImplemented("lab sharing: not implemented: Fork's inheritance (share, copy, none)")
		// LAB sharing: end
		if err != nil {
			child.release()
			return nil, err
		}
		ne.wiredCount, ne.userWiredCount = 0, 0
		child.link(child.header.prev, ne)
	}
	return child, nil
}

// shareEntry returns a clone of e sharing its object, marking both shared
// and the object true-shared (vm_remap without copy).
func (m *Map) shareEntry(e *Entry) *Entry {
	m.makeShared(e)
	return e.clone()
}

// makeShared performs plain/needs copy → shared on e for memory shared on
// purpose (a memory entry, vm_remap without copy): share, and the object
// is marked true-shared, as XNU marks it (region info reports
// SM_TRUESHARED for it).
func (m *Map) makeShared(e *Entry) {
	m.share(e)
	if e.object != nil {
		e.object.trueShare = true
	}
}

// share performs plain/needs copy → shared on e: it gets an object of its
// own (resolving a pending copy) that others may now write in place.
func (m *Map) share(e *Entry) {
	// LAB sharing: begin
	if e.submap == nil {
		if e.object == nil {
			e.object = m.sys.newObject(e.size(), nil)
			e.offset = 0
		} else if e.needsCopy {
			m.shadowEntry(e)
		}
		e.isShared = true
		m.timestamp++
	}
	// LAB sharing: stub
	// panic("lab sharing: not implemented: share")
	// LAB sharing: end
}

// forkCopyEntry returns the child's copy of e.
func (m *Map) forkCopyEntry(e *Entry) (*Entry, error) {
	if e.submap != nil {
		return e.clone(), nil
	}
	ce, err := m.copyEntry(e, false)
	if err != nil {
		return nil, err
	}
	ne := *e
	ne.prev, ne.next = nil, nil
	ne.object, ne.offset, ne.needsCopy, ne.isShared = ce.object, ce.offset, ce.needsCopy, false
	return &ne, nil
}
