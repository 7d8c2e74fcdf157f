package vm

import (
	"sync"

	"github.com/tamach/tamach/pmap"
)

// Pager is the kernel's side of a memory object: Mach's memory_object_*
// calls, made synchronously. Mach sends them as messages and lets the pager
// answer later (memory_object_data_supply); here a call returns when the
// pager is done, with the vm system's lock held, which is enough for a
// pager backed by memory or by a block device driven by polling.
type Pager interface {
	// Init tells the pager the object it backs exists and how large it is
	// (memory_object_init).
	Init(size uint64)

	// DataRequest fills dst with the data at the page-aligned offset
	// (memory_object_data_request). An error makes the faulting access
	// fail with KERN_MEMORY_ERROR.
	DataRequest(offset uint64, dst *[pmap.PageSize]byte) error

	// DataReturn takes the contents of a dirty page being paged out
	// (memory_object_data_return). An error keeps the page resident.
	DataReturn(offset uint64, src *[pmap.PageSize]byte) error

	// Terminate tells the pager the object is gone and its data may be
	// discarded (memory_object_terminate).
	Terminate()
}

// Transferrer is implemented by a pager that can move the data it holds for
// one object to another object's pager of the same store without the data
// passing through RAM: the default pager, whose per-object maps from offset
// to backing-store slot make a move a change of bookkeeping. Collapse uses
// it to merge a backing object whose paged-out data its shadow still needs
// (Mach moved the backing object's pager to its shadow instead, which only
// works when the shadow has none).
type Transferrer interface {
	Pager

	// Accepts reports whether Transfer can move data into dst: dst is a
	// pager of the same store (made by the same default pager).
	Accepts(dst Pager) bool

	// Transfer moves the data held at offset from to offset to of dst,
	// replacing whatever dst held there; this pager no longer holds
	// from. It cannot fail. Precondition: Accepts(dst), and this pager
	// holds data at from.
	Transfer(from uint64, dst Pager, to uint64)
}

// MemoryPager is a Pager that keeps page contents in Go memory: a test
// stand-in for the default pager (anonymous memory) and for a file pager
// (set Data before mapping). It is safe for concurrent use.
type MemoryPager struct {
	mu         sync.Mutex
	size       uint64
	pages      map[uint64]*[pmap.PageSize]byte
	fail       map[uint64]bool
	terminated bool

	// Requests, Returns and Transfers count DataRequest, DataReturn
	// and Transfer calls.
	Requests, Returns, Transfers int
}

// NewMemoryPager returns an empty MemoryPager: every page reads as zeros.
func NewMemoryPager() *MemoryPager {
	return &MemoryPager{pages: map[uint64]*[pmap.PageSize]byte{}, fail: map[uint64]bool{}}
}

// Init records the object size.
func (mp *MemoryPager) Init(size uint64) {
	mp.mu.Lock()
	mp.size = size
	mp.mu.Unlock()
}

// SetData stores data at offset, as a file's contents would be.
func (mp *MemoryPager) SetData(offset uint64, data []byte) {
	mp.mu.Lock()
	defer mp.mu.Unlock()
	for len(data) > 0 {
		pg := offset &^ pmap.PageMask
		f := mp.pages[pg]
		if f == nil {
			f = new([pmap.PageSize]byte)
			mp.pages[pg] = f
		}
		n := copy(f[offset-pg:], data)
		data, offset = data[n:], offset+uint64(n)
	}
}

// FailAt makes requests for the page at offset fail (a disk error).
func (mp *MemoryPager) FailAt(offset uint64) {
	mp.mu.Lock()
	mp.fail[offset&^pmap.PageMask] = true
	mp.mu.Unlock()
}

// DataRequest copies the stored page, or zeros, into dst.
func (mp *MemoryPager) DataRequest(offset uint64, dst *[pmap.PageSize]byte) error {
	mp.mu.Lock()
	defer mp.mu.Unlock()
	mp.Requests++
	if mp.fail[offset] {
		return KernMemoryError
	}
	if f := mp.pages[offset]; f != nil {
		*dst = *f
	} else {
		*dst = [pmap.PageSize]byte{}
	}
	return nil
}

// DataReturn stores a copy of src.
func (mp *MemoryPager) DataReturn(offset uint64, src *[pmap.PageSize]byte) error {
	mp.mu.Lock()
	defer mp.mu.Unlock()
	mp.Returns++
	if mp.fail[offset] {
		return KernMemoryError
	}
	f := new([pmap.PageSize]byte)
	*f = *src
	mp.pages[offset] = f
	return nil
}

// Terminate discards the contents.
func (mp *MemoryPager) Terminate() {
	mp.mu.Lock()
	mp.terminated = true
	mp.pages = map[uint64]*[pmap.PageSize]byte{}
	mp.mu.Unlock()
}

// Terminated reports whether Terminate was called.
func (mp *MemoryPager) Terminated() bool {
	mp.mu.Lock()
	defer mp.mu.Unlock()
	return mp.terminated
}

// Accepts reports whether dst is a MemoryPager: a MemoryPager moves its
// pages to another one without copying them.
func (mp *MemoryPager) Accepts(dst Pager) bool {
	_, ok := dst.(*MemoryPager)
	return ok
}

// Transfer moves the page stored at from to offset to of dst.
func (mp *MemoryPager) Transfer(from uint64, dst Pager, to uint64) {
	d, ok := dst.(*MemoryPager)
	if !ok || d == mp {
		panic("vm: MemoryPager.Transfer: destination is not another MemoryPager")
	}
	mp.mu.Lock()
	f := mp.pages[from]
	delete(mp.pages, from)
	mp.Transfers++
	mp.mu.Unlock()
	if f == nil {
		panic("vm: MemoryPager.Transfer: no data at the source offset")
	}
	d.mu.Lock()
	d.pages[to] = f
	d.mu.Unlock()
}
