package kernel

import (
	"sync"

	"github.com/tamach/tamach/pmap"
)

// FramePool hands out the page frames of a physical range, one bit per
// frame, lowest free frame first. It is the kernel's allocator for page-table
// frames until the vm page layer owns the pool. It implements pmap.Frames.
//
// Frames are zeroed through Memory when handed out (pmap.Frames promises
// zeroed frames). mu guards every field; it is a leaf lock.
type FramePool struct {
	mu     sync.Mutex
	mem    pmap.Memory
	base   pmap.PAddr
	used   []uint64 // bit i set: frame base+i*PageSize is handed out
	free   int      // frames not handed out
	cursor int      // a word index at or before the lowest free frame
}

// NewFramePool returns an allocator for the frames of [start, end).
// Precondition: start and end are page-aligned and start < end.
func NewFramePool(mem pmap.Memory, start, end pmap.PAddr) *FramePool {
	if !start.Aligned() || !end.Aligned() || start >= end {
		panic("kernel.NewFramePool: range must be page-aligned and non-empty")
	}
	n := int((end - start) / pmap.PageSize)
	p := &FramePool{mem: mem, base: start, used: make([]uint64, (n+63)/64), free: n}
	// Bits past the last frame are permanently "used".
	for i := n; i < len(p.used)*64; i++ {
		p.used[i/64] |= 1 << (i % 64)
	}
	return p
}

// AllocFrame implements pmap.Frames.
func (p *FramePool) AllocFrame() (pmap.PAddr, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for w := p.cursor; w < len(p.used); w++ {
		if p.used[w] == ^uint64(0) {
			continue
		}
		bit := trailingOnes(p.used[w])
		p.used[w] |= 1 << bit
		p.free--
		p.cursor = w
		pa := p.base + pmap.PAddr(w*64+bit)*pmap.PageSize
		clear(p.mem.Frame(pa)[:])
		return pa, true
	}
	return 0, false
}

// FreeFrame implements pmap.Frames. Freeing a frame that is not handed out
// is a broken invariant and panics.
func (p *FramePool) FreeFrame(pa pmap.PAddr) {
	p.mu.Lock()
	defer p.mu.Unlock()
	i := int((pa - p.base) / pmap.PageSize)
	if pa < p.base || !pa.Aligned() || i >= len(p.used)*64 || p.used[i/64]&(1<<(i%64)) == 0 {
		panic("kernel.FramePool.FreeFrame: frame not handed out by this pool")
	}
	p.used[i/64] &^= 1 << (i % 64)
	p.free++
	if i/64 < p.cursor {
		p.cursor = i / 64
	}
}

// Free is the number of frames not handed out.
func (p *FramePool) Free() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.free
}

func trailingOnes(w uint64) int {
	n := 0
	for w&1 != 0 {
		w >>= 1
		n++
	}
	return n
}
