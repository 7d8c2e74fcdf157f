package vm

// The pageout policy: how many frames to keep free, and which resident
// pages leave memory to free them. The mechanism (pageout.go) decides
// when to run and carries out evictions safely; at three points it asks
// the policy, a PageoutPolicy given to NewSystem in Config.PageoutPolicy:
//
//	Targets(frames)  once, at NewSystem: the free-page thresholds
//	Balance(q)       ageing: before every scan step, and on allocations
//	                 that find fewer than FreeTarget frames free
//	ScanOne(q)       one scan step: look at one page, evict it or keep it
//
// The policy sees the page queues only through PageQueues, whose methods
// cannot lose a page or free one the mechanism must keep. Another policy
// (FIFO, a clock, ...) is one type with these three methods, in a file of
// its own; nothing else changes. The default is SecondChance, the policy
// of Mach and XNU.

// PageoutPolicy chooses the pages pageout takes. Its methods are called
// with the vm lock held, one at a time; q is valid only during the call.
type PageoutPolicy interface {
	// Targets returns the free-page thresholds for a pool of frames
	// frames (0 <= FreeMin <= FreeTarget < frames, or NewSystem fails).
	// SetPageoutTargets may replace them later.
	Targets(frames int) PageoutTargets

	// Balance moves pages between the active and the inactive queue
	// (ageing), so that the pages ScanOne looks at have had time to be
	// referenced. It is called before every scan step and on every
	// allocation that finds fewer than FreeTarget (but at least
	// FreeMin) frames free. It should only move pages, not evict them.
	Balance(q *PageQueues)

	// ScanOne is one step of a scan: it looks at one page, usually the
	// front of a queue, and either evicts it (q.Evict) or keeps it
	// (moves it to the tail of a queue). It reports false when it has
	// no page to look at, which ends the scan. A scan also ends when
	// enough frames are free, and after 2×(pageable pages)+1 steps.
	ScanOne(q *PageQueues) bool
}

// PageoutTargets are the free-page thresholds of pageout.
type PageoutTargets struct {
	// FreeMin: an allocation that finds fewer free frames runs pageout
	// first.
	FreeMin int
	// FreeTarget: pageout, once running, frees frames until this many
	// are free.
	FreeTarget int
}

// valid reports whether t suits a pool of frames frames:
// 0 <= FreeMin <= FreeTarget < frames.
func (t PageoutTargets) valid(frames int) bool {
	return t.FreeMin >= 0 && t.FreeMin <= t.FreeTarget && t.FreeTarget < frames
}

// The default thresholds: XNU's VM_PAGE_FREE_MIN(free) = 10 + free/100
// and VM_PAGE_FREE_TARGET(free) = 15 + free/80 (osfmk/vm/vm_pageout.c).
const (
	freeMinBase    = 10
	freeMinDiv     = 100
	freeTargetBase = 15
	freeTargetDiv  = 80
)

// DefaultPageoutTargets returns XNU's thresholds for a pool of frames
// frames:
//
//	FreeMin    = 10 + frames/100   allocation below it runs the scan
//	FreeTarget = 15 + frames/80    the scan stops when this many are free
//
// each clamped to a quarter and a half of a small pool.
func DefaultPageoutTargets(frames int) PageoutTargets {
	t := PageoutTargets{FreeMin: freeMinBase + frames/freeMinDiv, FreeTarget: freeTargetBase + frames/freeTargetDiv}
	t.FreeTarget = min(t.FreeTarget, frames/2)
	t.FreeMin = min(t.FreeMin, frames/4, t.FreeTarget)
	return t
}

// SecondChance is the default pageout policy, Mach's (XNU
// osfmk/vm/vm_pageout.c, vm_pageout_scan; GNU Mach vm/vm_pageout.c):
//
//   - Targets: DefaultPageoutTargets.
//   - Balance keeps the inactive queue at about half of the pageable
//     pages (XNU's VM_PAGE_INACTIVE_TARGET(avail) = avail/2), moving
//     pages from the front of the active queue to the tail of the
//     inactive one; Deactivate clears their referenced bit: the first
//     chance.
//   - ScanOne takes the page at the front of the inactive queue. If it
//     was referenced since it was deactivated, it goes back to the active
//     queue (its second chance, a reactivation); otherwise it is evicted.
//
// A page that is used keeps being referenced between its deactivation
// and its turn at the inactive front, so it stays resident; a page used
// once drifts to the front and goes.
type SecondChance struct{}

// Targets returns DefaultPageoutTargets(frames).
func (SecondChance) Targets(frames int) PageoutTargets { return DefaultPageoutTargets(frames) }

// Balance deactivates pages from the front of the active queue until the
// inactive queue holds half of the pageable pages, or at least one; it
// looks at each active page at most once.
func (SecondChance) Balance(q *PageQueues) {
	// LAB pager: begin
	want := max((q.ActiveLen()+q.InactiveLen())/2, 1)
	for look := q.ActiveLen(); q.InactiveLen() < want && look > 0; look-- {
		q.Deactivate(q.ActiveFront())
	}
	// LAB pager: stub
	// panic("lab pager: not implemented: SecondChance.Balance")
	// LAB pager: end
}

// ScanOne reactivates the inactive front page if it was referenced, and
// evicts it otherwise.
func (SecondChance) ScanOne(q *PageQueues) bool {
	// LAB pager: begin
	p := q.InactiveFront()
	if p == nil {
		return false
	}
	if q.Referenced(p) {
		q.Activate(p)
		return true
	}
	q.Evict(p)
	return true
	// LAB pager: stub
	// panic("lab pager: not implemented: SecondChance.ScanOne")
	// LAB pager: end
}
