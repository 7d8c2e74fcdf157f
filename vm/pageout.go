package vm

import (
	"fmt"

	"github.com/tamach/tamach/pmap"
)

// Pageout (Mach's vm_pageout): keep enough frames free by taking resident
// pages away from their objects.
//
// Queues. Every unwired resident page is on the active or the inactive
// queue. A page enters the active queue when it is filled (zero, copy or
// page-in) and whenever it is touched by a fault while inactive
// (reactivation). The scan keeps the inactive queue at about half of the
// pageable pages (XNU's VM_PAGE_INACTIVE_TARGET, avail/2) by moving pages
// from the head of the active queue to the tail of the inactive one,
// clearing their referenced bits in every pmap: that is the first chance.
//
// Second chance. The scan then takes inactive pages from the head. A page
// referenced since it was deactivated (pmap IsReferenced, or a fault's
// software bit) is reactivated. An unreferenced page is unmapped
// everywhere (PageProtect(ProtNone), so no new reference or write can
// slip in), then freed if clean, or laundered if dirty (modified per the
// pmap or per the vm): its data goes to its object's pager — an internal
// object gets the default pager now, lazily, as in Mach — and the page is
// freed, its offset "paged out". A page the pager refuses (store full,
// I/O error) stays resident and dirty and goes back to the active queue.
// Busy, laundering and wired pages are never on the queues, so they are
// never paged out.
//
// Thresholds (XNU osfmk/vm/vm_pageout.c, VM_PAGE_FREE_MIN and
// VM_PAGE_FREE_TARGET, both from the pool size):
//
//	FreeMin    = 10 + frames/100   allocation below it runs the scan
//	FreeTarget = 15 + frames/80    the scan stops when this many are free
//
// (each clamped to a quarter and a half of a small pool). On one CPU the
// simplest daemon is no thread at all: allocPage runs the scan
// synchronously, with the vm lock held, whenever the free count is below
// FreeMin or zero, and the faulting allocation fails with
// KERN_RESOURCE_SHORTAGE only when the scan could not free a single
// frame. A kernel may also start RunPageoutDaemon in a goroutine: it is
// woken when the free count drops below FreeTarget and works in the
// background so that faults rarely have to.
//
// Bounds. One scan looks at each pageable page at most twice (once on
// each queue), so it ends even when nothing can be freed (all pages
// referenced, the store full); a failing allocation therefore costs one
// bounded scan and never loops.

// PageoutTargets are the free-page thresholds of pageout.
type PageoutTargets struct {
	// FreeMin: an allocation that finds fewer free frames runs pageout
	// first.
	FreeMin int
	// FreeTarget: pageout, once running, frees frames until this many
	// are free.
	FreeTarget int
}

// The default thresholds: XNU's VM_PAGE_FREE_MIN(free) = 10 + free/100
// and VM_PAGE_FREE_TARGET(free) = 15 + free/80 (osfmk/vm/vm_pageout.c).
const (
	freeMinBase    = 10
	freeMinDiv     = 100
	freeTargetBase = 15
	freeTargetDiv  = 80
)

// defaultTargets computes the thresholds for a pool of frames frames.
func defaultTargets(frames int) PageoutTargets {
	t := PageoutTargets{FreeMin: freeMinBase + frames/freeMinDiv, FreeTarget: freeTargetBase + frames/freeTargetDiv}
	t.FreeTarget = min(t.FreeTarget, frames/2)
	t.FreeMin = min(t.FreeMin, frames/4, t.FreeTarget)
	return t
}

// pageoutState is pageout's part of a System.
type pageoutState struct {
	targets PageoutTargets // (P)
	set     bool           // (P) targets were set (else defaultTargets)
	running bool           // (P) a scan is in progress (no re-entry)
	wake    chan struct{}  // (P) wakes RunPageoutDaemon; nil without one
}

// PageoutTargets reports the thresholds in force.
func (s *System) PageoutTargets() PageoutTargets {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.targets()
}

