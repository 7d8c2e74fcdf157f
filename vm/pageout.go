package vm

import (
	"fmt"

	"github.com/tamach/tamach/pmap"
)

// Pageout (Mach's vm_pageout), the mechanism: keep enough frames free by
// taking resident pages away from their objects. Which pages go, and how
// many frames to keep free, is the pageout policy's choice
// (pageout_policy.go, PageoutPolicy; SecondChance by default); this file
// runs it and carries out its decisions.
//
// Queues. Every unwired resident page is on the active or the inactive
// queue. A page enters the active queue at the tail when it is filled
// (zero, copy or page-in) and whenever a fault touches it while inactive
// (a reactivation). Wired, busy (being filled, or held by a caller copying
// from it) and laundering pages are on no queue. The policy sees and moves
// pages only through PageQueues.
//
// When. allocPage calls pageoutIfLow before it takes a frame. On one CPU
// the simplest daemon is no thread at all: below FreeMin, or with nothing
// free, the allocation runs the scan itself, with the vm lock held, until
// FreeTarget frames are free, and fails with KERN_RESOURCE_SHORTAGE only
// when the scan could not free a single frame. Below FreeTarget it lets
// the policy age pages (Balance) and wakes RunPageoutDaemon, which a
// kernel may run in a goroutine so that faults rarely have to scan.
//
// The scan. Each step calls the policy's Balance and then ScanOne, until
// enough frames are free, ScanOne finds nothing to look at, or
// 2×(pageable pages)+1 steps are done: a scan ends even when nothing can
// be freed (every page referenced, the store full), so a failing
// allocation costs one bounded scan and never loops.
//
// Eviction (evict). A page is unmapped everywhere first
// (PageProtect(ProtNone), so no new reference or write can slip in), then
// freed if clean, or laundered if dirty (modified per the pmap or per the
// vm): its data goes to its object's pager — an internal object gets the
// default pager now, lazily, as in Mach — and the page is freed, its
// offset "paged out". A page the pager refuses (store full, I/O error)
// stays resident and dirty and goes back to the active queue; after the
// default pager refused one, the rest of the scan spares anonymous dirty
// pages, which would fail the same way. Busy, laundering and wired pages
// are never evicted.

// pageoutState is pageout's part of a System.
type pageoutState struct {
	policy  PageoutPolicy  // (C) chooses the pages to take
	targets PageoutTargets // (P) free-page thresholds in force
	running bool           // (P) a scan is in progress (no re-entry)
	wake    chan struct{}  // (P) wakes RunPageoutDaemon; nil without one
	queues  PageQueues     // (P) the policy's view, reused: paging allocates nothing
}

// initPageout installs policy (SecondChance if nil) and its thresholds
// for the pool. It returns KERN_INVALID_ARGUMENT if the policy's
// thresholds do not suit the pool.
func (s *System) initPageout(policy PageoutPolicy) error {
	if policy == nil {
		policy = SecondChance{}
	}
	t := policy.Targets(len(s.pool.pages))
	if !t.valid(len(s.pool.pages)) {
		return KernInvalidArgument
	}
	s.pageout.policy, s.pageout.targets = policy, t
	return nil
}

// PageoutTargets reports the thresholds in force.
func (s *System) PageoutTargets() PageoutTargets {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pageout.targets
}

// SetPageoutTargets replaces the thresholds the policy chose. It returns
// KERN_INVALID_ARGUMENT unless 0 <= FreeMin <= FreeTarget < pool frames.
func (s *System) SetPageoutTargets(t PageoutTargets) error {
	if !t.valid(len(s.pool.pages)) {
		return KernInvalidArgument
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pageout.targets = t
	return nil
}

// SetDefaultPager installs (or, with nil, removes) the function that makes
// the pager of an internal object when its first dirty page must leave
// RAM: vm.Config.DefaultPager for a kernel that finds its paging disk
// after the vm system is running. Objects already paged out keep their
// pager.
func (s *System) SetDefaultPager(f func() Pager) {
	s.mu.Lock()
	s.defaultPager = f
	s.mu.Unlock()
}

// pageoutIfLow is called by allocPage before it takes a frame: below
// FreeMin (or with nothing free) it runs the scan until FreeTarget frames
// are free; below FreeTarget it lets the policy age pages and wakes the
// daemon, if there is one.
// Precondition: s.mu held.
func (s *System) pageoutIfLow() {
	t, free := s.pageout.targets, s.pool.free.n
	switch {
	case free == 0 || free < t.FreeMin:
		s.scan(max(t.FreeTarget-free, 1), true)
	case free < t.FreeTarget:
		// Age pages ahead of the scan, so that a page it considers
		// was deactivated earlier and had time to be referenced.
		s.pageout.policy.Balance(s.queues(false))
		s.wakeDaemon()
	}
}

// wakeDaemon wakes RunPageoutDaemon if there is one.
func (s *System) wakeDaemon() {
	if s.pageout.wake == nil {
		return
	}
	select {
	case s.pageout.wake <- struct{}{}:
	default:
	}
}

// RunPageoutDaemon is the body of a pageout thread (vm_pageout): it waits
// for allocPage to report the free count below FreeTarget and then frees
// frames up to FreeTarget, until stop is closed. Run at most one per
// System; it is optional (allocPage pages out synchronously below
// FreeMin).
func (s *System) RunPageoutDaemon(stop <-chan struct{}) {
	s.mu.Lock()
	if s.pageout.wake == nil {
		s.pageout.wake = make(chan struct{}, 1)
	}
	wake := s.pageout.wake
	s.mu.Unlock()
	for {
		select {
		case <-stop:
			return
		case <-wake:
		}
		s.mu.Lock()
		if want := s.pageout.targets.FreeTarget - s.pool.free.n; want > 0 {
			s.scan(want, true)
		}
		s.mu.Unlock()
	}
}

// Reclaim runs the pageout scan until target pages have been freed or no
// candidate is left, and reports how many it freed. With dirty false only
// clean pages are freed (no pager is written); with dirty true, dirty
// pages are laundered too.
func (s *System) Reclaim(target int, dirty bool) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.scan(target, dirty)
}

