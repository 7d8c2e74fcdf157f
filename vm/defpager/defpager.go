// Package defpager is tamach's default pager: the pager that takes the
// dirty pages of anonymous memory (vm's internal objects) when they must
// leave RAM, and gives them back on a fault (Mach's default pager, GNU
// Mach's default_pager/, XNU's osfmk/default_pager).
//
// One DefaultPager manages one backing Store: a disk addressed in 4 KiB
// pages, such as a boot.BlockDevice (virtio-blk). Each disk page is a slot;
// a bitmap records which slots are in use. The vm system asks the
// DefaultPager for a Pager per internal object the first time one of its
// pages is paged out (vm.Config.DefaultPager = dp.NewPager); that Pager
// maps the object's page offsets to slots:
//
//	vm.Object ──pager──▶ Pager{offset → slot} ──┐
//	vm.Object ──pager──▶ Pager{offset → slot} ──┼──▶ DefaultPager ──▶ Store
//	                                             │    slot bitmap     disk page n = slot n
//
// A slot is allocated by the first DataReturn of an offset, rewritten in
// place by later ones (a page paged in, dirtied and paged out again reuses
// its slot), moved by Transfer when the vm collapses a shadow chain, and
// freed by Terminate when the object dies. There is no on-disk header: the
// data lives only as long as the kernel that wrote it (docs/pager.md).
//
// Locking: DefaultPager.mu guards the bitmap and every Pager's slot map.
// The vm system calls pagers with its own lock held, so the order is
// vm System.mu → DefaultPager.mu → the Store's driver. I/O is done with
// the lock held: with one CPU and a polled disk nothing could overlap it.
package defpager

import (
	"errors"
	"fmt"
	"sync"

	"github.com/tamach/tamach/pmap"
	"github.com/tamach/tamach/vm"
)

// PageSize is the size of a slot: one vm page, one disk page.
const PageSize = pmap.PageSize

// Store is a disk addressed in PageSize pages: what the default pager keeps
// pages on. boot.BlockDevice satisfies it (the vm packages do not import
// boot; the method set is the contract), and so does MemStore.
type Store interface {
	// Pages is the store's size in whole pages.
	Pages() uint64
	// ReadPage reads page n into p.
	ReadPage(n uint64, p *[PageSize]byte) error
	// WritePage writes p to page n.
	WritePage(n uint64, p *[PageSize]byte) error
	// Flush makes completed writes durable.
	Flush() error
}

// FailingStore is implemented by a Store that can tell a failed request
// from a failed device: Failed returns nil while the device still answers,
// and, once it has stopped answering (a request timed out, the device
// asked for a reset), the error that ended it. virtio-blk's Block
// implements it. A store without it only ever fails request by request.
type FailingStore interface {
	Failed() error
}

// Errors a Pager returns. The vm system keeps a page resident when
// DataReturn fails and reports KERN_MEMORY_ERROR when DataRequest fails;
// errors.Is tells the causes apart.
var (
	// ErrStoreFull: every slot is in use; the page was not written.
	ErrStoreFull = errors.New("defpager: backing store full")
	// ErrTerminated: the call came after Terminate.
	ErrTerminated = errors.New("defpager: pager terminated")
	// ErrBadOffset: the offset is not page-aligned or is beyond the
	// object.
	ErrBadOffset = errors.New("defpager: bad offset")
	// ErrNoStore: New was given no store, or one with no pages.
	ErrNoStore = errors.New("defpager: no backing store")
	// ErrDeviceFailed: the store's device stopped answering
	// (FailingStore); nothing is read or written any more.
	ErrDeviceFailed = errors.New("defpager: backing store device failed")
)

// IOError is a failed transfer between a slot and the store.
type IOError struct {
	Op   string // "read" or "write"
	Slot uint64
	Err  error // the store's error
}

func (e *IOError) Error() string {
	return fmt.Sprintf("defpager: %s of slot %d: %v", e.Op, e.Slot, e.Err)
}

// Unwrap returns the store's error.
func (e *IOError) Unwrap() error { return e.Err }

