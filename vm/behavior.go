package vm

import "github.com/tamach/tamach/pmap"

// The immediate behaviors of vm_behavior_set that act on the contents of
// a range: reusable, reuse, can-reuse (malloc's way of telling the VM
// that freed memory need not be kept) and zero. They follow
// osfmk/vm/vm_map.c vm_map_reusable_pages, vm_map_reuse_pages,
// vm_map_can_reuse and vm_map_zero, and osfmk/vm/vm_object.c
// vm_object_deactivate_pages and vm_object_reuse_pages.
//
// A reusable page holds data its owner no longer needs: it is clean as far
// as the VM is concerned (its dirty state is cleared and its pager copy
// dropped), so pageout frees it without writing it anywhere, after which
// the offset reads as zeros; until then the data may still be there. The
// owner says "reuse" before it uses the range again; a fault on a reusable
// page also makes it in use again. Statistics count the calls and pages as
// XNU's vm_page_stats_reusable does.

// Alias tags of malloc's regions (osfmk/mach/vm_statistics.h VM_MEMORY_*).
const (
	aliasMalloc              = 1
	aliasMallocSmall         = 2
	aliasMallocLarge         = 3
	aliasRealloc             = 6
	aliasMallocTiny          = 7
	aliasMallocLargeReusable = 8
	aliasMallocLargeReused   = 9
)

// reusable reports whether e's pages may be made reusable
// (vm_map_entry_is_reusable): an entry that is not malloc's always is;
// a malloc entry must be plain anonymous memory with the default
// attributes, unwired, its object neither shadowing nor copied.
func (e *Entry) reusable() bool {
	if e.submap != nil {
		return false
	}
	switch e.alias {
	case aliasMalloc, aliasMallocSmall, aliasMallocLarge, aliasRealloc, aliasMallocTiny,
		aliasMallocLargeReusable, aliasMallocLargeReused:
	default:
		return true
	}
	if e.inTransition || e.prot != ProtDefault || e.maxProt != ProtAll || e.inherit != InheritDefault ||
		e.zeroWired || e.wired() {
		return false
	}
	o := e.object
	return o == nil || o.copy == nil && o.shadow == nil && o.internal && o.purgable == PurgableDeny
}

// reusablePages is vm_map_reusable_pages: [start, end) must be mapped
// without holes and reusable (KERN_INVALID_ADDRESS) and writable
// (KERN_PROTECTION_FAILURE); the resident pages of each entry whose object
// no one else references become reusable. Pages of an object shared with
// others are left alone (counted in ReusablePagesShared).
func (m *Map) reusablePages(start, end VAddr) error {
	st := &m.sys.stats
	if !m.rangeCheck(start, end) {
		st.ReusablePagesFailure++
		return KernInvalidAddress
	}
	var err error
	m.entriesIn(start, end, func(e *Entry) bool {
		switch {
		case !e.reusable():
			err = KernInvalidAddress
		case !e.prot.Allows(ProtWrite):
			st.ReusableNonwritable++
			err = KernProtectionFailure
		}
		return err == nil
	})
	if err != nil {
		st.ReusablePagesFailure++
		return err
	}
	m.entriesIn(start, end, func(e *Entry) bool {
		o := e.object
		if o == nil {
			return true
		}
		s, t := max(start, e.start), min(end, e.end)
		if o.refs != 1 || o.shadow != nil {
			st.ReusablePagesShared++
			return true
		}
		m.sys.killPages(o, e.offset+uint64(s-e.start), uint64(t-s), true)
		switch e.alias {
		case aliasMallocLarge, aliasMallocLargeReused:
			e.alias = aliasMallocLargeReusable
		}
		return true
	})
	st.ReusablePagesSuccess++
	return nil
}

// reusePages is vm_map_reuse_pages: the reusable pages of [start, end)
// are in use again. The range must be mapped without holes and reusable
// (KERN_INVALID_ADDRESS).
func (m *Map) reusePages(start, end VAddr) error {
	st := &m.sys.stats
	if !m.rangeCheck(start, end) {
		st.ReusePagesFailure++
		return KernInvalidAddress
	}
	ok := true
	m.entriesIn(start, end, func(e *Entry) bool { ok = e.reusable(); return ok })
	if !ok {
		st.ReusePagesFailure++
		return KernInvalidAddress
	}
	m.entriesIn(start, end, func(e *Entry) bool {
		if o := e.object; o != nil {
			s, t := max(start, e.start), min(end, e.end)
			off := e.offset + uint64(s-e.start)
			for at := off; at < off+uint64(t-s); at += pmap.PageSize {
				if p := o.lookup(at); p != nil {
					m.sys.reusePage(p)
				}
			}
		}
		if e.alias == aliasMallocLargeReusable {
			e.alias = aliasMallocLargeReused
		}
		return true
	})
	st.ReusePagesSuccess++
	return nil
}

