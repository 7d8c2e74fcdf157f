// Package pmap is the contract between the machine-independent virtual memory
// system (package vm) and the machine-dependent page-table code (packages
// pmap/amd64 and pmap/arm64).
//
// The vm package never sees a page-table entry. It describes what it wants
// mapped (a virtual page, a physical frame, a protection) and asks questions
// about physical pages (is it modified? referenced?); an implementation of
// this contract turns that into the MMU's format and keeps the TLB coherent.
//
// The routines are grouped as GNU Mach groups them in vm/pmap.h:
//
//   - whole address spaces: create, reference, destroy, activate, statistics
//     (type System and the address-space half of type Pmap);
//   - virtual ranges of one address space: Enter, Remove, Protect, Extract,
//     SetWired (type Pmap);
//   - physical pages, across every address space that maps them:
//     PageProtect, ZeroPage, CopyPage, and SyncCache for the caches
//     (type System);
//   - the referenced and modified bits of physical pages: IsModified,
//     ClearModify, IsReferenced, ClearReference (type System), and FastFault
//     for machines that emulate them in software (type Pmap).
//
// All addresses and sizes are in bytes; every address handed to the contract
// must be aligned to PageSize. Implementations return errors (never panic) for
// addresses that are unaligned, non-canonical, beyond the machine's range, or
// in the kernel's range of a user address space, and leave the tables
// untouched when they do.
package pmap

import (
	"errors"
	"fmt"
)

// PageShift is log2 of the page size every implementation maps with (4 KiB
// pages: Intel SDM Vol. 3A §4.5; Arm ARM D8.2, 4KB translation granule).
const PageShift = 12

// PageSize is the size in bytes of one page and of one physical frame.
const PageSize = 1 << PageShift

// PageMask selects the offset of an address within its page.
const PageMask = PageSize - 1

// PAddr is a physical address: what the MMU puts on the bus.
type PAddr uint64

// VAddr is a virtual address: what a program or the kernel dereferences.
type VAddr uint64

// Aligned reports whether pa is aligned to PageSize.
func (pa PAddr) Aligned() bool { return pa&PageMask == 0 }

// Aligned reports whether va is aligned to PageSize.
func (va VAddr) Aligned() bool { return va&PageMask == 0 }

// Trunc rounds va down to a page boundary.
func (va VAddr) Trunc() VAddr { return va &^ PageMask }

// Trunc rounds pa down to a page boundary.
func (pa PAddr) Trunc() PAddr { return pa &^ PageMask }

func (pa PAddr) String() string { return fmt.Sprintf("pa:%#x", uint64(pa)) }
func (va VAddr) String() string { return fmt.Sprintf("va:%#x", uint64(va)) }

// Prot is an access protection, with Mach's VM_PROT_* values, so that a vm
// protection converts to a pmap protection without translation.
type Prot uint8

// Protections. Whether user mode may use a mapping is not part of Prot: it
// follows from the address space (see Kind) and from the Kernel flag.
const (
	ProtNone    Prot = 0
	ProtRead    Prot = 1 << 0 // VM_PROT_READ
	ProtWrite   Prot = 1 << 1 // VM_PROT_WRITE
	ProtExecute Prot = 1 << 2 // VM_PROT_EXECUTE

	ProtAll = ProtRead | ProtWrite | ProtExecute
)

// Allows reports whether every access in want is permitted by p.
func (p Prot) Allows(want Prot) bool { return p&want == want }

func (p Prot) String() string {
	b := []byte("---")
	if p&ProtRead != 0 {
		b[0] = 'r'
	}
	if p&ProtWrite != 0 {
		b[1] = 'w'
	}
	if p&ProtExecute != 0 {
		b[2] = 'x'
	}
	return string(b)
}

// Flags qualify one mapping made by Enter.
type Flags uint8

const (
	// Wired mappings are counted in Stats.Wired; the vm system never asks
	// the pmap to drop them behind its back (Mach's pmap_enter "wired").
	Wired Flags = 1 << iota

	// Device maps device registers: uncached, no speculation, no
	// gathering (x86 PCD|PWT, SDM Vol. 3A §4.9; Arm Device-nGnRE, Arm ARM
	// B2.7.2). Device mappings are never reported as managed pages.
	Device

	// Kernel makes a supervisor-only mapping. In a kernel address space
	// every mapping is supervisor-only and the flag is implied. In a user
	// address space it is the only way to map into the kernel's range
	// (the trap trampoline mapped at the same high address in every
	// space).
	Kernel
)

