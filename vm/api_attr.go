package vm

import "github.com/tamach/tamach/pmap"

// Protect is vm_protect (mach_vm_protect): it sets the current protection
// of the page range covering [addr, addr+size) to prot, or with setMax the
// maximum protection (the current one becomes its intersection with the
// new maximum). In XNU's order (osfmk/vm/vm_user.c mach_vm_protect,
// osfmk/vm/vm_map.c vm_map_protect_sanitize and vm_map_protect):
//
//   - size 0 succeeds, whatever the other arguments;
//   - prot with bits other than the access bits and ProtCopy (ProtNoChange,
//     ProtIsMask, ProtStripRead, ProtNoChangeLegacy, ...):
//     KERN_INVALID_ARGUMENT;
//   - a range that wraps or whose end rounds past the last page:
//     KERN_INVALID_ARGUMENT;
//   - ProtCopy: the range first becomes a private copy-on-write copy of
//     itself (vm_map_remap with copy onto itself), each entry's current
//     protection masked with prot and VM_PROT_WRITE added to its maximum;
//     an unmapped range is KERN_INVALID_ADDRESS, a submap
//     KERN_INVALID_ARGUMENT;
//   - a start at or above the map's maximum, or not mapped:
//     KERN_INVALID_ADDRESS;
//   - then entry by entry in address order: a hole before the entry is
//     KERN_INVALID_ADDRESS, a protection above the entry's maximum
//     KERN_PROTECTION_FAILURE (for the current protection and for a new
//     maximum alike: a maximum can only be lowered); a hole after the
//     last entry is KERN_INVALID_ADDRESS.
//
// A failed call changes nothing (but a ProtCopy that succeeded stays).
func (m *Map) Protect(addr VAddr, size uint64, setMax bool, prot Prot) error {
	if size == 0 {
		return nil
	}
	if prot&^(ProtAll|ProtCopy) != 0 {
		return KernInvalidArgument
	}
	r, err := m.sanitizeRange(uint64(addr), size, callerProtect, zeroSucceeds)
	if err != nil || r.done {
		return err
	}
	start, end := r.start, r.end
	m.sys.mu.Lock()
	defer m.sys.mu.Unlock()
	if m.sealed() {
		return KernInvalidArgument
	}
	if prot&ProtCopy != 0 {
		if start >= m.max {
			return KernInvalidAddress
		}
		if err := m.protectCopy(start, end, prot.access()); err != nil {
			return err
		}
	}
	want := prot.access()
	if err := m.checkProtect(start, end, want); err != nil {
		return err
	}
	for e := m.clipRange(start, end); e != &m.header && e.start < end; e = e.next {
		m.protectEntry(e, setMax, want)
	}
	m.simplifyRange(start, end)
	return nil
}

// checkProtect is the first pass of vm_map_protect over [start, end).
func (m *Map) checkProtect(start, end VAddr, prot pmap.Prot) error {
	if start >= m.max {
		return KernInvalidAddress
	}
	e, ok := m.lookup(start)
	if !ok {
		return KernInvalidAddress
	}
	prev := e.start
	for ; e != &m.header && e.start < end; e = e.next {
		if e.start != prev {
			return KernInvalidAddress
		}
		if !e.maxProt.Allows(prot) {
			return KernProtectionFailure
		}
		prev = e.end
	}
	if end > prev {
		return KernInvalidAddress
	}
	return nil
}

