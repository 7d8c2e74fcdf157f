package vm

import "github.com/tamach/tamach/pmap"

// Delayed copies of objects written in place (Mach's MEMORY_OBJECT_COPY_DELAY
// strategy, vm_object_copy_delayed in GNU Mach and XNU).
//
// Symmetric copy-on-write (markNeedsCopy) freezes an object: every entry
// that maps it needs a copy, and the first write of any of them pushes a
// shadow. That cannot work for an object written in place by sharers that
// do not know about the copy (shared entries, memory entries mapped
// without copy, a pager's object): they keep writing it. For those, the
// copy is a copy object C that shadows the original O at offset 0 with
// O's size, and O.copy points to C:
//
//	 copy's entry (needs copy)        sharers of O (write in place)
//	          │                               │
//	          ▼                               ▼
//	   ┌──────────────┐   shadow      ┌──────────────┐   shadow / pager
//	   │ C (copy obj) │──────────────▶│      O       │──────────────▶ ...
//	   │ pushed pages │◀──────────────│ copy = C     │
//	   └──────────────┘  push before  └──────────────┘
//	                     an in-place write
//
// Making the copy costs no page: O's resident pages are write-protected in
// every pmap, so an in-place write faults, and the fault (pushCopy) first
// saves O's current data at that offset into C unless C already has its own.
// Reads through C find its pushed pages, and everything else in O (or below
// O, or in O's pager), which is unchanged since the copy. Entries of the
// copy always need copy: nobody writes C in place; their first write pushes
// a private shadow as usual.
//
// A second copy made after O was written gets a new copy object C2 between
// O and C (C's shadow becomes C2, O.copy becomes C2): data pushed later
// lands in C2, which C sees through. If O was not written since C was made
// (copyStale false), C itself is the new copy.
//
// Wired or purgable memory is still copied at once (copySlowly): a wired
// page must not lose write access (an object with any wired page is copied
// eagerly), and a purge discards data in place without a fault (Mach
// copies wired entries slowly too).

// copyShared returns the copy entry (object with a new reference, offset,
// needs copy) holding a copy of size bytes of o at offset, for an object
// others may write in place: a delayed copy, or an eager one for wired or
// purgable memory.
func (s *System) copyShared(o *Object, offset, size uint64) (copyEntry, error) {
	if o.copiedEagerly() || o.hasWired() {
		n, err := s.copySlowly(o, offset, size)
		return copyEntry{object: n}, err
	}
	return copyEntry{object: s.copyDelayed(o), offset: offset, needsCopy: true}, nil
}

// hasWired reports whether a page of o is wired: making a copy object
// write-protects every resident page of o, in the copied range or not.
func (o *Object) hasWired() bool {
	for _, p := range o.pages {
		if p.wireCount > 0 {
			return true
		}
	}
	return false
}

// copyDelayed returns o's copy object with a new reference, making one if o
// has none or was written since (vm_object_copy_delayed).
func (s *System) copyDelayed(o *Object) *Object {
	if c := o.copy; c != nil && !o.copyStale {
		c.reference()
		return c
	}
	c := s.newObject(o.size, nil)
	c.shadow = o
	o.reference()
	o.shadowers = append(o.shadowers, c)
	if old := o.copy; old != nil {
		o.removeShadower(old)
		o.refs-- // old's reference on o moves to c; c holds one on o
		old.shadow = c
		c.shadowers = append(c.shadowers, old)
		c.reference()
	}
	o.copy, o.copyStale = c, false
	for _, p := range o.pages {
		s.pmap.PageProtect(p.pa, ProtRead|ProtExecute)
	}
	return c
}

// pushCopy saves the data at offset of o into o's copy object before o is
// written in place there (the copy-on-write push of Mach's vm_fault_page):
// unless the copy already has data of its own at offset, it gets a copy of
// o's current page (paged in if need be), or a zero page if no object of
// o's chain has data there. The original page is then unmapped everywhere,
// so that readers of the copy fault and find the pushed page.
func (s *System) pushCopy(o *Object, offset uint64) error {
	c := o.copy
	o.copyStale = true
	if c.hasData(offset) {
		return nil
	}
	p, err := s.chainPage(o, offset)
	if err != nil {
		return err
	}
	if p == nil {
		_, err := s.zeroFill(c, offset)
		return err
	}
	if _, err := s.copyPage(p, c, offset); err != nil {
		return err
	}
	s.stats.CopyPushes++
	s.pmap.PageProtect(p.pa, pmap.ProtNone)
	return nil
}

// installProt is the protection a fault installs for a page of the first
// object o at offset, given the most the mapping allows (prot) and whether
// the fault writes (or brings the page in as a write would, which pushed
// the data into the copy already): write access to a page of an object
// that has a copy object is granted only on such a fault or once the copy
// has its own data there; otherwise the next write must fault and push.
func installProt(o *Object, offset uint64, prot pmap.Prot, writing bool) pmap.Prot {
	c := o.copy
	if c == nil || prot&ProtWrite == 0 {
		return prot
	}
	if !writing && !c.hasData(offset) {
		return prot &^ ProtWrite
	}
	o.copyStale = true
	return prot
}
