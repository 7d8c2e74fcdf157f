package vm

import (
	"fmt"

	"github.com/tamach/tamach/pmap"
)

// Check verifies the vm system's invariants and returns the first broken
// one: every map's entries sorted, non-overlapping, inside the map, in the
// same order in the list and the tree, the hints valid, the size exact;
// every object's reference count equal to the references held on it
// (entries, copies, memory entries, shadows, callers); every resident page
// owned by exactly one object at its offset and on the right queue; every
// frame either free or resident. A Copy still alive is reported too: every
// Copy must be consumed or discarded (api_copy.go), so a caller checking
// between calls holds none; one that holds a copy on purpose asks
// CheckHolding instead.
func (s *System) Check() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.copies {
		return fmt.Errorf("vm: %d map copies neither consumed nor discarded, one made by %s", len(s.copies), c.madeBy)
	}
	return s.check()
}

// CheckHolding is Check for a caller that holds map copies on purpose:
// live copies are not reported.
func (s *System) CheckHolding() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.check()
}

func (s *System) check() error {
	refs := map[*Object]int{}
	for m := range s.maps {
		if err := m.check(refs); err != nil {
			return err
		}
	}
	for c := range s.copies {
		for _, ce := range c.entries {
			if ce.object != nil {
				refs[ce.object]++
			}
		}
	}
	for me := range s.memEntries {
		var err error
		me.eachObject(func(o *Object) {
			if o.isCopy() {
				err = fmt.Errorf("vm: memory entry refers to copy object %d", o.id)
			}
			refs[o]++
		})
		if err != nil {
			return err
		}
	}
	return s.checkObjects(refs)
}

// check verifies one map and counts the object references its entries hold.
func (m *Map) check(refs map[*Object]int) error {
	if err := m.tree.check(); err != nil {
		return err
	}
	prev, n, size := &m.header, 0, uint64(0)
	var err error
	m.tree.ascend(func(start VAddr, e *Entry) bool {
		if start != e.start {
			err = fmt.Errorf("vm: tree key %v for entry at %v", start, e.start)
			return false
		}
		err = m.checkEntry(prev, e)
		prev, n, size = e, n+1, size+e.size()
		if e.object != nil {
			refs[e.object]++
		}
		return err == nil
	})
	switch {
	case err != nil:
		return err
	case prev.next != &m.header:
		return fmt.Errorf("vm: map list longer than its tree (%d entries)", n)
	case size != m.size:
		return fmt.Errorf("vm: map size %#x, entries sum to %#x", m.size, size)
	case m.hint != nil && !m.hasEntry(m.hint):
		return fmt.Errorf("vm: map hint points to an unlinked entry")
	}
	return m.checkFirstFree()
}

func (m *Map) checkEntry(prev, e *Entry) error {
	switch {
	case prev.next != e || e.prev != prev:
		return fmt.Errorf("vm: map list and tree disagree at %v", e.start)
	case !e.start.Aligned() || !e.end.Aligned() || e.start >= e.end:
		return fmt.Errorf("vm: bad entry [%v, %v)", e.start, e.end)
	case e.start < m.min || e.end > m.max:
		return fmt.Errorf("vm: entry [%v, %v) outside map", e.start, e.end)
	case prev != &m.header && prev.end > e.start:
		return fmt.Errorf("vm: entries overlap at %v", e.start)
	case e.object != nil && e.submap != nil:
		return fmt.Errorf("vm: entry at %v has object and submap", e.start)
	case !e.maxProt.Allows(e.prot):
		return fmt.Errorf("vm: entry at %v: protection %v above max %v", e.start, e.prot, e.maxProt)
	case e.needsCopy && e.object == nil:
		return fmt.Errorf("vm: entry at %v needs copy of no object", e.start)
	case e.object != nil && e.offset+e.size() > e.object.size:
		return fmt.Errorf("vm: entry at %v beyond its object", e.start)
	case e.object != nil && e.object.isCopy() && !e.needsCopy:
		return fmt.Errorf("vm: entry at %v may write copy object %d in place", e.start, e.object.id)
	}
	return nil
}