// Stats are the default pager's counters.
type Stats struct {
	Slots    uint64 // slots in the store (or the limit given to New)
	Used     uint64 // slots holding a page
	Peak     uint64 // most slots ever used at once
	Pagers   int    // live Pagers (objects that were paged out and not terminated)
	Writes   uint64 // DataReturn calls that wrote a slot
	Rewrites uint64 // ... of which rewrote a slot the offset already had
	Reads    uint64 // DataRequest calls that read a slot
	Zeros    uint64 // DataRequest calls for an offset never returned: zeros
	Full     uint64 // DataReturn calls refused with ErrStoreFull
	Moves    uint64 // slots moved between pagers by Transfer
	ReadErr  uint64 // reads the store failed
	WriteErr uint64 // writes the store failed
	Retired  uint64 // slots taken out of use after a failed write
	Failed   bool   // the device stopped answering: no I/O since
}

// DefaultPager manages one Store: its slot bitmap and the Pagers of the
// objects paged out to it.
type DefaultPager struct {
	mu     sync.Mutex
	store  Store               // (C)
	slots  slotMap             // (mu)
	bad    map[uint64]bool     // (mu) retired slots: a write to them failed
	pagers map[*Pager]struct{} // (mu) live pagers, for Check
	stats  Stats               // (mu)
	failed error               // (mu) why the device stopped answering, nil while it answers

	// OnRetire, when set, is told of each slot taken out of use (the
	// kernel prints a line). Called with mu held: it must not call back
	// into the DefaultPager.
	OnRetire func(slot uint64, err error)

	// OnFail, when set, is told once that the store's device stopped
	// answering (FailingStore). Called with mu held, as OnRetire.
	OnFail func(err error)
}

// New returns a default pager over store using its first limit pages as
// slots (all of them when limit is 0 or larger than the store).
func New(store Store, limit uint64) (*DefaultPager, error) {
	if store == nil {
		return nil, ErrNoStore
	}
	n := store.Pages()
	if limit != 0 && limit < n {
		n = limit
	}
	if n == 0 {
		return nil, ErrNoStore
	}
	dp := &DefaultPager{store: store, slots: newSlotMap(n), bad: map[uint64]bool{}, pagers: map[*Pager]struct{}{}}
	dp.stats.Slots = n
	return dp, nil
}

// NewPager returns a Pager for one internal object. Its type fits
// vm.Config.DefaultPager, which the vm calls when an object is first paged
// out (Mach creates the default pager's memory object lazily the same way).
func (dp *DefaultPager) NewPager() vm.Pager {
	p := &Pager{dp: dp, slots: map[uint64]uint64{}}
	dp.mu.Lock()
	dp.pagers[p] = struct{}{}
	dp.stats.Pagers++
	dp.mu.Unlock()
	return p
}

// Stats reports the counters.
func (dp *DefaultPager) Stats() Stats {
	dp.mu.Lock()
	defer dp.mu.Unlock()
	st := dp.stats
	st.Used = dp.slots.used - dp.unownedBad()
	return st
}

// String names the pager in reports: the default pager and its disk.
func (dp *DefaultPager) String() string {
	if n, ok := dp.store.(interface{ Name() string }); ok {
		return "default pager on " + n.Name()
	}
	return "default pager"
}

// A slot whose write fails is retired: it stays marked in use in the
// bitmap for good, so that alloc never hands it out again, and the page
// goes to another slot (DataReturn). A retired slot that still maps an
// offset (a rewrite in place that failed and could not be redone
// elsewhere) keeps that mapping until the offset's data is replaced or
// freed, and is never freed itself.

// retire takes slot s out of use after the store failed err writing it.
// Precondition: dp.mu held.
func (dp *DefaultPager) retire(s uint64, err error) {
	if dp.bad[s] || errors.Is(err, ErrDeviceFailed) {
		return // a failed device is not a bad slot
	}
	dp.bad[s] = true
	dp.stats.Retired++
	if dp.OnRetire != nil {
		dp.OnRetire(s, err)
	}
}

// freeSlot performs in use → free for slot s, except for a retired slot,
// which stays marked. Precondition: dp.mu held.
func (dp *DefaultPager) freeSlot(s uint64) {
	if !dp.bad[s] {
		dp.slots.free(s)
	}
}

