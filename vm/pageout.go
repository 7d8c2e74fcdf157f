package vm

import "github.com/tamach/tamach/pmap"

// Pageout (Mach's vm_pageout): a second-chance scan that keeps the inactive
// queue filled from the active one and frees inactive pages that were not
// referenced since they were deactivated. A clean page is simply freed (its
// data is in its pager, or it is a page of an external object never
// written); a dirty page is laundered: written to its object's pager (for an
// internal object, the default pager, created on first need) and then
// freed, leaving its offset "paged out".

// reclaimBatch is how many pages a fault asks pageout for when the free
// queue is empty.
const reclaimBatch = 32

// Reclaim runs pageout until target pages have been freed or no candidate
// is left, and reports how many it freed. With dirty false only clean pages
// are freed (no pager is written); with dirty true, dirty pages are
// laundered too.
func (s *System) Reclaim(target int, dirty bool) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reclaim(target, dirty)
}

// ReclaimAll forces every unwired resident page out of memory, ignoring
// reference bits; dirty pages of objects without a pager stay resident
// when no default pager is configured. It reports the pages freed.
func (s *System) ReclaimAll(dirty bool) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, l := range []*pageList{&s.pool.active, &s.pool.inactive} {
		var victims []*Page
		for p := l.front(); p != nil && p != &l.head; p = p.next {
			victims = append(victims, p)
		}
		for _, p := range victims {
			if s.evict(p, dirty) {
				n++
			}
		}
	}
	return n
}

// reclaim is Reclaim with the lock held.
func (s *System) reclaim(target int, dirty bool) int {
	freed := 0
	for scanned := 0; freed < target && scanned < 2*len(s.pool.pages); scanned++ {
		s.refillInactive(target)
		p := s.pool.inactive.front()
		if p == nil {
			break
		}
		if s.referenced(p) {
			s.pool.activate(p)
			s.stats.Reactivations++
			continue
		}
		if s.evict(p, dirty) {
			freed++
		} else {
			s.pool.activate(p)
		}
	}
	return freed
}

// refillInactive moves pages from the head of the active queue to the
// inactive queue, clearing their reference bits (the active → inactive
// transition), until the inactive queue holds want pages.
func (s *System) refillInactive(want int) {
	for s.pool.inactive.n < want {
		p := s.pool.active.front()
		if p == nil {
			return
		}
		p.reference = false
		s.pmap.ClearReference(p.pa)
		s.pool.deactivate(p)
	}
}

// referenced gathers the reference state of p from the pmap.
func (s *System) referenced(p *Page) bool {
	if s.pmap.IsReferenced(p.pa) {
		p.reference = true
	}
	r := p.reference
	p.reference = false
	s.pmap.ClearReference(p.pa)
	return r
}

// evict removes p from memory if it can: it unmaps it everywhere, launders
// it if dirty (and dirty pages are allowed), and frees it. It reports
// whether the page was freed.
func (s *System) evict(p *Page, dirty bool) bool {
	if p.busy || p.wireCount > 0 || p.object == nil {
		return false
	}
	o := p.object
	s.pmap.PageProtect(p.pa, pmap.ProtNone)
	if s.pmap.IsModified(p.pa) {
		p.dirty = true
	}
	if p.dirty && o.internal && o.purgable == PurgableVolatile {
		p.dirty = false
	}
	if p.dirty {
		if !dirty || !s.launder(p) {
			return false
		}
	}
	s.stats.Reclaims++
	s.freePage(p)
	return true
}

// launder performs the inactive → laundering → free transition's first
// half: it returns the data of the dirty page p to its object's pager.
func (s *System) launder(p *Page) bool {
	o := p.object
	if o.pager == nil {
		if !o.internal || s.defaultPager == nil {
			return false
		}
		o.pager = s.defaultPager()
		o.pager.Init(o.size)
	}
	p.laundry = true
	err := o.pager.DataReturn(p.offset, s.frame(p))
	p.laundry = false
	if err != nil {
		return false
	}
	if o.internal {
		if o.pagedOut == nil {
			o.pagedOut = map[uint64]bool{}
		}
		o.pagedOut[p.offset] = true
	}
	p.dirty = false
	s.pmap.ClearModify(p.pa)
	s.stats.Pageouts++
	return true
}