// Kind tells what an address space is for.
type Kind uint8

const (
	// KindUser is a task's address space: it owns the lower half of the
	// virtual address space, and mappings there are reachable from user
	// mode (ring 3 / EL0).
	KindUser Kind = iota

	// KindKernel is the kernel's own address space: an identity map of
	// RAM and devices, supervisor-only.
	KindKernel
)

func (k Kind) String() string {
	if k == KindKernel {
		return "kernel"
	}
	return "user"
}

// Stats counts what one address space holds.
type Stats struct {
	Resident   uint64 // 4 KiB pages mapped (a large page counts as its 4 KiB pages)
	Wired      uint64 // of those, mapped with the Wired flag
	TablePages uint64 // frames used for the page tables themselves, root included
}

// Pmap is one address space: Mach's pmap_t.
//
// A Pmap is not safe for concurrent use; the vm system serialises calls on a
// space with its map lock.
type Pmap interface {
	// Kind reports whether this is a user or the kernel address space.
	Kind() Kind

	// Enter maps the page at va to the frame at pa with protection prot,
	// replacing any mapping of va (Mach's pmap_enter). A mapping whose
	// protection is ProtNone is not made: va is left unmapped.
	// Precondition: va and pa are page-aligned.
	// Postcondition: the TLB holds no stale translation for va.
	Enter(va VAddr, pa PAddr, prot Prot, flags Flags) error

	// Remove unmaps every page in [start, end) (Mach's pmap_remove).
	// Holes are not an error. Table pages left empty are freed.
	Remove(start, end VAddr) error

	// Protect lowers the protection of every mapped page in [start, end)
	// to prot (Mach's pmap_protect): it never adds a right a mapping did
	// not have. ProtNone removes the mappings. Holes are not an error.
	Protect(start, end VAddr, prot Prot) error

	// Extract translates va (Mach's pmap_extract). ok is false when va is
	// not mapped. prot is the mapping's effective protection.
	Extract(va VAddr) (pa PAddr, prot Prot, ok bool)

	// SetWired changes the wired attribute of the existing mapping at va
	// (Mach's pmap_change_wiring). It is an error if va is not mapped.
	SetWired(va VAddr, wired bool) error

	// FastFault resolves a fault the hardware raised only because the
	// pmap emulates referenced or modified bits in software (Arm without
	// FEAT_HAFDBS: an Access Flag fault, or a write to a page mapped
	// read-only until its first write). It returns true if the fault is
	// resolved and the access can be retried; false if the vm fault
	// handler must handle it. Machines whose MMU keeps the bits (x86-64)
	// always return false. access is the access that faulted.
	FastFault(va VAddr, access Prot) bool

	// Activate makes this the address space the CPU translates through
	// (CR3 on x86-64, TTBR0_EL1 on Arm), with its PCID or ASID.
	Activate()

	// Root is the physical address of the top-level table, the value
	// (without tag bits) that Activate loads.
	Root() PAddr

	// Reference adds a reference to the space (Mach's pmap_reference).
	Reference()

	// Destroy drops a reference (Mach's pmap_destroy). When the last
	// reference goes, every mapping is removed and every table page,
	// the root included, is returned to the frame allocator.
	Destroy()

	// Stats reports the resident and wired page counts and the number of
	// table pages in use.
	Stats() Stats
}

// System is the machine-wide half of the contract: address-space creation
// and every operation that concerns a physical page wherever it is mapped.
// It keeps the reverse mappings (physical page to every (space, va) mapping
// it) that PageProtect needs and that copy-on-write and pageout rely on.
type System interface {
	// Create makes an empty address space of the given kind with one
	// reference (Mach's pmap_create).
	Create(kind Kind) (Pmap, error)

	// PageProtect lowers every mapping of the managed frame pa to prot
	// (Mach's pmap_page_protect): ProtNone removes them all; read-only
	// (and read-execute) protections revoke write access everywhere.
	PageProtect(pa PAddr, prot Prot)

	// IsModified reports whether the frame was written through any
	// mapping since the last ClearModify, including mappings removed
	// since then (Mach's pmap_is_modified).
	IsModified(pa PAddr) bool

	// ClearModify clears the modified state of the frame in every
	// mapping of it (Mach's pmap_clear_modify).
	ClearModify(pa PAddr)

	// IsReferenced reports whether the frame was accessed through any
	// mapping since the last ClearReference (Mach's
	// pmap_is_referenced).
	IsReferenced(pa PAddr) bool

	// ClearReference clears the referenced state of the frame in every
	// mapping of it (Mach's pmap_clear_reference).
	ClearReference(pa PAddr)

	// ZeroPage fills the frame at pa with zeros (Mach's pmap_zero_page).
	ZeroPage(pa PAddr)

	// CopyPage copies the frame at src to the frame at dst (Mach's
	// pmap_copy_page).
	CopyPage(src, dst PAddr)

	// SyncCache performs the cache maintenance op for the physical
	// range [pa, pa+size) of RAM (Mach's pmap_attribute_cache_sync, for
	// vm_machine_attribute(MATTR_CACHE)). A machine whose caches are
	// coherent for the operation asked does nothing.
	SyncCache(pa PAddr, size uint64, op CacheOp)
}

