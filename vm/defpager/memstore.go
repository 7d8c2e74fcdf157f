package defpager

import (
	"errors"
	"sync"
)

// MemStore is a Store kept in Go memory: the backing store of host tests
// and benchmarks (and a RAM disk, were one wanted). Pages are allocated on
// first write; a page never written reads as zeros. A fault hook makes
// chosen transfers fail, as a broken disk would. It is safe for
// concurrent use.
type MemStore struct {
	mu     sync.Mutex
	pages  []*[PageSize]byte
	fault  func(write bool, n uint64) error
	reads  uint64
	writes uint64
}

// ErrOutOfRange is MemStore's error for a page number beyond the store.
var ErrOutOfRange = errors.New("defpager: page beyond the store")

// NewMemStore returns a MemStore of n pages.
func NewMemStore(n uint64) *MemStore { return &MemStore{pages: make([]*[PageSize]byte, n)} }

// Pages reports the store's size in pages.
func (m *MemStore) Pages() uint64 { return uint64(len(m.pages)) }

// SetFault installs f, called before every transfer: a non-nil result
// fails the transfer with that error and leaves the page untouched. A nil
// f removes the hook.
func (m *MemStore) SetFault(f func(write bool, n uint64) error) {
	m.mu.Lock()
	m.fault = f
	m.mu.Unlock()
}

// ReadPage copies page n into p.
func (m *MemStore) ReadPage(n uint64, p *[PageSize]byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.check(false, n); err != nil {
		return err
	}
	m.reads++
	if src := m.pages[n]; src != nil {
		*p = *src
	} else {
		*p = [PageSize]byte{}
	}
	return nil
}

// WritePage copies p into page n.
func (m *MemStore) WritePage(n uint64, p *[PageSize]byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.check(true, n); err != nil {
		return err
	}
	m.writes++
	if m.pages[n] == nil {
		m.pages[n] = new([PageSize]byte)
	}
	*m.pages[n] = *p
	return nil
}

// check validates n and consults the fault hook. Precondition: m.mu held.
func (m *MemStore) check(write bool, n uint64) error {
	if n >= uint64(len(m.pages)) {
		return ErrOutOfRange
	}
	if m.fault != nil {
		return m.fault(write, n)
	}
	return nil
}

// Flush does nothing: memory is as durable as a MemStore gets.
func (m *MemStore) Flush() error { return nil }

// IO reports the reads and writes that succeeded.
func (m *MemStore) IO() (reads, writes uint64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.reads, m.writes
}
