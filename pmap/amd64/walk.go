package amd64

import "github.com/tamach/tamach/pmap"

// linearEnd is the end of the 48-bit linear address space in which the range
// walker works: the upper canonical half appears there without its sign
// extension, at [1<<47, 1<<48).
const linearEnd = 1 << 48

// linear drops the sign extension of a canonical address.
func linear(va pmap.VAddr) uint64 { return uint64(va) & (linearEnd - 1) }

// table returns the address of the table the non-leaf entry e references.
func (e entry) table() pmap.PAddr { return pmap.PAddr(e & entryAddrMask) }

// walk returns the slot for va in the table at level target, and the entry
// that references that table, creating missing tables on the way and
// splitting larger pages above target. On ErrNoFrames the tables it created
// are freed again.
func (s *Space) walk(va pmap.VAddr, target int) (slot, parent *entry, err error) {
	parent = &s.top
	for level := levelPML4; ; level-- {
		slot = &s.sys.table(parent.table())[index(va, level)]
		if level == target {
			return slot, parent, nil
		}
		switch {
		case !slot.present():
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
	pa, ok := s.sys.frames.AllocFrame()
	if !ok {
		return pmap.ErrNoFrames
	}
	old := *slot
	keep := old & (entryP | entryRW | entryUS | entryPWT | entryPCD | entryA | entryD |
		entryXD | entryWired | entryManaged)
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
}

// lookup returns the leaf that maps va and its level, or nil.
func (s *Space) lookup(va pmap.VAddr) (*entry, int) {
	e := &s.top
	for level := levelPML4; level >= levelPT; level-- {
		e = &s.sys.table(e.table())[index(va, level)]
		if !e.present() {
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
	if e == nil || level != levelPT || *e&entryManaged == 0 {
		panic("amd64.(*Space).leafAt: reverse-mapped page is not mapped")
	}
	return e
}

// opKind names what a walk over a range does to each leaf it meets.
type opKind uint8

const (
	opRemove  opKind = iota // clear the leaf (Remove, Protect to ProtNone)
	opProtect               // lower the leaf's rights (Protect)
)

// rangeOp is one walk over a range: the operation, the TLB batch and the
// first error (a split that found no frame).
type rangeOp struct {
	kind opKind
	prot pmap.Prot
	b    batch
	err  error
}

// removeRange removes every mapping in [start, end) of canonical addresses,
// freeing tables left empty.
func (s *Space) removeRange(start, end pmap.VAddr) error {
	if start == end {
		return nil
	}
	op := rangeOp{kind: opRemove, b: batch{s: s}}
	return s.visitRange(&op, linear(start), linear(end-1)+1)
}

// protectRange lowers to prot every mapping in [start, end). Precondition:
// prot is not ProtNone.
func (s *Space) protectRange(start, end pmap.VAddr, prot pmap.Prot) error {
	if start == end {
		return nil
	}
	op := rangeOp{kind: opProtect, prot: prot, b: batch{s: s}}
	return s.visitRange(&op, linear(start), linear(end-1)+1)
}

// visitRange applies op over the linear range [start, end) and completes its
// TLB maintenance.
func (s *Space) visitRange(op *rangeOp, start, end uint64) error {
	if start < end {
		s.visit(op, &s.top, levelPML4, 0, start, end)
	}
	op.b.finish()
	return op.err
}

// visit applies op to the part of [start, end) that the table ref references
// covers; base is the linear address of its first entry, level its level.
func (s *Space) visit(op *rangeOp, ref *entry, level int, base, start, end uint64) {
	t := s.sys.table(ref.table())
	size := levelSize(level)
	for i := int((start - base) / size); i < entries && op.err == nil; i++ {
		lo := base + uint64(i)*size
		if lo >= end {
			return
		}
		slot, hi := &t[i], lo+size
		if !slot.present() {
			continue
		}
		va := signExtend(pmap.VAddr(lo))
		if slot.leaf(level) {
			if start <= lo && hi <= end {
				op.leaf(s, slot, ref, level, va)
				continue
			}
			if op.err = s.split(slot, level, va); op.err != nil {
				return
			}
		}
		s.visit(op, slot, level-1, lo, max(start, lo), min(end, hi))
		if slot.count() == 0 {
			s.freeTable(slot, ref, va, &op.b)
		}
	}
}

// leaf applies op to one leaf wholly inside the range.
func (op *rangeOp) leaf(s *Space, slot, ref *entry, level int, va pmap.VAddr) {
	switch op.kind {
	case opRemove:
		old := *slot
		*slot = 0
		ref.addCount(-1)
		s.forget(old, level, va)
		op.b.add(va)
	case opProtect:
		if e := slot.lowered(op.prot, s.sys.feat.NX); e != *slot {
			*slot = e
			op.b.add(va)
		}
	}
}

// freeTable frees the empty table in slot (mapping from va) and clears the
// slot. The processor may hold paging-structure-cache entries that point into
// the table even though no translation goes through it (Intel SDM Vol. 3A
// §4.10.3.1), so the batch gets one invalidation of an address it covered:
// INVLPG and INVPCID type 0 drop every paging-structure-cache entry of the
// PCID (§4.10.4.1).
func (s *Space) freeTable(slot, ref *entry, va pmap.VAddr, b *batch) {
	pa := slot.table()
	*slot = 0
	ref.addCount(-1)
	s.sys.frames.FreeFrame(pa)
	s.stats.TablePages--
	b.add(va)
}