// checkFirstFree verifies that firstFree is the lowest unmapped address.
func (m *Map) checkFirstFree() error {
	want := m.min
	for e := m.header.next; e != &m.header && e.start == want; e = e.next {
		want = e.end
	}
	if want != m.firstFree {
		return fmt.Errorf("vm: first-free hint %v, lowest hole at %v", m.firstFree, want)
	}
	return nil
}

// checkObjects verifies reference counts, chains and page ownership.
func (s *System) checkObjects(refs map[*Object]int) error {
	resident := 0
	for o := range s.objects {
		want := refs[o] + len(o.shadowers) + o.callerRefs
		if o.refs != want {
			return fmt.Errorf("vm: object %d has %d references, %d held", o.id, o.refs, want)
		}
		if b := o.shadow; b != nil && !b.hasShadower(o) {
			return fmt.Errorf("vm: object %d missing from its backing object's shadowers", o.id)
		}
		if c := o.copy; c != nil && (c.shadow != o || c.shadowOffset != 0 || c.size != o.size) {
			return fmt.Errorf("vm: object %d's copy object %d does not mirror it", o.id, c.id)
		}
		for off, p := range o.pages {
			if err := s.checkPage(o, off, p); err != nil {
				return err
			}
		}
		resident += len(o.pages)
	}
	if resident+s.pool.free.n != len(s.pool.pages) {
		return fmt.Errorf("vm: %d resident + %d free != %d frames", resident, s.pool.free.n, len(s.pool.pages))
	}
	// A free page has clear attributes (freePage). The pages freed last
	// sit at the back of the free queue; checking those few catches a
	// free path that forgets, and keeps Check cheap enough to run after
	// every call of a long test.
	n := 0
	for p := s.pool.free.head.prev; p != &s.pool.free.head && n < 64; p, n = p.prev, n+1 {
		if s.pmap.IsModified(p.pa) || s.pmap.IsReferenced(p.pa) {
			return fmt.Errorf("vm: free page %v still reads as referenced or modified", p.pa)
		}
	}
	return s.checkQueues()
}

func (o *Object) hasShadower(c *Object) bool {
	for _, x := range o.shadowers {
		if x == c {
			return true
		}
	}
	return false
}

func (s *System) checkPage(o *Object, off uint64, p *Page) error {
	switch {
	case p.object != o || p.offset != off:
		return fmt.Errorf("vm: page %v owned by object %d at %#x, listed at %#x", p.pa, o.id, p.offset, off)
	case s.pool.lookup(p.pa) != p:
		return fmt.Errorf("vm: page %v not a pool page", p.pa)
	case off&pmap.PageMask != 0 || off >= o.size:
		return fmt.Errorf("vm: page at bad offset %#x of object %d", off, o.id)
	case p.busy || p.laundry:
		return fmt.Errorf("vm: page %v left %v", p.pa, p.State())
	case p.wireCount > 0 && p.queue != queueNone:
		return fmt.Errorf("vm: wired page %v on a paging queue", p.pa)
	case p.wireCount == 0 && p.queue != queueActive && p.queue != queueInactive:
		return fmt.Errorf("vm: resident page %v on no paging queue", p.pa)
	}
	return nil
}

// checkQueues verifies the queue counts.
func (s *System) checkQueues() error {
	for _, q := range []pageQueue{queueFree, queueActive, queueInactive} {
		l := s.pool.list(q)
		n := 0
		for p := l.head.next; p != &l.head; p = p.next {
			if p.queue != q {
				return fmt.Errorf("vm: page %v on queue %d says %d", p.pa, q, p.queue)
			}
			n++
		}
		if n != l.n {
			return fmt.Errorf("vm: queue %d counts %d, holds %d", q, l.n, n)
		}
	}
	return nil
}

// MaxChainDepth reports the longest shadow chain among the objects mapped
// by m's entries.
func (m *Map) MaxChainDepth() int {
	m.sys.mu.Lock()
	defer m.sys.mu.Unlock()
	d := 0
	for e := m.header.next; e != &m.header; e = e.next {
		if e.object != nil {
			d = max(d, e.object.depth())
		}
	}
	return d
}

// hasEntry reports whether e is linked in m's tree.
func (m *Map) hasEntry(e *Entry) bool {
	return m.tree.get(e.start) == e
}