// ReclaimAll forces every unwired resident page out of memory, ignoring
// reference bits; pages whose data cannot be written anywhere (no default
// pager, store full, I/O error) stay resident. It reports the pages freed.
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
			n += s.evict(p, dirty)
		}
	}
	return n
}

// scan is vm_pageout_scan: it frees up to want frames, as the policy
// chooses them, and reports how many it freed. With dirty false only
// clean pages are freed. Precondition: s.mu held.
func (s *System) scan(want int, dirty bool) int {
	if s.pageout.running || want <= 0 {
		return 0
	}
	s.pageout.running = true
	defer func() { s.pageout.running = false }()
	q, policy := s.queues(dirty), s.pageout.policy
	for budget := 2*(s.pool.active.n+s.pool.inactive.n) + 1; q.freed < want && budget > 0; budget-- {
		policy.Balance(q)
		if !policy.ScanOne(q) {
			break
		}
	}
	return q.freed
}

// PageQueues is what a pageout policy sees of the page queues, and all it
// can do to them: the active and the inactive queue of unwired resident
// pages, each in the order pages entered it (front: the longest there),
// with methods to look at their fronts, move a page to the tail of either,
// read and clear a page's referenced bit, and evict a page. Every method
// ignores a page on neither queue (freed, wired or being filled since the
// policy saw it), and Evict frees only what may be freed, so a policy
// cannot lose data or corrupt the queues. A PageQueues is valid only
// during the policy call it is passed to.
type PageQueues struct {
	sys       *System
	dirty     bool // Evict may launder dirty pages
	anonymous bool // ... of internal objects too (until the default pager refuses one)
	freed     int  // pages Evict freed in this scan
}

// queues readies the view handed to the policy for a scan (with dirty:
// dirty pages may be laundered) or for ageing. Precondition: s.mu held.
func (s *System) queues(dirty bool) *PageQueues {
	q := &s.pageout.queues
	*q = PageQueues{sys: s, dirty: dirty, anonymous: dirty}
	return q
}

// queued reports whether p is on the active or the inactive queue.
func queued(p *Page) bool {
	return p != nil && (p.queue == queueActive || p.queue == queueInactive)
}

// ActiveLen reports the number of pages on the active queue.
func (q *PageQueues) ActiveLen() int { return q.sys.pool.active.n }

// InactiveLen reports the number of pages on the inactive queue.
func (q *PageQueues) InactiveLen() int { return q.sys.pool.inactive.n }

// ActiveFront returns the page at the front of the active queue, or nil.
func (q *PageQueues) ActiveFront() *Page { return q.sys.pool.active.front() }

// InactiveFront returns the page at the front of the inactive queue, or
// nil.
func (q *PageQueues) InactiveFront() *Page { return q.sys.pool.inactive.front() }

// Activate moves p to the tail of the active queue. Taking a page off the
// inactive queue counts as a reactivation.
func (q *PageQueues) Activate(p *Page) {
	if !queued(p) {
		return
	}
	if p.queue == queueInactive {
		q.sys.stats.Reactivations++
	}
	q.sys.pool.enqueue(p, queueActive)
}

// Deactivate moves p to the tail of the inactive queue and clears its
// referenced bit in every pmap (ClearReference), so that Referenced
// reports a reference made from now on. A busy page (held by a caller
// copying from it) is no candidate: it goes to the tail of the active
// queue instead.
func (q *PageQueues) Deactivate(p *Page) {
	if !queued(p) {
		return
	}
	if p.busy {
		q.sys.pool.enqueue(p, queueActive)
		return
	}
	p.reference = false
	q.sys.pmap.ClearReference(p.pa)
	q.sys.pool.enqueue(p, queueInactive)
}

