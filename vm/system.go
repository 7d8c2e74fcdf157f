// Package vm is tamach's machine-independent virtual memory system, after
// Mach's (Rashid et al., "Machine-Independent Virtual Memory Management for
// Paged Uniprocessor and Multiprocessor Architectures", ASPLOS 1987; the
// osfmk/vm of XNU and vm/ of GNU Mach).
//
// The four data structures of the paper are here: resident pages (Page,
// page.go), memory objects (Object, object.go, with pagers in pager.go),
// address maps (Map, map.go) and the pmap, reached only through the
// contract in package pmap. The fault handler is in fault.go, the
// resident-page helpers it shares with the copy code (chain walk, page-in,
// zero-fill, page copy, allocation) in resident.go, the Mach VM calls in
// api_*.go, map copies in copy.go and copy_delay.go, pageout in pageout.go,
// the invariant checker in check.go. docs/vm.md draws the structures.
//
// Locking: one lock, System.mu, serialises the whole vm system today (one
// CPU). Fields carry the lock legend of the finer scheme Mach uses —
// (M) map lock, (O) object lock, (P) page queues lock, (C) constant — and
// the order in which those locks must be taken is
//
//	map → object (top of a shadow chain first) → page queues → pmap.
package vm

import (
	"sync"

	"github.com/tamach/tamach/pmap"
)

// Config describes the machine to NewSystem.
type Config struct {
	// Pmap is the machine's pmap system.
	Pmap pmap.System
	// Memory is the kernel's view of physical memory; it must cover the
	// page pool.
	Memory pmap.Memory
	// PoolBase and PoolSize give the physical range whose frames the vm
	// system manages: every page of every object comes from here. The
	// frames must be mapped nowhere, with their referenced and modified
	// attributes clear (a fresh pmap System's), as freePage leaves every
	// page it frees.
	PoolBase pmap.PAddr
	PoolSize uint64
	// DefaultPager, if set, creates the pager that takes the dirty pages
	// of an internal object when they must leave RAM. When nil, anonymous
	// memory is never paged out.
	DefaultPager func() Pager
	// PageoutPolicy chooses the free-page thresholds and the pages
	// pageout takes (pageout_policy.go). When nil, SecondChance.
	PageoutPolicy PageoutPolicy
}

// System is one instance of the vm system: the page pool, the objects and
// maps built on it, and the statistics.
type System struct {
	mu sync.Mutex

	pmap         pmap.System  // (C)
	mem          pmap.Memory  // (C)
	pool         *pagePool    // (P)
	defaultPager func() Pager // (P) set by Config or SetDefaultPager
	pageout      pageoutState // (P) policy, thresholds and daemon wakeup (pageout.go)

	stats      Statistics                // (P)
	nextID     uint64                    // (P)
	rng        uint64                    // (P) state of random (VM_FLAGS_RANDOM_ADDR)
	objects    map[*Object]struct{}      // (P) every live object, for leak checks
	maps       map[*Map]struct{}         // (P) every live map
	copies     map[*Copy]struct{}        // (P) every live map copy
	memEntries map[*MemoryEntry]struct{} // (P) every live memory entry
}

// NewSystem creates a vm system over the page pool cfg describes. It
// returns KERN_INVALID_ARGUMENT for a pool it cannot use, or a pageout
// policy whose thresholds do not fit the pool.
func NewSystem(cfg Config) (*System, error) {
	if cfg.Pmap == nil || cfg.Memory == nil || !cfg.PoolBase.Aligned() ||
		cfg.PoolSize < pmap.PageSize || cfg.PoolSize&pmap.PageMask != 0 ||
		uint64(cfg.PoolBase)+cfg.PoolSize < uint64(cfg.PoolBase) {
		return nil, KernInvalidArgument
	}
	s := &System{
		pmap:         cfg.Pmap,
		mem:          cfg.Memory,
		pool:         newPagePool(cfg.PoolBase, int(cfg.PoolSize>>pmap.PageShift)),
		defaultPager: cfg.DefaultPager,
		objects:      map[*Object]struct{}{},
		maps:         map[*Map]struct{}{},
		copies:       map[*Copy]struct{}{},
		memEntries:   map[*MemoryEntry]struct{}{},
	}
	if err := s.initPageout(cfg.PageoutPolicy); err != nil {
		return nil, err
	}
	return s, nil
}