// canReuse is vm_map_can_reuse: KERN_SUCCESS if [start, end) is mapped
// without holes and every entry of it could be made reusable,
// KERN_INVALID_ADDRESS otherwise. It changes nothing.
func (m *Map) canReuse(start, end VAddr) error {
	st := &m.sys.stats
	ok := m.rangeCheck(start, end)
	if ok {
		m.entriesIn(start, end, func(e *Entry) bool { ok = e.reusable(); return ok })
	}
	if !ok {
		st.CanReuseFailure++
		return KernInvalidAddress
	}
	st.CanReuseSuccess++
	return nil
}

// killPages discards the contents of [off, off+n) of the internal object
// o (vm_object_deactivate_pages with kill_page): each unwired, idle
// resident page is unmapped everywhere, marked clean and deactivated, or
// with reusable marked reusable; data the pager holds for those offsets
// is dropped. Without reusable (msync KILLPAGES, VM_BEHAVIOR_FREE) the
// pages are freed at once: the offsets read as zeros from now on, which
// XNU allows (its contents become undefined) and its madvise_free_debug
// mode does too. External objects keep their data: only their pages are
// deactivated.
func (s *System) killPages(o *Object, off, n uint64, reusable bool) {
	for at := off; at < off+n; at += pmap.PageSize {
		p := o.lookup(at)
		if p != nil && (p.wireCount > 0 || p.busy || p.laundry) {
			continue
		}
		if !o.internal {
			if p != nil {
				s.pool.deactivate(p)
			}
			continue
		}
		o.forgetPagedOut(at)
		if p == nil {
			continue
		}
		if !reusable {
			s.freePage(p)
			continue
		}
		s.pmap.PageProtect(p.pa, pmap.ProtNone)
		s.pmap.ClearModify(p.pa)
		s.pmap.ClearReference(p.pa)
		p.dirty, p.reference = false, false
		if !p.reusable {
			p.reusable = true
			s.stats.Reusable++
			s.stats.ReusableCount++
		}
		s.pool.deactivate(p)
	}
}

// forgetPagedOut drops the data the internal object o's pager holds at
// off from the object's view: the offset no longer has data there (it
// reads as zeros unless a resident page has it). The pager's slot is
// rewritten by the next pageout of that offset, or freed when the object
// terminates; the Pager interface has no per-offset discard.
func (o *Object) forgetPagedOut(off uint64) {
	delete(o.pagedOut, off)
}

// reusePage makes a reusable page in use again (VM_OBJECT_REUSE_PAGE).
func (s *System) reusePage(p *Page) {
	if p.reusable {
		p.reusable = false
		s.stats.Reused++
		s.stats.ReusableCount--
	}
}

// zeroRange is vm_map_zero: the range must be mapped without holes
// (KERN_INVALID_ADDRESS); each entry must be writable and not executable
// (KERN_PROTECTION_FAILURE) and neither need a copy nor be a submap
// (KERN_NO_ACCESS), and its object must be anonymous
// (KERN_PROTECTION_FAILURE) and neither shadow nor have a copy object
// (KERN_NO_ACCESS) (vm_map_zero_entry_preflight,
// vm_object_zero_preflight). Resident pages are zeroed in place, data
// held by the pager is dropped; no page is faulted in. Entries are
// checked and zeroed one after the other, as in XNU.
func (m *Map) zeroRange(start, end VAddr) error {
	if !m.rangeCheck(start, end) {
		return KernInvalidAddress
	}
	var err error
	m.entriesIn(start, end, func(e *Entry) bool {
		switch {
		case !e.prot.Allows(ProtWrite) || e.prot&ProtExecute != 0:
			err = KernProtectionFailure
		case e.needsCopy || e.submap != nil:
			err = KernNoAccess
		}
		o := e.object
		if err != nil || o == nil {
			return err == nil
		}
		switch {
		case !o.internal:
			err = KernProtectionFailure
		case o.shadow != nil || o.copy != nil:
			err = KernNoAccess
		}
		if err != nil {
			return false
		}
		s, t := max(start, e.start), min(end, e.end)
		off := e.offset + uint64(s-e.start)
		for at := off; at < off+uint64(t-s); at += pmap.PageSize {
			if p := o.lookup(at); p != nil && !p.busy {
				m.sys.pmap.ZeroPage(p.pa)
				p.dirty = true
			} else {
				o.forgetPagedOut(at)
			}
		}
		return true
	})
	return err
}