// SetPageoutTargets replaces the thresholds. It returns
// KERN_INVALID_ARGUMENT unless 0 <= FreeMin <= FreeTarget < pool frames.
func (s *System) SetPageoutTargets(t PageoutTargets) error {
	if t.FreeMin < 0 || t.FreeMin > t.FreeTarget || t.FreeTarget >= len(s.pool.pages) {
		return KernInvalidArgument
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pageout.targets, s.pageout.set = t, true
	return nil
}

// targets returns the thresholds. Precondition: s.mu held.
func (s *System) targets() PageoutTargets {
	if !s.pageout.set {
		s.pageout.targets, s.pageout.set = defaultTargets(len(s.pool.pages)), true
	}
	return s.pageout.targets
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
// are free; below FreeTarget it refills the inactive queue and wakes the
// daemon, if there is one.
// Precondition: s.mu held.
func (s *System) pageoutIfLow() {
	t, free := s.targets(), s.pool.free.n
	switch {
	case free == 0 || free < t.FreeMin:
		s.scan(max(t.FreeTarget-free, 1), true)
	case free < t.FreeTarget:
		// Age pages ahead of the scan, so that a page it considers
		// was deactivated earlier and had time to be referenced.
		s.balanceQueues()
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
		if want := s.targets().FreeTarget - s.pool.free.n; want > 0 {
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
			if s.evict(p, dirty) {
				n++
			}
		}
	}
	return n
}

// scan is vm_pageout_scan: it frees up to want frames and reports how
// many it freed. After the default pager refuses a page, the scan frees
// only clean pages and pages of external objects. Precondition: s.mu
// held.
func (s *System) scan(want int, dirty bool) int {
	if s.pageout.running || want <= 0 {
		return 0
	}
	s.pageout.running = true
	defer func() { s.pageout.running = false }()
	freed, anonymous := 0, dirty
	budget := 2*(s.pool.active.n+s.pool.inactive.n) + 1
	for ; freed < want && budget > 0; budget-- {
		s.balanceQueues()
		p := s.pool.inactive.front()
		if p == nil {
			break
		}
		internal, refused := p.object != nil && p.object.internal, s.stats.PageoutErrors
		if s.considerInactive(p, dirty && (anonymous || !internal)) {
			freed++
		}
		if internal && s.stats.PageoutErrors != refused {
			// The default pager refused (store full, disk
			// error): spare it the other anonymous pages of
			// this scan, which would fail the same way.
			anonymous = false
		}
	}
	return freed
}

// balanceQueues moves pages from the head of the active queue to the
// inactive queue until the inactive queue holds half the pageable pages
// (XNU's VM_PAGE_INACTIVE_TARGET(avail) = avail/2), or at least one.
func (s *System) balanceQueues() {
	want := max((s.pool.active.n+s.pool.inactive.n)/2, 1)
	for look := s.pool.active.n; s.pool.inactive.n < want && look > 0; look-- {
		p := s.pool.active.front()
		if p.busy {
			s.pool.enqueue(p, queueActive) // held by a caller: skip it
			continue
		}
		s.deactivate(p)
	}
}

// deactivate performs active → inactive for pageout: the referenced bit is
// cleared in every pmap, so that a reference from now on gives the page
// its second chance.
func (s *System) deactivate(p *Page) {
	p.reference = false
	s.pmap.ClearReference(p.pa)
	s.pool.deactivate(p)
}

// considerInactive decides the fate of the inactive page at the head of
// the queue: reactivated if referenced, else evicted; a page that cannot
// be evicted, or is busy, goes back to the active queue. It reports
// whether p was freed.
func (s *System) considerInactive(p *Page, dirty bool) bool {
	if p.busy {
		// Held by a caller (allocPageHolding): not a candidate, and
		// activate would clear busy.
		s.pool.enqueue(p, queueActive)
		return false
	}
	if s.referenced(p) {
		s.pool.activate(p)
		s.stats.Reactivations++
		return false
	}
	if s.evict(p, dirty) {
		return true
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
// it if dirty (and dirty pages are allowed), and frees it. It reports
// whether the page was freed. A page it cannot free stays resident, dirty
// if it was, unmapped (the next access faults it back in place).
func (s *System) evict(p *Page, dirty bool) bool {
	if p.busy || p.laundry || p.wireCount > 0 || p.object == nil {
		return false
	}
	o := p.object
	s.pmap.PageProtect(p.pa, pmap.ProtNone)
	if s.pmap.IsModified(p.pa) {
		p.dirty = true
	}
	if p.dirty && o.internal && o.purgable == PurgableVolatile && !o.pagedOut[p.offset] {
		// A volatile page may vanish: it is dropped, not written,
		// and reads as zeros after. One whose offset the pager
		// holds is written out instead, lest the older data
		// reappear. (Purging the object whole, as XNU does, would
		// pull its pager from under a page-in this scan runs in.)
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

// launder performs the inactive → laundering → (clean) transition: it
// returns the data of the dirty page p to its object's pager, giving an
// internal object the default pager first if it has none. It reports
// whether the pager took the data; if not (no pager, store full, I/O
// error), p stays dirty and the failure is counted.
func (s *System) launder(p *Page) bool {
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
