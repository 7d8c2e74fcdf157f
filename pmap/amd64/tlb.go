package amd64

// TLB maintenance and PCIDs.
//
// The rules, for one CPU (Intel SDM Vol. 3A §4.10):
//
//   - The active space is the one whose tables CR3 holds (set by Activate).
//     A changed or removed leaf of the active space is invalidated at once
//     with INVLPG, which also drops the current PCID's paging-structure-cache
//     entries (§4.10.4.1).
//   - Without PCIDs every MOV to CR3 drops all non-global translations
//     (§4.10.4.1), and tamach maps nothing Global, so a space that is not
//     active needs nothing: its next load starts from an empty TLB.
//   - With PCIDs, entries tagged with a space's PCID survive while other
//     spaces run, and come back into use when CR3 is loaded with bit 63
//     (no-flush) set. A change to a space that is not active is therefore
//     invalidated by INVPCID type 0 (individual address) when the CPU has
//     INVPCID, or else recorded in flushOnLoad so that the space's next CR3
//     value has bit 63 clear and drops the PCID's entries (§4.10.4.1).
//   - PCIDs 1..4095 are handed out to user spaces in generations. A space
//     keeps its PCID while its pcidGen equals the System's; when the
//     4095 are used up, the generation advances, every space loses its
//     PCID, and each takes a new one at its next load. A PCID handed out
//     again may still tag another space's entries, so it is flushed before
//     first use: INVPCID type 1 (single context) when available, else the
//     first load leaves bit 63 clear.
//   - PCID 0 belongs to the kernel's space (and is the only PCID when the
//     CPU has none). If several kernel spaces exist, a kernel space loaded
//     after another one flushes PCID 0.
//   - Range operations invalidate page by page up to batchLimit pages and
//     then drop the whole PCID once at the end instead.

import "github.com/tamach/tamach/pmap"

// PCID is a process-context identifier: the 12-bit tag the processor attaches
// to TLB and paging-structure-cache entries when CR4.PCIDE = 1 (Intel SDM
// Vol. 3A §4.10.1).
type PCID uint16

// Process-context identifiers.
const (
	// KernelPCID tags the kernel's own tables; it is also the PCID every
	// space uses when the CPU has no PCIDs (with CR4.PCIDE = 0 the
	// processor behaves as if PCID 000H is current, §4.10.1).
	KernelPCID PCID = 0
	// maxPCID is the largest PCID: CR3 bits 11:0 (§4.10.1).
	maxPCID PCID = 1<<12 - 1
)

// batchLimit is how many pages one range operation invalidates one by one
// before it falls back to dropping every entry of the space's PCID.
const batchLimit = 32

// batch gathers the TLB maintenance of one range operation on one space.
type batch struct {
	s     *Space
	n     int
	whole bool
}

// add invalidates va, or notes that the whole PCID will be flushed.
func (b *batch) add(va pmap.VAddr) {
	if b.whole {
		return
	}
	if b.n == batchLimit {
		b.whole = true
		return
	}
	b.n++
	b.s.invalidate(va)
}

// finish completes the batch: the PCID-wide flush if it overflowed.
func (b *batch) finish() {
	if b.whole {
		b.s.invalidateAll()
	}
}

// live reports whether TLB entries tagged with s's PCID can be used again
// without a flush: the CPU has PCIDs and s's PCID is still its own.
func (s *Space) live() bool {
	sys := s.sys
	if !sys.feat.PCID {
		return false
	}
	if s.kind == pmap.KindKernel {
		return sys.pcid0Owner == s
	}
	return s.pcidGen == sys.pcidGen
}

// invalidate drops every cached translation of the page holding va in s.
func (s *Space) invalidate(va pmap.VAddr) {
	sys := s.sys
	switch {
	case sys.active == s:
		sys.cpu.InvalidatePage(va)
	case !s.live():
		// The next load of s flushes its PCID anyway.
	case sys.feat.INVPCID:
		sys.cpu.InvalidateAddress(s.pcid, va)
	default:
		s.flushOnLoad = true
	}
}

// invalidateAll drops every cached translation of s.
func (s *Space) invalidateAll() {
	sys := s.sys
	switch {
	case sys.active == s:
		sys.cpu.LoadCR3(CR3(s.Root()) | CR3(s.pcid))
	case !s.live():
	case sys.feat.INVPCID:
		sys.cpu.InvalidateContext(s.pcid)
	default:
		s.flushOnLoad = true
	}
}

// Activate implements pmap.Pmap: it loads CR3 with the space's root and PCID,
// keeping the PCID's cached entries when they are still valid.
func (s *Space) Activate() {
	if s.refs <= 0 {
		panic("amd64.(*Space).Activate: space destroyed")
	}
	v := s.cr3()
	s.sys.cpu.LoadCR3(v)
	s.sys.active = s
}

// Prepare returns the CR3 value that makes s current, for code that loads CR3
// itself: the trap trampoline that switches from the kernel's tables to a
// task's on the way to user mode. The pmap does not count s as active
// afterwards (the kernel's tables are back in CR3 whenever Go code runs), so
// later changes to s are invalidated through its PCID or by the flush bit of
// the next value. The kernel must therefore call Prepare before every entry
// to user mode and load the value it returns; it costs a few instructions.
func (s *Space) Prepare() CR3 {
	if s.refs <= 0 {
		panic("amd64.(*Space).Prepare: space destroyed")
	}
	if s.sys.active == s {
		s.sys.active = nil
	}
	return s.cr3()
}

// cr3 computes the CR3 value for s, assigning a PCID if s has none and
// consuming any pending flush.
func (s *Space) cr3() CR3 {
	sys := s.sys
	v := CR3(s.Root())
	if !sys.feat.PCID {
		return v
	}
	if !s.live() {
		s.takePCID()
	}
	flush := s.flushOnLoad
	s.flushOnLoad = false
	v |= CR3(s.pcid)
	if !flush {
		v |= CR3NoFlush
	}
	return v
}

// takePCID gives s a PCID of the current generation (PCID 0 for a kernel
// space) and makes sure no entry from an earlier owner of it survives.
func (s *Space) takePCID() {
	sys := s.sys
	if s.kind == pmap.KindKernel {
		s.pcid = KernelPCID
		sys.pcid0Owner = s
	} else {
		if sys.nextPCID > maxPCID {
			sys.pcidGen++
			sys.nextPCID = KernelPCID + 1
		}
		s.pcid = sys.nextPCID
		s.pcidGen = sys.pcidGen
		sys.nextPCID++
	}
	if sys.feat.INVPCID {
		sys.cpu.InvalidateContext(s.pcid)
		s.flushOnLoad = false
		return
	}
	s.flushOnLoad = true
}

// releasePCID forgets the PCID of a destroyed space. Its entries may stay in
// the TLB: the PCID is flushed before anyone uses it again.
func (s *Space) releasePCID() {
	if s.sys.pcid0Owner == s {
		s.sys.pcid0Owner = nil
	}
	s.pcidGen = 0
	s.flushOnLoad = false
}
