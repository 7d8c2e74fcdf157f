package vm

import "github.com/tamach/tamach/pmap"

// Msync is vm_msync (mach_vm_msync). In XNU's order (osfmk/vm/vm_user.c
// mach_vm_msync, osfmk/vm/vm_map.c vm_map_msync):
//
//   - size 0 succeeds, whatever the flags;
//   - SyncSynchronous with SyncAsynchronous: KERN_INVALID_ARGUMENT; other
//     unknown flag bits are ignored, as XNU ignores them;
//   - a range that wraps or whose end rounds past the last page:
//     KERN_INVALID_ADDRESS (vm_msync's historical code);
//   - the range is then walked entry by entry: holes (and whatever lies
//     outside the map) are skipped, except that SyncKillPages stops at the
//     first hole, since it must not kill pages someone maps there later;
//     a hole makes the result KERN_INVALID_ADDRESS with SyncContiguous and
//     leaves it KERN_SUCCESS without.
//
// What each entry gets (syncEntry): with SyncKillPages the contents of its
// private anonymous memory are discarded (the pages are freed and read as
// zeros; memory shared with others or shadowing another object is left
// alone, as XNU leaves it); with SyncDeactivate its resident pages move to
// the inactive queue; otherwise the dirty pages of a pager-backed object
// are written to their pager (SyncSynchronous or SyncAsynchronous) and
// with SyncInvalidate the object's pages are then freed (without either,
// SyncInvalidate discards dirty data unwritten, as XNU's
// MEMORY_OBJECT_RETURN_NONE does). Anonymous memory has nothing to
// write. An asynchronous sync is done synchronously: the pager is called
// with the vm lock held and has written the data when Msync returns,
// which satisfies every promise VM_SYNC_ASYNCHRONOUS makes.
func (m *Map) Msync(addr VAddr, size uint64, flags SyncFlags) error {
	if size == 0 {
		return nil
	}
	if flags&SyncSynchronous != 0 && flags&SyncAsynchronous != 0 {
		return KernInvalidArgument
	}
	r, err := m.sanitizeRange(uint64(addr), size, callerMsync, zeroSucceeds)
	if err != nil || r.done {
		return err
	}
	m.sys.mu.Lock()
	defer m.sys.mu.Unlock()
	return m.msync(r.start, r.end, flags)
}

// msync is the walk of vm_map_msync over the page range [start, end).
func (m *Map) msync(start, end VAddr, flags SyncFlags) error {
	hole := false
	for va := start; va < end; {
		e, ok := m.lookup(va)
		if !ok {
			hole = true
			if flags&SyncKillPages != 0 || e.next == &m.header {
				break
			}
			va = e.next.start
			continue
		}
		t := min(end, e.end)
		switch {
		case e.submap != nil:
			s, u := clampToEntry(e, va, t)
			if e.submap.msync(s, u, flags) == KernInvalidAddress {
				hole = true
			}
		case e.object != nil:
			m.sys.syncEntry(e, e.offset+uint64(va-e.start), uint64(t-va), flags)
		}
		va = t
	}
	if hole && flags&SyncContiguous != 0 {
		return KernInvalidAddress
	}
	return nil
}

// syncEntry applies msync's flags to [off, off+n) of the object of e.
func (s *System) syncEntry(e *Entry, off, n uint64, flags SyncFlags) {
	o := e.object
	if flags&(SyncKillPages|SyncDeactivate) != 0 {
		if flags&SyncKillPages != 0 {
			if o.refs != 1 || o.shadow != nil {
				return // shared, or a copy of something: left alone
			}
			s.killPages(o, off, n, false)
			return
		}
		s.deactivateObjectRange(o, off, n)
		return
	}
	if o.internal || o.pager == nil || flags&(SyncSynchronous|SyncAsynchronous|SyncInvalidate) == 0 {
		return
	}
	s.syncObject(o, off, n, flags)
}

// deactivateObjectRange moves the resident pages holding [off, off+n) of
// o's chain to the inactive queue and clears their referenced state
// (vm_object_deactivate_pages without kill).
func (s *System) deactivateObjectRange(o *Object, off, n uint64) {
	for at := off; at < off+n; at += pmap.PageSize {
		x, xo := o, at
		for x != nil {
			if p := x.lookup(xo); p != nil {
				if p.wireCount == 0 && !p.busy && !p.laundry {
					s.pmap.ClearReference(p.pa)
					p.reference = false
					s.pool.deactivate(p)
				}
				break
			}
			xo += x.shadowOffset
			x = x.shadow
		}
	}
}