// protectCopy is the vm_map_remap(copy) that vm_protect(VM_PROT_COPY)
// makes of [start, end) onto itself (osfmk/vm/vm_map.c vm_map_protect,
// vm_map_remap_extract with vmkf_remap_prot_copy): each entry gets a
// private copy-on-write copy of its memory (an eager copy if it is wired
// or purgable, as every copy here), loses its wiring, keeps its
// inheritance, has its current protection masked with prot and write
// added to its maximum.
func (m *Map) protectCopy(start, end VAddr, prot pmap.Prot) error {
	if !m.covered(start, end) {
		return KernInvalidAddress
	}
	bad := false
	m.entriesIn(start, end, func(e *Entry) bool { bad = e.submap != nil; return !bad })
	if bad {
		return KernInvalidArgument
	}
	for e := m.clipRange(start, end); e != &m.header && e.start < end; e = e.next {
		ce, err := m.copyEntry(e, false)
		if err != nil {
			m.simplifyRange(start, end)
			return err
		}
		if e.wired() {
			m.unwirePages(e)
			e.wiredCount, e.userWiredCount = 0, 0
		}
		if m.pmap != nil {
			if err := m.pmap.Remove(e.start, e.end); err != nil {
				panic("vm: Map.protectCopy: pmap refused a map range")
			}
		}
		m.releaseEntry(e)
		e.object, e.offset, e.needsCopy, e.isShared = ce.object, ce.offset, ce.needsCopy, false
		e.prot &= prot
		e.maxProt |= ProtWrite
		m.timestamp++
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

// Inherit is vm_inherit (mach_vm_inherit): it sets the inheritance of the
// entries in the page range covering [addr, addr+size). size 0 succeeds;
// an inheritance above InheritNone (VM_INHERIT_DONATE_COPY included) is
// KERN_INVALID_ARGUMENT; a range that wraps or whose end rounds past the
// last page is KERN_INVALID_ARGUMENT; the range is then cut to the map
// (VM_MAP_RANGE_CHECK) and holes are skipped, so a range outside the map
// succeeds and changes nothing. A submap cannot be inherited by copy
// (KERN_INVALID_ARGUMENT). (osfmk/vm/vm_user.c mach_vm_inherit,
// osfmk/vm/vm_map.c vm_map_inherit.)
func (m *Map) Inherit(addr VAddr, size uint64, inherit Inherit) error {
	if size == 0 {
		return nil
	}
	if !inherit.valid() {
		return KernInvalidArgument
	}
	r, err := m.sanitizeRange(uint64(addr), size, callerNone, zeroSucceeds)
	if err != nil || r.done {
		return err
	}
	m.sys.mu.Lock()
	defer m.sys.mu.Unlock()
	if m.sealed() {
		return KernInvalidArgument
	}
	start, end := m.clampToMap(r.start, r.end)
	if start == end {
		return nil
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

// BehaviorSet is vm_behavior_set (mach_vm_behavior_set). In XNU's order
// (osfmk/vm/vm_user.c mach_vm_behavior_set_sanitize, osfmk/vm/vm_map.c
// vm_map_behavior_set):
//
//   - a behavior below 0 or above BehaviorZero: KERN_INVALID_ARGUMENT;
//   - size 0 succeeds;
//   - a range that wraps: KERN_INVALID_ARGUMENT; whose end rounds past the
//     last page: KERN_NO_SPACE (vm_behavior_set's historical code);
//   - a range below the map's minimum or above its maximum: KERN_NO_SPACE;
//   - then per behavior:
//     default, random, sequential, reverse-sequential and
//     zero-wired-pages are recorded in the entries; the range must be
//     mapped without holes (KERN_INVALID_ADDRESS), and zero-wired-pages
//     needs write access (KERN_PROTECTION_FAILURE);
//     will-need faults the range in for reading as far as it can
//     (willNeed; a hole is KERN_INVALID_ADDRESS);
//     dont-need is vm_msync(DEACTIVATE|CONTIGUOUS) and free is
//     vm_msync(KILLPAGES|CONTIGUOUS): the work is done where memory is
//     mapped, and a hole makes the result KERN_INVALID_ADDRESS;
//     reusable, reuse and can-reuse: reusablePages, reusePages, canReuse;
//     pageout deactivates like dont-need (XNU offers it in development
//     kernels only, and answers KERN_INVALID_ARGUMENT in release ones);
//     zero: zeroRange.
func (m *Map) BehaviorSet(addr VAddr, size uint64, b Behavior) error {
	if b < BehaviorDefault || b > behaviorLastValid {
		return KernInvalidArgument
	}
	r, err := m.sanitizeRange(uint64(addr), size, callerBehaviorSet, zeroSucceeds)
	if err != nil || r.done {
		return err
	}
	start, end := r.start, r.end
	if start > end || start < m.min || end > m.max {
		return KernNoSpace
	}
	m.sys.mu.Lock()
	defer m.sys.mu.Unlock()
	switch b {
	case BehaviorDefault, BehaviorRandom, BehaviorSequential, BehaviorRSequential, BehaviorZeroWired:
		return m.recordBehavior(start, end, b)
	case BehaviorWillNeed:
		if !m.rangeCheck(start, end) {
			return KernInvalidAddress
		}
		m.willNeed(start, end)
		return nil
	case BehaviorDontNeed, BehaviorPageout:
		return m.msync(start, end, SyncDeactivate|SyncContiguous)
	case BehaviorFree:
		return m.msync(start, end, SyncKillPages|SyncContiguous)
	case BehaviorReusable:
		return m.reusablePages(start, end)
	case BehaviorReuse:
		return m.reusePages(start, end)
	case BehaviorCanReuse:
		return m.canReuse(start, end)
	}
	return m.zeroRange(start, end)
}

// recordBehavior stores a persistent behavior in the entries of [start,
// end), which must be mapped without holes; zero-wired-pages is refused
// (KERN_PROTECTION_FAILURE) unless every entry is writable.
func (m *Map) recordBehavior(start, end VAddr, b Behavior) error {
	if !m.rangeCheck(start, end) {
		return KernInvalidAddress
	}
	if b == BehaviorZeroWired {
		ok := true
		m.entriesIn(start, end, func(e *Entry) bool { ok = e.prot.Allows(ProtWrite); return ok })
		if !ok {
			return KernProtectionFailure
		}
	}
	for e := m.clipRange(start, end); e != &m.header && e.start < end; e = e.next {
		if b == BehaviorZeroWired {
			e.zeroWired = true
		} else {
			e.behavior = b
		}
	}
	m.timestamp++
	m.simplifyRange(start, end)
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
