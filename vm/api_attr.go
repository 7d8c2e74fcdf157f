package vm

import "github.com/tamach/tamach/pmap"

// Protect is vm_protect: it sets the current protection of the page range
// covering [addr, addr+size) to prot, or with setMax the maximum protection
// (lowering the current one to fit). The range must be fully mapped
// (KERN_INVALID_ADDRESS). A protection above an entry's maximum is
// KERN_PROTECTION_FAILURE, for the current protection and for a new
// maximum alike: a maximum can only be lowered (XNU osfmk/vm/vm_map.c
// vm_map_protect checks new_prot against max_protection whether set_max
// or not). A failed call changes nothing.
func (m *Map) Protect(addr VAddr, size uint64, setMax bool, prot pmap.Prot) error {
	if prot&^ProtAll != 0 {
		return KernInvalidArgument
	}
	m.sys.mu.Lock()
	defer m.sys.mu.Unlock()
	if m.sealed() {
		return KernInvalidArgument
	}
	start, end, err := m.pageRange(addr, size)
	if err != nil || start == end {
		return err
	}
	if !m.covered(start, end) {
		return KernInvalidAddress
	}
	ok := true
	m.entriesIn(start, end, func(e *Entry) bool {
		ok = e.maxProt.Allows(prot)
		return ok
	})
	if !ok {
		return KernProtectionFailure
	}
	for e := m.clipRange(start, end); e != &m.header && e.start < end; e = e.next {
		m.protectEntry(e, setMax, prot)
	}
	m.simplifyRange(start, end)
	return nil
}

// protectEntry applies a validated protection change to e.
func (m *Map) protectEntry(e *Entry, setMax bool, prot pmap.Prot) {
	old := e.prot
	if setMax {
		e.maxProt = prot
		e.prot &= prot
	} else {
		e.prot = prot
	}
	m.timestamp++
	if m.pmap != nil && old&^e.prot != 0 {
		m.pmapProtect(e.start, e.end, e.prot)
	}
	if e.wired() && e.prot&^old&ProtWrite != 0 && e.submap == nil {
		m.rewireForWrite(e)
	}
}

// pmapProtect lowers the pmap protection of [start, end).
func (m *Map) pmapProtect(start, end VAddr, prot pmap.Prot) {
	if err := m.pmap.Protect(start, end, prot); err != nil {
		panic("vm: Map.pmapProtect: pmap refused a map range")
	}
}

// Inherit is vm_inherit: it sets the inheritance of the entries in the page
// range covering [addr, addr+size). Holes are skipped, as in Mach. A submap
// cannot be inherited by copy (KERN_INVALID_ARGUMENT).
func (m *Map) Inherit(addr VAddr, size uint64, inherit Inherit) error {
	if !inherit.valid() {
		return KernInvalidArgument
	}
	if inherit == InheritDonateCopy {
		inherit = InheritCopy
	}
	m.sys.mu.Lock()
	defer m.sys.mu.Unlock()
	if m.sealed() {
		return KernInvalidArgument
	}
	start, end, err := m.pageRange(addr, size)
	if err != nil || start == end {
		return err
	}
	bad := false
	m.entriesIn(start, end, func(e *Entry) bool {
		bad = e.submap != nil && inherit == InheritCopy
		return !bad
	})
	if bad {
		return KernInvalidArgument
	}
	for e := m.clipRange(start, end); e != &m.header && e.start < end; e = e.next {
		e.inherit = inherit
	}
	m.timestamp++
	m.simplifyRange(start, end)
	return nil
}

// BehaviorSet is vm_behavior_set. Default, random, sequential and
// reverse-sequential advice is recorded in the entries; will-need faults
// the range in for reading, as far as it can (willNeed); dont-need and
// pageout deactivate its resident pages; free, reusable, reuse and
// can-reuse are accepted and do nothing (their contents-discarding forms
// are not implemented). The range must be fully mapped
// (KERN_INVALID_ADDRESS); advice that cannot be taken is no error.
func (m *Map) BehaviorSet(addr VAddr, size uint64, b Behavior) error {
	if b < BehaviorDefault || b > BehaviorPageout || b == 7 {
		return KernInvalidArgument
	}
	m.sys.mu.Lock()
	defer m.sys.mu.Unlock()
	start, end, err := m.pageRange(addr, size)
	if err != nil || start == end {
		return err
	}
	if !m.covered(start, end) {
		return KernInvalidAddress
	}
	switch {
	case b <= BehaviorRSequential:
		for e := m.clipRange(start, end); e != &m.header && e.start < end; e = e.next {
			e.behavior = b
		}
		m.timestamp++
		m.simplifyRange(start, end)
	case b == BehaviorWillNeed:
		m.willNeed(start, end)
	case b == BehaviorDontNeed || b == BehaviorPageout:
		m.deactivateRange(start, end)
	}
	return nil
}

// willNeed faults the pages of [start, end) in for reading, as
// vm_map_willneed does (XNU osfmk/vm/vm_map.c): pages that cannot be read
// (no read access, or unmapped in a submap) are skipped, and at the first
// page whose data cannot be brought in (KERN_MEMORY_ERROR from its pager,
// KERN_RESOURCE_SHORTAGE) it gives up on the rest of the range, as XNU
// does when the pager's data request fails: the next pages would likely
// fail the same way, and reading ahead when no frame is free would only
// evict pages in use. The advice itself still succeeds ("madvise isn't
// supposed to fail when the advice can't be taken", vm_map_willneed).
func (m *Map) willNeed(start, end VAddr) {
	for va := start; va < end; va += pmap.PageSize {
		_, err := m.fault(va, ProtRead, false)
		switch Code(err) {
		case KernSuccess, KernProtectionFailure, KernInvalidAddress:
		default:
			return
		}
	}
}

// deactivateRange moves the resident pages mapped in [start, end) to the
// inactive queue.
func (m *Map) deactivateRange(start, end VAddr) {
	if m.pmap == nil {
		return
	}
	for va := start; va < end; va += pmap.PageSize {
		if pa, _, ok := m.pmap.Extract(va); ok {
			if p := m.sys.pool.lookup(pa.Trunc()); p != nil {
				m.sys.pool.deactivate(p)
			}
		}
	}
}