// syncObject writes the dirty resident pages of [off, off+n) of a
// pager-backed object to its pager (with SyncSynchronous or
// SyncAsynchronous) and with SyncInvalidate frees its pages after
// (vm_object_sync).
func (s *System) syncObject(o *Object, off, n uint64, flags SyncFlags) {
	write := flags&(SyncSynchronous|SyncAsynchronous) != 0
	flush := flags&SyncInvalidate != 0
	for at := off; at < off+n; at += pmap.PageSize {
		p := o.lookup(at)
		if p == nil || p.busy || p.wireCount > 0 {
			continue
		}
		if flush {
			s.pmap.PageProtect(p.pa, pmap.ProtNone)
		} else {
			s.pmap.PageProtect(p.pa, ProtRead|ProtExecute)
		}
		if s.pmap.IsModified(p.pa) {
			p.dirty = true
		}
		if write && p.dirty && !s.launder(p) {
			continue
		}
		if flush {
			s.freePage(p)
		}
	}
}

// MachineAttribute is vm_machine_attribute (mach_vm_machine_attribute).
// In XNU's order (osfmk/vm/vm_user.c, osfmk/vm/vm_map.c
// vm_map_machine_attribute):
//
//   - size 0 succeeds;
//   - a range that wraps: KERN_INVALID_ARGUMENT; whose end rounds past the
//     last page: KERN_INVALID_ADDRESS;
//   - a range below the map's minimum or above its maximum:
//     KERN_INVALID_ADDRESS;
//   - an attribute other than MattrCache: KERN_INVALID_ADDRESS, the
//     answer of XNU's pmap_attribute on both arm64 and x86;
//   - MattrCache: the caches are maintained for every resident page of
//     the range (found along the shadow chains, none brought in):
//     MattrValDCacheFlush cleans and invalidates the data cache,
//     MattrValICacheFlush and MattrValCacheSync make instruction fetch see
//     the data written, every other value (flush, get, on, off, ...) does
//     both, as XNU's arm64 pmap_attribute_cache_sync does whatever the
//     value (pmap.System.SyncCache); a hole in the range stops the walk
//     with KERN_FAILURE.
//
// The value is returned unchanged, as XNU leaves it. On amd64 SyncCache
// has nothing to do (docs/vm-conformance.md); XNU's x86 pmap answers
// KERN_INVALID_ADDRESS instead, a stub, where tamach succeeds.
func (m *Map) MachineAttribute(addr VAddr, size uint64, attr MachineAttribute, val MachineAttributeVal) (MachineAttributeVal, error) {
	if size == 0 {
		return val, nil
	}
	r, err := m.sanitizeRange(uint64(addr), size, callerMachineAttribute, zeroSucceeds)
	if err != nil || r.done {
		return val, err
	}
	if r.start < m.min || r.end > m.max {
		return val, KernInvalidAddress
	}
	if attr != MattrCache {
		return val, KernInvalidAddress
	}
	m.sys.mu.Lock()
	defer m.sys.mu.Unlock()
	return val, m.syncCaches(r.start, r.end, cacheOp(val))
}

// cacheOp is the cache maintenance a MATTR_CACHE value asks for.
func cacheOp(val MachineAttributeVal) pmap.CacheOp {
	switch val {
	case MattrValDCacheFlush:
		return pmap.CacheFlushData
	case MattrValICacheFlush, MattrValCacheSync:
		return pmap.CacheSyncInstructions
	}
	return pmap.CacheFlushAll
}

// syncCaches maintains the caches for the resident pages of [start, end)
// of m, descending into submaps; a hole is KERN_FAILURE.
func (m *Map) syncCaches(start, end VAddr, op pmap.CacheOp) error {
	for va := start; va < end; {
		e, ok := m.lookup(va)
		if !ok {
			return KernFailure
		}
		t := min(end, e.end)
		switch {
		case e.submap != nil:
			s, u := clampToEntry(e, va, t)
			_ = e.submap.syncCaches(s, u, op) // XNU ignores a submap's result
		case e.object != nil:
			for at := va; at < t; at += pmap.PageSize {
				if p := e.object.residentInChain(e.offset + uint64(at-e.start)); p != nil {
					m.sys.pmap.SyncCache(p.pa, pmap.PageSize, op)
				}
			}
		}
		va = t
	}
	return nil
}

// residentInChain returns the resident page holding offset off of o's
// shadow chain, or nil; it brings nothing in.
func (o *Object) residentInChain(off uint64) *Page {
	for ; o != nil; o = o.shadow {
		if p := o.lookup(off); p != nil {
			return p
		}
		off += o.shadowOffset
	}
	return nil
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
