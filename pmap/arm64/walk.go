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
func loadLeaf(slot *uint64) uint64 { return atomic.LoadUint64(slot) }

// storeLeaf writes an entry that is currently invalid.
func storeLeaf(slot *uint64, d uint64) { atomic.StoreUint64(slot, d) }

// swapLeaf replaces a descriptor and returns the last value the hardware
// left in it.
func swapLeaf(slot *uint64, d uint64) uint64 { return atomic.SwapUint64(slot, d) }

// updateLeaf clears then sets bits of a leaf and returns its old value.
func updateLeaf(slot *uint64, clearBits, setBits uint64) uint64 {
	for {
		old := atomic.LoadUint64(slot)
		if atomic.CompareAndSwapUint64(slot, old, old&^clearBits|setBits) {
			return old
		}
	}
}

// bump moves the entry count kept in the table descriptor counter by delta.
// counter is nil for the root table, which is never freed before Destroy
// and needs no count. Table descriptors are never written by the hardware.
func bump(counter *uint64, delta int) {
	if counter != nil {
		*counter = withCount(*counter, delta)
	}
}

// table views the table frame at pa.
func (s *Space) table(pa pmap.PAddr) *[pmap.Entries]uint64 { return pmap.Table(s.sys.mem, pa) }

// lookup finds the leaf translating the offset off: its slot and level, or
// a nil slot if off is not mapped.
func (s *Space) lookup(off uint64) (*uint64, int) {
	tbl := s.table(s.root)
	for l := 0; l < levels; l++ {
		slot := &tbl[index(off, l)]
		d := *slot
		switch {
		case !valid(d):
			return nil, 0
		case isTable(d, l):
			tbl = s.table(outputAddr(d, l))
		default:
			return slot, l
		}
	}
	panic("arm64.Space.lookup: level 3 entry is a table")
}

// walkCreate returns the slot at level target for the offset off, creating
// missing tables and splitting blocks above target, and the table descriptor
// that counts the entries of the slot's table (nil if that is the root).
// On ErrNoFrames, tables it created may be left empty: the caller prunes.
func (s *Space) walkCreate(off uint64, target int) (slot, counter *uint64, err error) {
	tbl := s.table(s.root)
	for l := 0; l < target; l++ {
		slot = &tbl[index(off, l)]
		if !valid(*slot) {
			if err = s.newTable(slot, counter); err != nil {
				return nil, nil, err
			}
		} else if !isTable(*slot, l) {
			if err = s.split(slot, l, off&^(levelSize(l)-1)); err != nil {
				return nil, nil, err
			}
		}
		counter = slot
		tbl = s.table(outputAddr(*slot, l))
	}
	return &tbl[index(off, target)], counter, nil
}

// newTable links a fresh empty table into the invalid slot.
func (s *Space) newTable(slot, counter *uint64) error {
	pa, ok := s.sys.frames.AllocFrame()
	if !ok {
		return pmap.ErrNoFrames
	}
	*slot = tableDesc(pa, 0)
	bump(counter, 1)
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
func (s *Space) split(slot *uint64, l int, base uint64) error {
	pa, ok := s.sys.frames.AllocFrame()
	if !ok {
		return pmap.ErrNoFrames
	}
	block := loadLeaf(slot)
	if block&swTracked != 0 {
		panic("arm64.Space.split: blocks are never tracked")
	}
	child := s.table(pa)
	step := levelSize(l + 1)
	attrs := block &^ (descOAMask | descValid | descTable)
	first := uint64(outputAddr(block, l))
	for i := range child {
		child[i] = first + uint64(i)*step | attrs | leafType(l+1)
	}
	swapLeaf(slot, 0)
	s.invalidate(base)
	*slot = tableDesc(pa, pmap.Entries)
	s.publish()
	s.stats.TablePages++
	return nil
}

// freeTable unlinks the empty table at slot (level l, covering offsets from
// base) and returns its frame. The TLBI by VA also removes walk-cache
// entries holding the table descriptor (VAE1IS applies to every level), so
// no walker can reach the frame once it is reused.
func (s *Space) freeTable(slot *uint64, l int, base uint64, counter *uint64) {
	d := *slot
	if tableCount(d) != 0 {
		panic("arm64.Space.freeTable: table not empty")
	}
	*slot = 0
	bump(counter, -1)
	s.invalidate(base)
	s.sys.frames.FreeFrame(outputAddr(d, l))
	s.stats.TablePages--
}

// prune frees the tables on the walk to off that are empty, from the bottom
// up: what a failed walkCreate leaves behind.
func (s *Space) prune(off uint64) {
	var path [leafLevel]*uint64 // table descriptors at L0..L2
	n := 0
	tbl := s.table(s.root)
	for l := 0; l < leafLevel; l++ {
		slot := &tbl[index(off, l)]
		if !isTable(*slot, l) {
			break
		}
		path[n] = slot
		n++
		tbl = s.table(outputAddr(*slot, l))
	}
	for l := n - 1; l >= 0 && tableCount(*path[l]) == 0; l-- {
		var counter *uint64
		if l > 0 {
			counter = path[l-1]
		}
		s.freeTable(path[l], l, off&^(levelSize(l)-1), counter)
	}
}

// freeTree drops every mapping of the level-l table at pa, whose first
// entry maps the offset base, and frees every table below it (Destroy, after
// the space's TLB entries are flushed).
func (s *Space) freeTree(pa pmap.PAddr, l int, base uint64) {
	tbl := s.table(pa)
	for i, d := range tbl {
		off := base + uint64(i)<<levelShift(l)
		switch {
		case !valid(d):
			continue
		case isTable(d, l):
			child := outputAddr(d, l)
			s.freeTree(child, l+1, off)
			s.sys.frames.FreeFrame(child)
		default:
			s.forgetLeaf(d, l, off)
		}
		tbl[i] = 0
	}
}

// forgetLeaf removes the leaf d of a dying space from the reverse map.
func (s *Space) forgetLeaf(d uint64, l int, off uint64) {
	if pa := outputAddr(d, l); s.sys.inRmap(d, pa) {
		s.sys.foldLeaf(d, pa)
		s.sys.rmap.Remove(pa, s, s.vaddr(off))
	}
}

// casLeaf replaces the leaf old at slot by d if the hardware has not changed
// it meanwhile.
func casLeaf(slot *uint64, old, d uint64) bool { return atomic.CompareAndSwapUint64(slot, old, d) }