// Statistics are the vm system's counters (Mach's vm_statistics).
type Statistics struct {
	FreeCount     uint64 // free pages
	ActiveCount   uint64 // pages on the active queue
	InactiveCount uint64 // pages on the inactive queue
	WireCount     uint64 // wired pages

	Faults        uint64 // faults taken: calls of Map.Fault (fast faults included) and kernel faults on user memory
	FastFaults    uint64 // of those, faults the pmap resolved itself (referenced/modified emulation)
	ZeroFills     uint64 // pages created zero-filled
	CowFaults     uint64 // pages copied for copy-on-write
	CopyPushes    uint64 // pages saved into a copy object before an in-place write
	Pageins       uint64 // pages read from a pager
	Pageouts      uint64 // pages written to a pager
	PageoutErrors uint64 // pageouts the pager refused (store full, I/O error): page kept
	PageinErrors  uint64 // page-ins the pager failed: the access got KERN_MEMORY_ERROR
	Reactivations uint64 // inactive pages found referenced and reactivated
	Reclaims      uint64 // pages freed by pageout (laundered ones included)
	Lookups       uint64 // objects looked at by shadow-chain walks (faults and copies)
	Hits          uint64 // lookups that found the page resident
	Collapses     uint64 // backing objects merged into their shadow
	Transfers     uint64 // paged-out pages moved between pagers by collapse
	Bypasses      uint64 // backing objects bypassed

	// Reusable memory (XNU's vm_page_stats_reusable, osfmk/vm/vm_pageout.h).
	ReusableCount        uint64 // pages reusable now
	Reusable             uint64 // pages made reusable
	Reused               uint64 // reusable pages taken back (reuse advice, or a fault)
	ReusablePagesSuccess uint64 // VM_BEHAVIOR_REUSABLE calls that succeeded
	ReusablePagesFailure uint64 // ... that failed
	ReusablePagesShared  uint64 // entries skipped by REUSABLE: their object is shared
	ReusableNonwritable  uint64 // REUSABLE calls refused for a read-only entry
	ReusePagesSuccess    uint64 // VM_BEHAVIOR_REUSE calls that succeeded
	ReusePagesFailure    uint64 // ... that failed
	CanReuseSuccess      uint64 // VM_BEHAVIOR_CAN_REUSE answers "yes"
	CanReuseFailure      uint64 // ... and "no"
	ReusableReclaimed    uint64 // reusable pages pageout freed without writing them
}

// Statistics reports the counters (vm_statistics / host_statistics64 with
// HOST_VM_INFO64).
func (s *System) Statistics() Statistics {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats
	st.FreeCount = uint64(s.pool.free.n)
	st.ActiveCount = uint64(s.pool.active.n)
	st.InactiveCount = uint64(s.pool.inactive.n)
	st.WireCount = uint64(len(s.pool.pages) - s.pool.free.n - s.pool.active.n - s.pool.inactive.n)
	return st
}

// PoolPages reports the number of frames in the page pool.
func (s *System) PoolPages() int { return len(s.pool.pages) }

// FreePages reports the number of free frames.
func (s *System) FreePages() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pool.free.n
}

// Objects reports the number of live objects.
func (s *System) Objects() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.objects)
}

// random returns the next value of the system's pseudo-random sequence
// (xorshift64*, Vigna 2016), which places VM_FLAGS_RANDOM_ADDR
// allocations. It is not a secret: tamach has no address-space layout
// randomisation to protect.
func (s *System) random() uint64 {
	if s.rng == 0 {
		s.rng = 0x9E3779B97F4A7C15
	}
	s.rng ^= s.rng >> 12
	s.rng ^= s.rng << 25
	s.rng ^= s.rng >> 27
	return s.rng * 0x2545F4914F6CDD1D
}

// roundPage rounds n up to a page multiple (round_page).
func roundPage(n uint64) uint64 { return (n + pmap.PageMask) &^ pmap.PageMask }

// truncPage rounds n down to a page multiple (trunc_page).
func truncPage(n uint64) uint64 { return n &^ pmap.PageMask }
