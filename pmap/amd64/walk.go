package amd64

import "github.com/tamach/tamach/pmap"

// walk returns the slot for va in the table at level target, and the entry
// that references that table, creating missing tables on the way and
// splitting larger pages above target. On ErrNoFrames the tables it created
// are freed again.
func (s *Space) walk(va pmap.VAddr, target int) (slot, parent *entry, err error) {
	// LAB pgtbl-x86: begin
	parent = &s.top
	for level := levelPML4; ; level-- {
		slot = &s.sys.table(parent.tableAddr())[index(va, level)]
		if level == target {
			return slot, parent, nil
		}
		switch {
		case !slot.valid():
			err = s.newTable(slot, parent)
		case slot.big(level):
			err = s.split(slot, level, va)
		}
		if err != nil {
			s.removeRange(va.Trunc(), va.Trunc()+pmap.PageSize)
			return nil, nil, err
		}
		parent = slot
	}
	// LAB pgtbl-x86: stub
	// panic("lab pgtbl-x86: not implemented: walk")
	// LAB pgtbl-x86: end
}

// newTable puts a fresh, empty table into the empty slot.
func (s *Space) newTable(slot, parent *entry) error {
	pa, ok := s.sys.frames.AllocFrame()
	if !ok {
		return pmap.ErrNoFrames
	}
	*slot = tableEntry(pa, s.kind == pmap.KindUser)
	parent.addCount(1)
	s.stats.TablePages++
	return nil
}

// split replaces the 2 MiB or 1 GiB leaf in slot (at level, holding va) by a
// table of 512 leaves one level down that map the same frames with the same
// rights, so every translation is unchanged. The large page's TLB entries are
// then dropped anyway: INVLPG of one address in a large page drops every TLB
// entry made from it, even ones the processor cached as smaller pages
// (Intel SDM Vol. 3A §4.10.2.3, §4.10.4.1), so no two page sizes are cached
// for one address once the caller starts changing the small pages.
func (s *Space) split(slot *entry, level int, va pmap.VAddr) error {
	// LAB pgtbl-x86: begin
	pa, ok := s.sys.frames.AllocFrame()
	if !ok {
		return pmap.ErrNoFrames
	}
	old := *slot
	keep := old & (entryP | entryRW | entryUS | entryPWT | entryPCD | entryA | entryD |
		entryXD | swWired | swManaged)
	if level-1 != levelPT {
		keep |= entryPS
	}
	t := s.sys.table(pa)
	base, step := old.frame(level), pmap.PAddr(levelSize(level-1))
	for i := range t {
		t[i] = keep | entry(base+pmap.PAddr(i)*step)
	}
	*slot = tableEntry(pa, s.kind == pmap.KindUser).withCount(entries)
	s.stats.TablePages++
	s.invalidate(va)
	return nil
	// LAB pgtbl-x86: stub
	// panic("lab pgtbl-x86: not implemented: split")
	// LAB pgtbl-x86: end
}

// lookup returns the leaf that maps va and its level, or nil.
func (s *Space) lookup(va pmap.VAddr) (*entry, int) {
	e := &s.top
	for level := levelPML4; level >= levelPT; level-- {
		e = &s.sys.table(e.tableAddr())[index(va, level)]
		if !e.valid() {
			return nil, 0
		}
		if e.leaf(level) {
			return e, level
		}
	}
	panic("amd64.(*Space).lookup: walk below the page-table level")
}

// leafAt returns the 4 KiB leaf of a managed mapping recorded in the reverse
// map. A missing one is a broken invariant.
func (s *Space) leafAt(va pmap.VAddr) *entry {
	e, level := s.lookup(va)
	if e == nil || level != levelPT || *e&swManaged == 0 {
		panic("amd64.(*Space).leafAt: reverse-mapped page is not mapped")
	}
	return e
}

// freeTable frees the empty table in slot (mapping from va) and clears the
// slot. The processor may hold paging-structure-cache entries that point into
// the table even though no translation goes through it (Intel SDM Vol. 3A
// §4.10.3.1), so the batch gets one invalidation of an address it covered:
// INVLPG and INVPCID type 0 drop every paging-structure-cache entry of the
// PCID (§4.10.4.1).
func (s *Space) freeTable(slot, ref *entry, va pmap.VAddr, b *batch) {
	pa := slot.tableAddr()
	*slot = 0
	ref.addCount(-1)
	s.sys.frames.FreeFrame(pa)
	s.stats.TablePages--
	b.add(va)
}