// Referenced reports whether p was referenced (through any pmap, or by a
// fault) since its bit was last cleared, and clears it. It reports false
// for a busy page, whose bit it leaves alone.
func (q *PageQueues) Referenced(p *Page) bool {
	if !queued(p) || p.busy {
		return false
	}
	return q.sys.referenced(p)
}

// Evict takes p out of memory if it can (see evict): it reports whether p
// was freed. A page it cannot free (busy, dirty when the scan may not
// launder, refused by its pager) stays resident and goes to the tail of
// the active queue.
func (q *PageQueues) Evict(p *Page) bool {
	if !queued(p) {
		return false
	}
	if p.busy {
		// Held by a caller (allocPageHolding): not a candidate, and
		// activate would clear busy.
		q.sys.pool.enqueue(p, queueActive)
		return false
	}
	s, internal, refused := q.sys, p.object.internal, q.sys.stats.PageoutErrors
	if n := s.evict(p, q.dirty && (q.anonymous || !internal)); n > 0 {
		q.freed += n
		return true
	}
	if internal && s.stats.PageoutErrors != refused {
		// The default pager refused (store full, disk error): spare
		// it the other anonymous pages of this scan, which would
		// fail the same way.
		q.anonymous = false
	}
	s.pool.activate(p)
	return false
}

// referenced gathers the reference state of p from the pmap and clears it.
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
// it if dirty (and dirty pages are allowed), and frees it; a page of a
// volatile object takes its whole object with it (purge). It reports the
// pages freed (0 if p stays; a purge may free several). A page it cannot
// free stays resident, dirty if it was, unmapped (the next access faults it
// back in place).
func (s *System) evict(p *Page, dirty bool) int {
	if p.busy || p.laundry || p.wireCount > 0 || p.object == nil {
		return 0
	}
	o := p.object
	if o.purgable == PurgableVolatile {
		// A volatile object is purged whole, not paged out: its
		// pages and its paged-out data go, and it is empty
		// (XNU's pageout purges volatile objects whole,
		// vm_purgeable_object_purge_one). A page-in of it that
		// this scan runs in finds its data gone (pageIn).
		n := s.purge(o)
		s.stats.Reclaims += uint64(n)
		return n
	}
	s.pmap.PageProtect(p.pa, pmap.ProtNone)
	if s.pmap.IsModified(p.pa) {
		p.dirty = true
	}
	if p.dirty {
		if !dirty || !s.launder(p) {
			return 0
		}
	}
	s.stats.Reclaims++
	if p.reusable {
		s.stats.ReusableReclaimed++
	}
	s.freePage(p)
	return 1
}

// launder performs the inactive → laundering → (clean) transition: it
// returns the data of the dirty page p to its object's pager, giving an
// internal object the default pager first if it has none. It reports
// whether the pager took the data; if not (no pager, store full, I/O
// error), p stays dirty and the failure is counted.
func (s *System) launder(p *Page) bool {
	// LAB pager: begin
	o := p.object
	if !o.ensurePager() {
		return false
	}
	p.laundry = true
	err := o.pager.DataReturn(p.offset, s.frame(p))
	p.laundry = false
	if err != nil {
		s.stats.PageoutErrors++
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
	// LAB pager: stub
	// panic("lab pager: not implemented: launder")
	// LAB pager: end
}

// pagerContents is implemented by pagers that can say which offsets they
// hold (the default pager); CheckPagers uses it.
type pagerContents interface {
	Has(offset uint64) bool
	Slots() int
}

// CheckPagers verifies that the pager of every internal object holds
// exactly the offsets the object records as paged out: no datum lost, no
// slot leaked. Pagers that cannot list their contents are skipped.
func (s *System) CheckPagers() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for o := range s.objects {
		if !o.internal {
			continue
		}
		if o.pager == nil {
			if len(o.pagedOut) != 0 {
				return fmt.Errorf("vm: object %d has %d paged-out offsets and no pager", o.id, len(o.pagedOut))
			}
			continue
		}
		pc, ok := o.pager.(pagerContents)
		if !ok {
			continue
		}
		for off := range o.pagedOut {
			if !pc.Has(off) {
				return fmt.Errorf("vm: object %d: offset %#x paged out, its pager has no data", o.id, off)
			}
		}
		if n := pc.Slots(); n != len(o.pagedOut) {
			return fmt.Errorf("vm: object %d: pager holds %d pages, %d paged out", o.id, n, len(o.pagedOut))
		}
	}
	return nil
}

// discardPagedOut drops the data an internal object's pager holds (a
// purge): its pager is terminated, freeing its slots, and the object has
// no paged-out offset left; the next pageout gives it a new pager.
func (o *Object) discardPagedOut() {
	if !o.internal || o.pager == nil {
		return
	}
	o.pager.Terminate()
	o.pager, o.pagedOut = nil, nil
}
