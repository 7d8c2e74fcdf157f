package vm

import "github.com/tamach/tamach/pmap"

// The resident-page layer: the helpers that find the data of an object
// offset in a shadow chain, bring it into a resident page (page-in,
// zero-fill, copy), and hand frames out and back. The fault handler and
// the copy code both build on it, and the calls go one way only:
//
//	resident.go ← copy.go, copy_delay.go ← fault.go
//
// fault.go (vm_fault) calls copy_delay.go (pushCopy, installProt) and
// resident.go; copy.go and copy_delay.go call resident.go and each other,
// never fault.go; resident.go calls none of them (TestLayers checks it).
// Below resident.go are the objects (object.go), the page pool (page.go)
// and, when frames run short, pageout (pageout.go), which allocPage asks
// for free frames.

// chainPage returns the resident page holding the data at offset off of
// o's shadow chain, paging it in from the pager of the object that holds
// it, or nil if no object of the chain has data there (the offset reads
// as zeros). The page returned may belong to any object of the chain:
// callers that must write compare p.object with o. Each object looked at
// counts one Lookup, a resident page found one Hit (Mach's vm_fault_page
// walks the chain the same way, top to bottom).
func (s *System) chainPage(o *Object, off uint64) (*Page, error) {
	for ; o != nil; o = o.shadow {
		s.stats.Lookups++
		if p := o.lookup(off); p != nil {
			s.stats.Hits++
			return p, nil
		}
		if o.pagerHas(off) {
			return s.pageIn(o, off)
		}
		off += o.shadowOffset
	}
	return nil, nil
}

// pageIn reads the page at offset of o from o's pager. The page is clean
// and active; a pager error is KERN_MEMORY_ERROR (a *PageInError naming the
// pager), no frame KERN_RESOURCE_SHORTAGE.
func (s *System) pageIn(o *Object, offset uint64) (*Page, error) {
	p := s.allocPage(o, offset)
	if p == nil {
		return nil, KernResourceShortage
	}
	if !o.pagerHas(offset) {
		// The pageout the allocation ran purged o (a volatile
		// object): its data is gone, and the page is a zero page.
		s.pmap.ZeroPage(p.pa)
		p.dirty = true
		s.pool.activate(p)
		s.stats.ZeroFills++
		return p, nil
	}
	if err := o.pager.DataRequest(offset, s.frame(p)); err != nil {
		o.remove(p)
		s.pool.release(p)
		s.stats.PageinErrors++
		return nil, &PageInError{Pager: o.pager, Offset: offset, Err: err}
	}
	s.pmap.ClearModify(p.pa)
	p.dirty = false
	s.pool.activate(p)
	s.stats.Pageins++
	return p, nil
}

// zeroFill creates a zero page at offset of o: dirty (no pager has its
// data) and active.
func (s *System) zeroFill(o *Object, offset uint64) (*Page, error) {
	// LAB zero-fill: begin
	p := s.allocPage(o, offset)
	if p == nil {
		return nil, KernResourceShortage
	}
	s.pmap.ZeroPage(p.pa)
	p.dirty = true
	s.pool.activate(p)
	s.stats.ZeroFills++
	return p, nil
	// LAB zero-fill: stub
	// panic("lab zero-fill: not implemented: zeroFill")
	// LAB zero-fill: end
}

// copyPage creates a copy of src at offset of o: dirty and active. src is
// kept safe from the pageout the allocation may run. It is the copy of a
// copy-on-write fault, of a push into a copy object and of an eager copy.
func (s *System) copyPage(src *Page, o *Object, offset uint64) (*Page, error) {
	p := s.allocPageHolding(o, offset, src)
	if p == nil {
		return nil, KernResourceShortage
	}
	s.pmap.CopyPage(src.pa, p.pa)
	p.dirty = true
	s.pool.activate(p)
	return p, nil
}

// allocPage takes a free frame for object o at offset, reclaiming pages if
// none is free. The page is returned busy; the caller fills it and
// activates it. It returns nil when memory is exhausted.
func (s *System) allocPage(o *Object, offset uint64) *Page {
	s.pageoutIfLow()
	p := s.pool.alloc()
	if p == nil {
		return nil
	}
	// A free page is mapped nowhere and its referenced and modified
	// attributes are clear (freePage), so nothing is left of its last
	// use to reset here, on the fault path.
	o.insert(p, offset)
	return p
}

// allocPageHolding is allocPage while keeping hold (a page about to be
// copied) safe from the pageout allocPage may run.
func (s *System) allocPageHolding(o *Object, offset uint64, hold *Page) *Page {
	was := hold.busy
	hold.busy = true
	p := s.allocPage(o, offset)
	hold.busy = was
	return p
}

// freePage removes p from every pmap and from its object, and returns it to
// the free queue (vm_page_free) with its referenced and modified attributes
// clear: the pmap folded the last mappings' state into them as it removed
// them, and the page's next user must start from nothing.
func (s *System) freePage(p *Page) {
	if p.reusable {
		p.reusable = false
		s.stats.ReusableCount--
	}
	s.pmap.PageProtect(p.pa, pmap.ProtNone)
	s.pmap.ClearModify(p.pa)
	s.pmap.ClearReference(p.pa)
	if p.object != nil {
		p.object.remove(p)
	}
	s.pool.release(p)
}

// frame returns the bytes of p's frame.
func (s *System) frame(p *Page) *[pmap.PageSize]byte { return s.mem.Frame(p.pa) }