// CacheOp is a cache maintenance operation for System.SyncCache.
type CacheOp uint8

const (
	// CacheFlushData writes every dirty data-cache line of the range
	// back to memory and invalidates it, to the point of coherency, so
	// that a device or another observer that does not snoop the caches
	// sees memory as the CPU wrote it and the CPU rereads what it wrote
	// since (Arm ARM C6.2 DC CIVAC; MATTR_VAL_DCACHE_FLUSH).
	CacheFlushData CacheOp = iota + 1

	// CacheSyncInstructions makes instruction fetch see what was
	// written to the range as data: the data cache cleaned to the point
	// of unification, the instruction cache invalidated (Arm ARM C6.2
	// DC CVAU, IC IVAU, then DSB, ISB; MATTR_VAL_ICACHE_FLUSH,
	// MATTR_VAL_CACHE_SYNC).
	CacheSyncInstructions

	// CacheFlushAll is both (MATTR_VAL_CACHE_FLUSH: flush from all
	// caches).
	CacheFlushAll
)

func (op CacheOp) String() string {
	switch op {
	case CacheFlushData:
		return "flush-data"
	case CacheSyncInstructions:
		return "sync-instructions"
	case CacheFlushAll:
		return "flush-all"
	}
	return fmt.Sprintf("cache-op(%d)", uint8(op))
}

// Memory gives the CPU's view of physical memory: on bare metal, the
// kernel's identity map; in host tests, a byte arena standing in for RAM.
type Memory interface {
	// Frame returns the 4 KiB frame at the page-aligned address pa.
	// It panics if pa is not RAM the Memory covers: a caller passing such
	// an address has broken an invariant, not met a user error.
	Frame(pa PAddr) *[PageSize]byte
}

// Frames hands out physical frames for page tables, and takes them back.
type Frames interface {
	// AllocFrame returns a zeroed, page-aligned frame, or false when
	// none is left.
	AllocFrame() (PAddr, bool)

	// FreeFrame returns a frame AllocFrame handed out.
	FreeFrame(pa PAddr)
}

// Errors returned for bad arguments. They are matched with errors.Is; an
// implementation may wrap them with detail.
var (
	ErrUnaligned    = errors.New("pmap: address not page-aligned")
	ErrNonCanonical = errors.New("pmap: non-canonical virtual address")
	ErrOutOfRange   = errors.New("pmap: address beyond the machine's range")
	ErrKernelRange  = errors.New("pmap: kernel-range address in a user address space")
	ErrBadRange     = errors.New("pmap: range end below its start")
	ErrNoFrames     = errors.New("pmap: no frame for a page table")
	ErrNotMapped    = errors.New("pmap: address not mapped")
	ErrBadFlags     = errors.New("pmap: unknown flag or protection bits")
)

// WalkStep is one level of a translation-table walk as the MMU makes it:
// what the kernel's pmap command (and a student with gdb) reads to see how
// an address translates.
type WalkStep struct {
	Level   string // the manual's name for the level: "PML4E", "PDPTE", "PDE", "PTE"; "L0" to "L3"
	Index   int    // the entry's index in its table
	Table   PAddr  // the table's physical address
	Entry   uint64 // the entry, as the MMU reads it
	Decoded string // the entry's fields by the manual's names
}

// Walker is implemented by a Pmap that can show the walk of an address:
// one WalkStep per level read, ending at the leaf that maps it or at the
// first entry that does not (an invalid entry). Walk changes nothing: no
// table is created and no Accessed flag set.
type Walker interface {
	Walk(va VAddr) []WalkStep
}
