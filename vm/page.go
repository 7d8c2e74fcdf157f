package vm

import "github.com/tamach/tamach/pmap"

// PageState names where a physical page is in its life. The vm system moves
// a page between states only through the functions named beside each
// transition below; the invariant checker (System.Check) verifies that the
// state agrees with the queue the page is on.
//
//	          alloc                 activate
//	Free ─────────────▶ Busy ─────────────────▶ Active ◀──┐
//	 ▲                   │ (filled: zero, copy,   │ deactivate│ reactivate
//	 │                   │  or pager data)        ▼           │ (referenced)
//	 │ free              │                      Inactive ─────┘
//	 ├───────────────────┴──────────────────────  │
//	 │                       wire (any resident)  │ launder (dirty)
//	 │                       ◀──▶ Wired            ▼
//	 └──────────────────────────────────────── Laundering ──▶ Free
//	                                           (data returned to the pager:
//	                                            the page is then "paged out")
//
// "Paged out" is not a state of a Page: it is the state of an object offset
// whose data lives only in the object's pager, with no resident page.
type PageState uint8

// Page states.
const (
	// PageFree: on the free queue, owned by no object.
	PageFree PageState = iota
	// PageBusy: owned by an object, being filled or emptied; on no queue.
	PageBusy
	// PageActive: resident, on the active queue.
	PageActive
	// PageInactive: resident, on the inactive queue (pageout candidate).
	PageInactive
	// PageWired: resident with a wire count; on no queue, never paged out.
	PageWired
	// PageLaundering: its data is being returned to the pager.
	PageLaundering
)

var pageStateNames = [...]string{"free", "busy", "active", "inactive", "wired", "laundering"}

func (s PageState) String() string {
	if int(s) < len(pageStateNames) {
		return pageStateNames[s]
	}
	return "invalid"
}

// pageQueue tells which queue a page is on.
type pageQueue uint8

const (
	queueNone pageQueue = iota
	queueFree
	queueActive
	queueInactive
)

// Page is Mach's vm_page: the record of one frame of the page pool.
//
// Lock legend (one CPU today; System.mu is the only lock, but each field
// names the lock that guards it once the vm system is split for SMP):
//
//	(C) constant after init
//	(P) page queues lock
//	(O) lock of the owning object
//
// Lock order: map lock → object lock (shadow chains top to bottom) → page
// queues lock → pmap.
type Page struct {
	pa pmap.PAddr // (C) the frame this record describes

	next, prev *Page     // (P) queue links
	queue      pageQueue // (P) which queue the page is on

	object *Object // (O) owner; nil when free
	offset uint64  // (O) byte offset in object

	wireCount uint16 // (O) number of wirings
	busy      bool   // (O) being filled or emptied
	dirty     bool   // (O) differs from the pager's copy (or has none)
	laundry   bool   // (O) being returned to the pager
	reference bool   // (P) software referenced bit (gathered from the pmap)
	reusable  bool   // (O) contents may be discarded (VM_BEHAVIOR_REUSABLE)
}

// PAddr reports the frame the page describes.
func (p *Page) PAddr() pmap.PAddr { return p.pa }

// State reports the page's named state.
func (p *Page) State() PageState {
	switch {
	case p.queue == queueFree:
		return PageFree
	case p.laundry:
		return PageLaundering
	case p.busy:
		return PageBusy
	case p.wireCount > 0:
		return PageWired
	case p.queue == queueActive:
		return PageActive
	case p.queue == queueInactive:
		return PageInactive
	}
	return PageBusy
}

// pageList is an intrusive doubly linked queue with a sentinel.
type pageList struct {
	head Page
	n    int
}

func (l *pageList) init() { l.head.next, l.head.prev = &l.head, &l.head }

func (l *pageList) pushBack(p *Page) {
	p.prev, p.next = l.head.prev, &l.head
	l.head.prev.next = p
	l.head.prev = p
	l.n++
}

func (l *pageList) remove(p *Page) {
	p.prev.next, p.next.prev = p.next, p.prev
	p.next, p.prev = nil, nil
	l.n--
}

func (l *pageList) front() *Page {
	if l.n == 0 {
		return nil
	}
	return l.head.next
}

// pagePool is the page-frame pool: one Page per frame of a physical range
// given at init, with Mach's free, active and inactive queues.
type pagePool struct {
	base  pmap.PAddr // (C)
	pages []Page     // (C) pages[i] describes base + i*PageSize

	free, active, inactive pageList // (P)
}

func newPagePool(base pmap.PAddr, frames int) *pagePool {
	pp := &pagePool{base: base, pages: make([]Page, frames)}
	pp.free.init()
	pp.active.init()
	pp.inactive.init()
	for i := range pp.pages {
		p := &pp.pages[i]
		p.pa = base + pmap.PAddr(i)<<pmap.PageShift
		p.queue = queueFree
		pp.free.pushBack(p)
	}
	return pp
}

// lookup returns the Page of the frame at pa, or nil if pa is not a pool
// frame.
func (pp *pagePool) lookup(pa pmap.PAddr) *Page {
	if pa < pp.base {
		return nil
	}
	i := uint64(pa-pp.base) >> pmap.PageShift
	if i >= uint64(len(pp.pages)) {
		return nil
	}
	return &pp.pages[i]
}

func (pp *pagePool) list(q pageQueue) *pageList {
	switch q {
	case queueFree:
		return &pp.free
	case queueActive:
		return &pp.active
	case queueInactive:
		return &pp.inactive
	}
	return nil
}

// dequeue takes p off whatever queue it is on.
func (pp *pagePool) dequeue(p *Page) {
	if l := pp.list(p.queue); l != nil {
		l.remove(p)
	}
	p.queue = queueNone
}

func (pp *pagePool) enqueue(p *Page, q pageQueue) {
	pp.dequeue(p)
	pp.list(q).pushBack(p)
	p.queue = q
}

// alloc performs the transition free → busy: it takes a frame off the free
// queue. The caller must insert it into an object and fill it.
func (pp *pagePool) alloc() *Page {
	p := pp.free.front()
	if p == nil {
		return nil
	}
	pp.dequeue(p)
	p.busy = true
	return p
}

// release performs the transition (any) → free.
// Precondition: p is removed from its object and mapped nowhere.
func (pp *pagePool) release(p *Page) {
	if p.object != nil || p.wireCount != 0 {
		panic("vm: pagePool.release of an owned or wired page")
	}
	p.busy, p.dirty, p.laundry, p.reference, p.reusable = false, false, false, false, false
	pp.enqueue(p, queueFree)
}

// activate performs busy/inactive → active (unless the page is wired).
func (pp *pagePool) activate(p *Page) {
	p.busy = false
	if p.wireCount > 0 {
		pp.dequeue(p)
		return
	}
	pp.enqueue(p, queueActive)
}

// deactivate performs active → inactive.
func (pp *pagePool) deactivate(p *Page) {
	if p.wireCount == 0 && !p.busy {
		pp.enqueue(p, queueInactive)
	}
}

// wire performs resident → wired: the first wiring takes the page off the
// paging queues.
func (pp *pagePool) wire(p *Page) {
	if p.wireCount == MaxWireCount {
		panic("vm: pagePool.wire: wire count overflow")
	}
	p.wireCount++
	pp.dequeue(p)
}

// unwire performs wired → active when the last wiring goes.
func (pp *pagePool) unwire(p *Page) {
	if p.wireCount == 0 {
		panic("vm: pagePool.unwire of an unwired page")
	}
	p.wireCount--
	if p.wireCount == 0 {
		pp.enqueue(p, queueActive)
	}
}