// unownedBad counts the retired slots no offset maps. Precondition: dp.mu
// held.
func (dp *DefaultPager) unownedBad() uint64 {
	owned := uint64(0)
	for p := range dp.pagers {
		for _, s := range p.slots {
			if dp.bad[s] {
				owned++
			}
		}
	}
	return uint64(len(dp.bad)) - owned
}

// Flush makes every slot written so far durable. Paging never needs it
// (the data does not outlive the kernel, and a disk returns what was last
// written even from its cache); it is here for a clean shutdown.
func (dp *DefaultPager) Flush() error {
	dp.mu.Lock()
	defer dp.mu.Unlock()
	return dp.store.Flush()
}

// Check verifies that the bitmap and the pagers' slot maps agree: every
// slot a pager maps is in use and mapped once, and every slot in use is
// mapped by some pager. It returns the first disagreement.
func (dp *DefaultPager) Check() error {
	dp.mu.Lock()
	defer dp.mu.Unlock()
	owner := map[uint64]uint64{}
	for p := range dp.pagers {
		for off, s := range p.slots {
			if !dp.slots.inUse(s) {
				return fmt.Errorf("defpager: offset %#x maps free slot %d", off, s)
			}
			if _, dup := owner[s]; dup {
				return fmt.Errorf("defpager: slot %d mapped twice", s)
			}
			owner[s] = off
		}
	}
	for s := range dp.bad {
		if !dp.slots.inUse(s) {
			return fmt.Errorf("defpager: retired slot %d is free", s)
		}
		if _, mapped := owner[s]; !mapped {
			owner[s] = ^uint64(0) // marked for good, mapped by nobody
		}
	}
	if c := dp.slots.count(); c != dp.slots.used || c != uint64(len(owner)) {
		return fmt.Errorf("defpager: %d slots marked, %d counted used, %d mapped or retired", c, dp.slots.used, len(owner))
	}
	if len(dp.pagers) != dp.stats.Pagers {
		return fmt.Errorf("defpager: %d pagers listed, %d counted", len(dp.pagers), dp.stats.Pagers)
	}
	return nil
}

// A device that stops answering is not a bad slot. When a transfer fails
// and the store says its device has failed (FailingStore), the default
// pager stops using it: no slot is retired for it, every later
// DataReturn fails at once (the vm keeps the page resident and dirty, as
// when the store is full), and every later DataRequest fails at once (the
// task that needs the page is killed with KERN_MEMORY_ERROR). Without
// this, each page-out would retire slots of a healthy disk one by one and
// wait for each request to time out.

// deviceFailed reports whether the store's device has stopped answering,
// noting it (and telling OnFail) the first time. Precondition: dp.mu held.
func (dp *DefaultPager) deviceFailed() bool {
	if dp.failed != nil {
		return true
	}
	fs, ok := dp.store.(FailingStore)
	if !ok {
		return false
	}
	err := fs.Failed()
	if err == nil {
		return false
	}
	dp.failed = err
	dp.stats.Failed = true
	if dp.OnFail != nil {
		dp.OnFail(err)
	}
	return true
}

// writeSlot writes src to slot s. Precondition: dp.mu held.
func (dp *DefaultPager) writeSlot(s uint64, src *[PageSize]byte) error {
	if dp.failed != nil {
		return &IOError{Op: "write", Slot: s, Err: fmt.Errorf("%w: %w", ErrDeviceFailed, dp.failed)}
	}
	if err := dp.store.WritePage(s, src); err != nil {
		dp.stats.WriteErr++
		if dp.deviceFailed() {
			err = fmt.Errorf("%w: %w", ErrDeviceFailed, err)
		}
		return &IOError{Op: "write", Slot: s, Err: err}
	}
	return nil
}

// readSlot reads slot s into dst. Precondition: dp.mu held.
func (dp *DefaultPager) readSlot(s uint64, dst *[PageSize]byte) error {
	if dp.failed != nil {
		return &IOError{Op: "read", Slot: s, Err: fmt.Errorf("%w: %w", ErrDeviceFailed, dp.failed)}
	}
	if err := dp.store.ReadPage(s, dst); err != nil {
		dp.stats.ReadErr++
		if dp.deviceFailed() {
			err = fmt.Errorf("%w: %w", ErrDeviceFailed, err)
		}
		return &IOError{Op: "read", Slot: s, Err: err}
	}
	return nil
}
