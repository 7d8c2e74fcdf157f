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

// MemoryPager is a Pager that keeps page contents in Go memory: a test
// stand-in for the default pager (anonymous memory) and for a file pager
// (set Data before mapping). It is safe for concurrent use.
type MemoryPager struct {
	mu         sync.Mutex
	size       uint64
	pages      map[uint64]*[pmap.PageSize]byte
	fail       map[uint64]bool
	terminated bool

	// Requests and Returns count DataRequest and DataReturn calls.
	Requests, Returns int
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
