package vm

import "github.com/tamach/tamach/pmap"

// Page queries: vm_map_page_query, mach_vm_page_info and
// mach_vm_page_range_query, all built on one walk as XNU builds them on
// vm_map_page_range_info_internal (osfmk/vm/vm_map.c, osfmk/vm/vm_user.c).
// They look, and never bring a page in.

// PageInfo is vm_page_info_basic: what mach_vm_page_info reports of one
// page.
type PageInfo struct {
	Disposition PageQuery // VM_PAGE_QUERY_* bits
	RefCount    int       // references to the entry's (top) object
	ObjectID    uint64    // the object the walk stopped in (the page's, or the bottom of the chain)
	Offset      uint64    // offset of the page in that object
	Depth       int       // objects below the top one the walk went through
}

// PageQuery is vm_map_page_query (mach_vm_page_query): the disposition of
// the page holding addr and the reference count of the entry's object.
// An unmapped address, or memory never touched, answers 0, 0 and
// KERN_SUCCESS, as XNU's does; an address in the last page of the address
// space, whose page end wraps, is KERN_INVALID_ADDRESS.
func (m *Map) PageQuery(addr VAddr) (PageQuery, int, error) {
	pi, err := m.PageInfo(addr, PageInfoBasic)
	return pi.Disposition, pi.RefCount, err
}

// PageInfo is mach_vm_page_info: VM_PAGE_INFO_BASIC (the only flavor;
// another is KERN_INVALID_ARGUMENT) of the page holding addr. It answers
// as PageQuery does for an unmapped address or an address in the last
// page. XNU also checks the info count; the Go API has none.
func (m *Map) PageInfo(addr VAddr, flavor PageInfoFlavor) (PageInfo, error) {
	if flavor != PageInfoBasic {
		return PageInfo{}, KernInvalidArgument
	}
	r, err := m.sanitizeRange(uint64(addr), 1, callerPageRangeInfo, 0)
	if err != nil {
		return PageInfo{}, err
	}
	m.sys.mu.Lock()
	defer m.sys.mu.Unlock()
	pi := m.pageInfo(r.start)
	pi.Offset += uint64(addr & pmap.PageMask)
	return pi, nil
}

// PageRangeQuery is mach_vm_page_range_query: it stores the disposition
// of each page of the page range covering [addr, addr+size) in
// dispositions, at most len(dispositions) of them, and returns how many
// it stored. As in XNU, size 0 or an empty dispositions slice succeeds at
// once, storing nothing; a range that wraps or whose end rounds past the
// last page is KERN_INVALID_ARGUMENT (this call has no historical code to
// keep); unmapped pages, inside the map or not, answer 0. The range is
// walked MaxPageRangeQuery bytes at a time, as XNU does. (XNU's
// dispositions_addr/count overflow check, KERN_INVALID_ARGUMENT, belongs
// to the trap that copies the slice out.)
func (m *Map) PageRangeQuery(addr VAddr, size uint64, dispositions []PageQuery) (int, error) {
	r, err := m.sanitizeRange(uint64(addr), size, callerNone, 0)
	if err != nil {
		return 0, err
	}
	if len(dispositions) == 0 || r.start == r.end {
		return 0, nil
	}
	m.sys.mu.Lock()
	defer m.sys.mu.Unlock()
	n := 0
	for va := r.start; va < r.end && n < len(dispositions); va += pmap.PageSize {
		dispositions[n] = m.pageInfo(va).Disposition
		n++
	}
	return n, nil
}

// pageInfo is one page of vm_map_page_range_info_internal: descend into
// submaps, then walk the entry's object chain until the page is found
// resident (PRESENT, with DIRTY, REF and REUSABLE from the page), or
// paged out by an anonymous object (PAGED_OUT), or the chain ends.
// COPIED means the walk stopped in the top object and that object shadows
// another: the page was copied there; EXTERNAL that the object where it
// stopped has a pager of its own (a file, an image).
func (m *Map) pageInfo(va VAddr) PageInfo {
	e, ok := m.lookup(va)
	for ok && e.submap != nil {
		va = VAddr(e.offset) + (va - e.start)
		e, ok = e.submap.lookup(va)
	}
	if !ok || e.object == nil {
		return PageInfo{}
	}
	top := e.object
	off := e.offset + uint64(va-e.start)
	pi := PageInfo{RefCount: top.refs}
	o := top
	var p *Page
	for {
		if p = o.lookup(off); p != nil {
			pi.Disposition |= PageQueryPresent
			break
		}
		if o.internal && o.pagedOut[off] {
			pi.Disposition |= PageQueryPagedOut
			break
		}
		if o.shadow == nil {
			break
		}
		off += o.shadowOffset
		o = o.shadow
		pi.Depth++
	}
	if o == top && o.shadow != nil {
		pi.Disposition |= PageQueryCopied
	}
	if !o.internal {
		pi.Disposition |= PageQueryExternal
	}
	if p != nil {
		if p.dirty || m.sys.pmap.IsModified(p.pa) {
			pi.Disposition |= PageQueryDirty
		}
		if p.reference || m.sys.pmap.IsReferenced(p.pa) {
			pi.Disposition |= PageQueryRef
		}
		if p.reusable {
			pi.Disposition |= PageQueryReusable
		}
	}
	pi.ObjectID, pi.Offset = o.id, off
	return pi
}
