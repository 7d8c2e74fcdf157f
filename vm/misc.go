package vm

import "github.com/tamach/tamach/pmap"

// Msync is vm_msync: the range must be mapped (KERN_INVALID_ADDRESS).
// Dirty resident pages of pager-backed objects in the range are returned
// to their pagers (synchronously, for both SyncSynchronous and
// SyncAsynchronous); with SyncInvalidate their clean pages are then freed;
// SyncDeactivate deactivates the pages. SyncKillPages is accepted and
// treated as SyncInvalidate (dirty data is not discarded). Both
// synchronous and asynchronous, or unknown flags, are
// KERN_INVALID_ARGUMENT.
func (m *Map) Msync(addr VAddr, size uint64, flags SyncFlags) error {
	if flags&^syncAll != 0 || flags&SyncSynchronous != 0 && flags&SyncAsynchronous != 0 {
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
	m.entriesIn(start, end, func(e *Entry) bool {
		if e.object != nil && !e.object.internal {
			s, t := max(start, e.start), min(end, e.end)
			m.sys.syncObject(e.object, e.offset+uint64(s-e.start), uint64(t-s), flags)
		}
		return true
	})
	if flags&SyncDeactivate != 0 {
		m.deactivateRange(start, end)
	}
	return nil
}

// syncObject cleans (and with invalidate frees) the resident pages of
// [off, off+n) of a pager-backed object.
func (s *System) syncObject(o *Object, off, n uint64, flags SyncFlags) {
	for at := off; at < off+n; at += pmap.PageSize {
		p := o.lookup(at)
		if p == nil || p.busy || p.wireCount > 0 {
			continue
		}
		if flags&(SyncInvalidate|SyncKillPages) != 0 {
			s.pmap.PageProtect(p.pa, pmap.ProtNone)
		} else {
			s.pmap.PageProtect(p.pa, ProtRead|ProtExecute)
		}
		if s.pmap.IsModified(p.pa) {
			p.dirty = true
		}
		if p.dirty && !s.launder(p) {
			continue
		}
		if flags&(SyncInvalidate|SyncKillPages) != 0 {
			s.freePage(p)
		}
	}
}

// MachineAttribute is vm_machine_attribute. MATTR_CACHE with a flush or
// sync value, and MATTR_VAL_GET, succeed over a mapped range: the pmap
// contract has no cache-maintenance operation yet, and the host and QEMU
// keep caches coherent, so there is nothing to do. Migrate and replicate
// are KERN_NOT_SUPPORTED; other values KERN_INVALID_ARGUMENT.
func (m *Map) MachineAttribute(addr VAddr, size uint64, attr MachineAttribute, val MachineAttributeVal) (MachineAttributeVal, error) {
	switch attr {
	case MattrCache:
	case MattrMigrate, MattrReplicate:
		return 0, KernNotSupported
	default:
		return 0, KernInvalidArgument
	}
	switch val {
	case MattrValGet, MattrValCacheFlush, MattrValDCacheFlush, MattrValICacheFlush, MattrValCacheSync, MattrValOn, MattrValOff:
	default:
		return 0, KernInvalidArgument
	}
	m.sys.mu.Lock()
	defer m.sys.mu.Unlock()
	start, end, err := m.pageRange(addr, size)
	if err != nil || start == end {
		return 0, err
	}
	if !m.covered(start, end) {
		return 0, KernInvalidAddress
	}
	if val == MattrValGet {
		return MattrValOn, nil
	}
	return val, nil
}

// NestSubmap is vm_map_submap: it maps sub over [start, start+size) of m at
// offset in sub, shared (inheritance share), with protection all. The
// range must be free (KERN_NO_SPACE). A nested map is sealed: the calls
// that change a map's entries (Allocate, Deallocate, Protect, ...) return
// KERN_INVALID_ARGUMENT on it, because the parents' pmaps would keep
// stale translations (XNU seals its shared-region submaps alike).
func (m *Map) NestSubmap(start VAddr, size uint64, sub *Map, offset VAddr) error {
	if sub == nil || sub == m || sub.sys != m.sys || sub.pmap != nil || !start.Aligned() ||
		size&pmap.PageMask != 0 || size == 0 || !offset.Aligned() ||
		uint64(offset)+size < uint64(offset) || offset < sub.min || uint64(offset)+size > uint64(sub.max) {
		return KernInvalidArgument
	}
	m.sys.mu.Lock()
	defer m.sys.mu.Unlock()
	sub.refs++
	sub.parents++
	spec := entrySpec{submap: sub, offset: uint64(offset), prot: ProtAll, maxProt: ProtAll, inherit: InheritShare}
	if _, err := m.enter(start, size, 0, FlagsFixed, spec); err != nil {
		sub.parents--
		sub.refs--
		return err
	}
	return nil
}

// sealed reports whether m is nested in another map and so may not change.
func (m *Map) sealed() bool { return m.parents > 0 }
