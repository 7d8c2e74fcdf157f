package arm64

import (
	"sync/atomic"

	"github.com/tamach/tamach/pmap"
)

// Leaf descriptors are read and written atomically: with TCR_EL1.HA/HD the
// hardware updates AF and AP[2] with atomic read-modify-writes of its own
// (Arm ARM D8.5.6, "Ordering and atomicity of hardware updates"), which a
// plain read-modify-write by software could undo.

// loadLeaf reads a leaf descriptor.
func loadLeaf(slot *entry) entry { return entry(atomic.LoadUint64((*uint64)(slot))) }

// storeLeaf writes an entry that is currently invalid.
func storeLeaf(slot *entry, e entry) { atomic.StoreUint64((*uint64)(slot), uint64(e)) }

// swapLeaf replaces a descriptor and returns the last value the hardware
// left in it.
func swapLeaf(slot *entry, e entry) entry {
	return entry(atomic.SwapUint64((*uint64)(slot), uint64(e)))
}

// casLeaf replaces the leaf old at slot by e if the hardware has not changed
// it meanwhile.
func casLeaf(slot *entry, old, e entry) bool {
	return atomic.CompareAndSwapUint64((*uint64)(slot), uint64(old), uint64(e))
}

// updateLeaf clears then sets bits of a leaf and returns its old value.
func updateLeaf(slot *entry, clearBits, setBits entry) entry {
	for {
		old := loadLeaf(slot)
		if casLeaf(slot, old, old&^clearBits|setBits) {
			return old
		}
	}
}

// lookup finds the leaf translating the offset off: its slot and level, or
// a nil slot if off is not mapped.
func (s *Space) lookup(off uint64) (*entry, int) {
	tbl := s.sys.table(s.root)
	for l := 0; l < levels; l++ {
		slot := &tbl[index(off, l)]
		e := *slot
		switch {
		case !e.valid():
			return nil, 0
		case e.isTable(l):
			tbl = s.sys.table(e.tableAddr())
		default:
			return slot, l
		}
	}
	panic("arm64.Space.lookup: level 3 entry is a table")
}

// walk returns the slot at level target for the offset off, creating
// missing tables and splitting blocks above target, and the table descriptor
// that points to (and counts the entries of) the slot's table: nil if that
// is the root. On ErrNoFrames, tables it created may be left empty: the
// caller prunes.
func (s *Space) walk(off uint64, target int) (slot, parent *entry, err error) {
	// LAB pgtbl-arm64: begin
	tbl := s.sys.table(s.root)
	for l := 0; l < target; l++ {
		slot = &tbl[index(off, l)]
		if !slot.valid() {
			if err = s.newTable(slot, parent); err != nil {
				return nil, nil, err
			}
		} else if !slot.isTable(l) {
			if err = s.split(slot, l, off&^(levelSize(l)-1)); err != nil {
				return nil, nil, err
			}
		}
		parent = slot
		tbl = s.sys.table(slot.tableAddr())
	}
	return &tbl[index(off, target)], parent, nil
	// LAB pgtbl-arm64: stub
	// panic("lab pgtbl-arm64: not implemented: walk")
	// LAB pgtbl-arm64: end
}

// newTable links a fresh empty table into the invalid slot.
func (s *Space) newTable(slot, parent *entry) error {
	pa, ok := s.sys.frames.AllocFrame()
	if !ok {
		return pmap.ErrNoFrames
	}
	*slot = tableEntry(pa, 0)
	parent.addCount(1)
	s.stats.TablePages++
	s.publish()
	return nil
}

// split replaces the block at slot (level l, first offset base) by a table
// of 512 entries of the next level that map the same range with the same
// attributes: 2 MiB blocks for a 1 GiB block, pages for a 2 MiB block. The
// block size changes, so break-before-make is required (D8.16.1): the new
// table is filled first, then the block is invalidated, the TLB entry for
// the block removed (a TLBI by VA removes every entry that translates the
// VA, whatever its size, so one TLBI inside the block is enough: D8.14,
// "TLB maintenance instructions"), and only then the table linked in. The
// counts of pages, wired pages and reverse mappings do not change: blocks
// are only made by MapRange and never enter the reverse map.
//
// Between break and make the range is unmapped: the kernel must not split a
// block that holds the code, stack or data it is running with.
func (s *Space) split(slot *entry, l int, base uint64) error {
	// LAB pgtbl-arm64: begin
	pa, ok := s.sys.frames.AllocFrame()
	if !ok {
		return pmap.ErrNoFrames
	}
	block := loadLeaf(slot)
	if block&swTracked != 0 {
		panic("arm64.Space.split: blocks are never tracked")
	}
	child := s.sys.table(pa)
	step := levelSize(l + 1)
	attrs := block &^ (entryAddrMask | entryValid | entryTable)
	first := block.frame(l)
	for i := range child {
		child[i] = entry(first) + entry(uint64(i)*step) | attrs | leafType(l+1)
	}
	swapLeaf(slot, 0)
	s.invalidate(base)
	*slot = tableEntry(pa, entries)
	s.publish()
	s.stats.TablePages++
	return nil
	// LAB pgtbl-arm64: stub
	// panic("lab pgtbl-arm64: not implemented: split (with break-before-make)")
	// LAB pgtbl-arm64: end
}

// freeTable unlinks the empty table at slot (level l, covering offsets from
// base) and returns its frame. The TLBI by VA also removes walk-cache
// entries holding the table descriptor (VAE1IS applies to every level), so
// no walker can reach the frame once it is reused.
func (s *Space) freeTable(slot *entry, l int, base uint64, parent *entry) {
	e := *slot
	if e.count() != 0 {
		panic("arm64.Space.freeTable: table not empty")
	}
	*slot = 0
	parent.addCount(-1)
	s.invalidate(base)
	s.sys.frames.FreeFrame(e.tableAddr())
	s.stats.TablePages--
}

// prune frees the tables on the walk to off that are empty, from the bottom
// up: what a failed walk leaves behind.
func (s *Space) prune(off uint64) {
	var path [leafLevel]*entry // table descriptors at L0..L2
	n := 0
	tbl := s.sys.table(s.root)
	for l := 0; l < leafLevel; l++ {
		slot := &tbl[index(off, l)]
		if !slot.isTable(l) {
			break
		}
		path[n] = slot
		n++
		tbl = s.sys.table(slot.tableAddr())
	}
	for l := n - 1; l >= 0 && path[l].count() == 0; l-- {
		var parent *entry
		if l > 0 {
			parent = path[l-1]
		}
		s.freeTable(path[l], l, off&^(levelSize(l)-1), parent)
	}
}

// freeTree drops every mapping of the level-l table at pa, whose first
// entry maps the offset base, and frees every table below it (Destroy, after
// the space's TLB entries are flushed).
func (s *Space) freeTree(pa pmap.PAddr, l int, base uint64) {
	tbl := s.sys.table(pa)
	for i, e := range tbl {
		off := base + uint64(i)<<levelShift(l)
		switch {
		case !e.valid():
			continue
		case e.isTable(l):
			child := e.tableAddr()
			s.freeTree(child, l+1, off)
			s.sys.frames.FreeFrame(child)
		default:
			s.forgetLeaf(e, l, off)
		}
		tbl[i] = 0
	}
}

// forgetLeaf removes the leaf e of a dying space from the reverse map.
func (s *Space) forgetLeaf(e entry, l int, off uint64) {
	if pa := e.frame(l); s.sys.inRmap(e, pa) {
		s.sys.foldLeaf(e, pa)
		s.sys.rmap.Remove(pa, s, s.vaddr(off))
	}
}
