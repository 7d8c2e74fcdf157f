package vm

import "github.com/tamach/tamach/pmap"

// Object is Mach's vm_object: a range of memory, its resident pages by
// offset, and where the rest of its data comes from.
//
//   - An internal object is anonymous memory: a page it never had reads as
//     zeros; a dirty page that must leave RAM goes to the default pager,
//     created on first need; pagedOut remembers which offsets it holds (the
//     existence map of Mach's default pager).
//   - An external object is backed by a pager supplied at creation (a
//     file, a task image): every offset below size comes from the pager.
//   - A shadow object sits in front of another object (its backing
//     object, field shadow) at shadowOffset: pages it lacks are looked up
//     in the backing object. Shadows implement copy-on-write.
//   - A copy object (field copy of the object it copies) is the shadow
//     that holds a delayed copy of an object written in place by its
//     sharers (Mach's MEMORY_OBJECT_COPY_DELAY): before the original is
//     written at an offset the copy does not have yet, the old data is
//     pushed into the copy (copy_delay.go).
//
// Lock legend: (C) constant; (O) this object's lock (System.mu today).
// Lock order along a chain: an object before its backing object.
type Object struct {
	sys *System // (C)
	id  uint64  // (C) for region info and debugging

	refs       int              // (O) map entries, memory entries, copies and shadows
	size       uint64           // (O) bytes
	internal   bool             // (C) anonymous memory
	pages      map[uint64]*Page // (O) resident pages by offset
	pagedOut   map[uint64]bool  // (O) offsets whose data the pager holds (internal)
	pager      Pager            // (O) nil: internal object never paged out yet
	purgable   PurgableState    // (O) PurgableDeny unless created purgable
	purge      purgeInfo        // (O) queue, group and owner of a purgeable object (purgeable.go)
	callerRefs int              // (O) references handed to callers (NewPagerObject)
	writable   bool             // (O) a sharer may write it in place: copy it eagerly
	trueShare  bool             // (O) shared on purpose (memory entry, vm_remap): XNU's true_share

	shadow       *Object   // (O) backing object, nil at the bottom of a chain
	shadowOffset uint64    // (O) offset of this object in shadow
	shadowers    []*Object // (O) objects whose backing object this is

	copy      *Object // (O) copy object: gets the old data before an in-place write
	copyStale bool    // (O) written (or mapped writable) since copy was made
}

// newObject creates an object with one reference.
func (s *System) newObject(size uint64, pager Pager) *Object {
	s.nextID++
	o := &Object{sys: s, id: s.nextID, refs: 1, size: size, pages: map[uint64]*Page{},
		internal: pager == nil, pager: pager, purgable: PurgableDeny}
	if pager != nil {
		pager.Init(size)
	}
	s.objects[o] = struct{}{}
	return o
}

