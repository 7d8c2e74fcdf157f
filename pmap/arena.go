package pmap

import "fmt"

// Arena is a range of host memory standing in for physical RAM, so that page
// tables and page contents can be built and checked by host tests exactly as
// the kernel builds them in real RAM. It implements Memory, and Frames over
// the whole range with a LIFO free list.
type Arena struct {
	base  PAddr
	words []uint64 // backing store, as words so that tables are 8-byte aligned
	free  []PAddr  // frames not handed out, popped from the end
	inUse int      // frames handed out by AllocFrame and not yet freed
	limit int      // AllocFrame fails once inUse reaches limit (0: no limit)
}

// NewArena returns an arena of size bytes whose first frame has physical
// address base. Precondition: base and size are page-aligned, size > 0.
func NewArena(base PAddr, size uint64) *Arena {
	if !base.Aligned() || size == 0 || size&PageMask != 0 {
		panic("pmap.NewArena: base and size must be page-aligned, size non-zero")
	}
	n := int(size / PageSize)
	a := &Arena{base: base, words: make([]uint64, size/8), free: make([]PAddr, 0, n)}
	for i := n - 1; i >= 0; i-- {
		a.free = append(a.free, base+PAddr(i)*PageSize)
	}
	return a
}

// Base is the physical address of the arena's first frame.
func (a *Arena) Base() PAddr { return a.base }

// End is the physical address just past the arena's last frame.
func (a *Arena) End() PAddr { return a.base + PAddr(len(a.words)*8) }

// Contains reports whether pa lies inside the arena.
func (a *Arena) Contains(pa PAddr) bool { return pa >= a.base && pa < a.End() }

// Frame implements Memory.
func (a *Arena) Frame(pa PAddr) *[PageSize]byte {
	if !pa.Aligned() || !a.Contains(pa) {
		panic(fmt.Sprintf("pmap.Arena.Frame: %v is not a frame of the arena", pa))
	}
	i := int(pa-a.base) / 8
	return wordsAsFrame(a.words[i : i+PageSize/8])
}

// AllocFrame implements Frames: it returns a zeroed frame.
func (a *Arena) AllocFrame() (PAddr, bool) {
	if len(a.free) == 0 || (a.limit > 0 && a.inUse >= a.limit) {
		return 0, false
	}
	pa := a.free[len(a.free)-1]
	a.free = a.free[:len(a.free)-1]
	a.inUse++
	clear(a.Frame(pa)[:])
	return pa, true
}

// FreeFrame implements Frames.
func (a *Arena) FreeFrame(pa PAddr) {
	if !pa.Aligned() || !a.Contains(pa) {
		panic("pmap.Arena.FreeFrame: frame not from this arena")
	}
	a.free = append(a.free, pa)
	a.inUse--
}

// InUse is the number of frames handed out and not freed: a leak check.
func (a *Arena) InUse() int { return a.inUse }

// SetLimit makes AllocFrame fail once n frames are in use (0 removes the
// limit), so tests can exercise running out of table pages.
func (a *Arena) SetLimit(n int) { a.limit = n }