// NewPagerObject creates an external object of size bytes backed by pager,
// with one reference, for vm_map of a memory object. size is rounded up to a
// page.
func (s *System) NewPagerObject(pager Pager, size uint64) (*Object, error) {
	if pager == nil || size == 0 || size > maxObjectSize {
		return nil, KernInvalidArgument
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.newObject(roundPage(size), pager)
	o.callerRefs = 1
	return o, nil
}

// Release drops a reference obtained from NewPagerObject.
func (o *Object) Release() {
	o.sys.mu.Lock()
	defer o.sys.mu.Unlock()
	if o.callerRefs == 0 {
		panic("vm: Object.Release without a caller reference")
	}
	o.callerRefs--
	o.deallocate()
}

// maxObjectSize bounds object sizes so offsets never wrap.
const maxObjectSize = 1 << 56

// reference adds a reference (vm_object_reference).
func (o *Object) reference() { o.refs++ }

// deallocate drops a reference (vm_object_deallocate). The last reference
// terminates the object and releases its backing object in turn; when only
// one reference is left and it comes from a shadow, that shadow absorbs the
// object (collapse), so copy-on-write chains stay short.
func (o *Object) deallocate() {
	for o != nil {
		if o.refs <= 0 {
			panic("vm: Object.deallocate of a dead object")
		}
		o.refs--
		if o.refs > 0 {
			if o.refs == 1 && len(o.shadowers) == 1 {
				o.shadowers[0].collapse()
			}
			return
		}
		o = o.terminate()
	}
}

// terminate frees the resident pages and the pager of an object with no
// references, and returns its backing object, whose reference it drops.
func (o *Object) terminate() *Object {
	s := o.sys
	for _, p := range o.pages {
		s.freePage(p)
	}
	if o.pager != nil {
		o.pager.Terminate()
	}
	delete(s.objects, o)
	b := o.shadow
	if b != nil {
		b.removeShadower(o)
		if b.copy == o {
			b.copy = nil
		}
	}
	o.shadow, o.pages, o.pager = nil, nil, nil
	return b
}

func (o *Object) removeShadower(c *Object) {
	for i, x := range o.shadowers {
		if x == c {
			o.shadowers = append(o.shadowers[:i], o.shadowers[i+1:]...)
			return
		}
	}
	panic("vm: Object.removeShadower: not a shadower")
}

// lookup returns the resident page at offset, or nil (vm_page_lookup).
func (o *Object) lookup(offset uint64) *Page { return o.pages[offset] }

// insert makes p the page at offset (vm_page_insert).
func (o *Object) insert(p *Page, offset uint64) {
	if p.object != nil {
		panic("vm: Object.insert: page owned")
	}
	// An occupied offset shows as a map that did not grow: one map
	// operation instead of a lookup and then an assignment, on every
	// fault that allocates a page.
	n := len(o.pages)
	o.pages[offset] = p
	if len(o.pages) == n {
		panic("vm: Object.insert: offset occupied")
	}
	p.object, p.offset = o, offset
}

// remove takes p out of its object (vm_page_remove).
func (o *Object) remove(p *Page) {
	delete(o.pages, p.offset)
	p.object = nil
}

// hasData reports whether this object itself (not its backing object) can
// supply the data at offset: resident, or held by its pager.
func (o *Object) hasData(offset uint64) bool {
	if o.pages[offset] != nil {
		return true
	}
	return o.pagerHas(offset)
}

// pagerHas reports whether the object's pager holds the data at offset.
func (o *Object) pagerHas(offset uint64) bool {
	if o.internal {
		// Most anonymous objects never page out: skip the map's hash.
		return len(o.pagedOut) != 0 && o.pagedOut[offset]
	}
	return o.pager != nil && offset < o.size
}

// newShadow pushes a shadow object in front of o (vm_object_shadow). It
// consumes the caller's reference on o and returns the shadow with one
// reference.
func (o *Object) newShadow(offset, size uint64) *Object {
	// LAB cow: begin
	o.collapse()
	sh := o.sys.newObject(size, nil)
	sh.shadow, sh.shadowOffset = o, offset
	o.shadowers = append(o.shadowers, sh)
	return sh
	// LAB cow: stub
	// panic("lab cow: not implemented: newShadow")
	// LAB cow: end
}

// depth reports the number of objects in o's chain, o included.
func (o *Object) depth() int {
	n := 0
	for ; o != nil; o = o.shadow {
		n++
	}
	return n
}

// collapse shortens o's chain as far as it can (vm_object_collapse): while
// the backing object is referenced only by o it is merged into o; while o
// already holds every page of its window the backing object is bypassed.
func (o *Object) collapse() {
	// LAB cow: begin
	for o.shadow != nil {
		b := o.shadow
		switch {
		case b.refs == 1 && b.internal && !b.isCopy() && o.canAbsorb(b):
			o.absorb(b)
		case o.covers():
			o.bypass(b)
		default:
			return
		}
	}
	// LAB cow: stub
	// panic("lab cow: not implemented: collapse")
	// LAB cow: end
}

// isCopy reports whether o is the copy object of its backing object. A
// copy object is never merged into its shadows: the object it copies
// pushes old data into it, and must keep doing so (GNU Mach's
// vm_object_collapse refuses the same case).
func (o *Object) isCopy() bool { return o.shadow != nil && o.shadow.copy == o }

// canAbsorb reports whether o can take over every datum of b it needs. A
// datum b holds only in its pager moves to o's pager (created if o has
// none) through Transferrer; a pager that cannot move it keeps b alive.
func (o *Object) canAbsorb(b *Object) bool {
	if !o.needsPagedOut(b) {
		return true
	}
	tr, ok := b.pager.(Transferrer)
	if !ok || !o.ensurePager() {
		return false
	}
	return tr.Accepts(o.pager)
}

// needsPagedOut reports whether o still needs data b holds only in its
// pager: at an offset of o's window where o has no data and b no resident
// page.
func (o *Object) needsPagedOut(b *Object) bool {
	for off := range b.pagedOut {
		if o.wantsFrom(b, off) && b.pages[off] == nil {
			return true
		}
	}
	return false
}

// wantsFrom reports whether the datum at offset off of b, o's backing
// object, shows through o: it lies in o's window and o has no data there.
func (o *Object) wantsFrom(b *Object, off uint64) bool {
	if off < o.shadowOffset || off-o.shadowOffset >= o.size {
		return false
	}
	return !o.hasData(off - o.shadowOffset)
}

// ensurePager gives the internal object o the default pager if it has no
// pager yet, and reports whether it has one.
func (o *Object) ensurePager() bool {
	if o.pager == nil && o.internal && o.sys.defaultPager != nil {
		o.pager = o.sys.defaultPager()
		o.pager.Init(o.size)
	}
	return o.pager != nil
}

// absorb merges the backing object b into o: data of b that o can see and
// does not shadow moves to o (resident pages by re-owning them, paged-out
// data by a pager Transfer); the rest is freed; o takes over b's backing
// object and b is destroyed. Precondition: o.canAbsorb(b).
func (o *Object) absorb(b *Object) {
	s := o.sys
	o.transferPagedOut(b)
	for off, p := range b.pages {
		b.remove(p)
		if !o.wantsFrom(b, off) {
			s.freePage(p)
			continue
		}
		p.dirty = true
		o.insert(p, off-o.shadowOffset)
	}
	if b.pager != nil {
		b.pager.Terminate()
	}
	next := b.shadow
	if next != nil {
		next.removeShadower(b)
		next.shadowers = append(next.shadowers, o)
	}
	b.removeShadower(o)
	o.shadow, o.shadowOffset = next, o.shadowOffset+b.shadowOffset
	if b.copy == o {
		b.copy = nil
	}
	b.shadow, b.pages, b.pager, b.refs = nil, nil, nil, 0
	delete(s.objects, b)
	s.stats.Collapses++
}

// transferPagedOut moves to o's pager the data b holds only in its pager
// that o still needs.
func (o *Object) transferPagedOut(b *Object) {
	for off := range b.pagedOut {
		if b.pages[off] != nil || !o.wantsFrom(b, off) {
			continue
		}
		n := off - o.shadowOffset
		b.pager.(Transferrer).Transfer(off, o.pager, n)
		if o.pagedOut == nil {
			o.pagedOut = map[uint64]bool{}
		}
		o.pagedOut[n] = true
		o.sys.stats.Transfers++
	}
}

// covers reports whether o itself holds every page of its window, so its
// backing object can no longer be seen through it.
func (o *Object) covers() bool {
	n := o.size >> pmap.PageShift
	if uint64(len(o.pages))+uint64(len(o.pagedOut)) < n {
		return false
	}
	for off := uint64(0); off < o.size; off += pmap.PageSize {
		if !o.hasData(off) {
			return false
		}
	}
	return true
}

// bypass drops o's reference to its backing object b, which o fully covers.
func (o *Object) bypass(b *Object) {
	b.removeShadower(o)
	if b.copy == o {
		b.copy = nil
	}
	o.shadow, o.shadowOffset = nil, 0
	o.sys.stats.Bypasses++
	b.deallocate()
}
