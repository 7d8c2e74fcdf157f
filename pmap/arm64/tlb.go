package arm64

// TLB maintenance and ASIDs.
//
// The rules, for one CPU (Arm ARM D8.13, D8.14 "TLB maintenance
// instructions" and D8.16):
//
//   - Every invalidation is a complete sequence, DSB ISHST; TLBI ...IS;
//     DSB ISH; ISB (see CPU): the table write is visible to every walker
//     before the TLBI, and the TLBI has completed before the next access.
//   - An entry going from invalid to valid needs no TLBI, since invalid
//     entries are never cached (D8.13.1), only DSB ISHST; ISB (publish).
//   - A valid entry that is removed, or whose permissions or Access flag
//     change, is written and then invalidated by VA (invalidate). A TLBI by
//     VA drops the walk-cache entries of every level too, so a freed table
//     needs one TLBI of an address it covered.
//   - An entry whose output address, memory type or block size changes
//     goes through break-before-make (D8.16.1): invalid, TLBI, then the
//     new value (Space.breakLeaf, then Space.installLeaf; split).
//   - Lower-half spaces are told apart by ASID, so a switch flushes
//     nothing. Kernel spaces keep a pinned ASID; user spaces draw theirs by
//     generation (below), and a user space whose ASID is not of the current
//     generation has no TLB entries: its changes need no maintenance
//     (live).
//   - The upper half's entries are global (nG = 0) and carry no ASID: they
//     are invalidated by VA like the others, and Destroy flushes the whole
//     TLB.

// ASID is an address space identifier, the tag of non-global TLB entries
// (Arm ARM D8.13.2, "TLB matching": an entry with nG = 1 matches only while
// TTBR0_EL1.ASID holds its ASID).
type ASID uint16

// ASIDs. ASID 0 is never handed out. ASIDs 1..kernelASIDs are pinned to
// kernel (TTBR0) spaces for their lifetime, so the trampoline can keep the
// kernel's TTBR0_EL1 value in a constant place. User spaces draw the others
// by generation: within one generation each user space that is activated
// gets the next unused ASID; when none is left, the generation ends: the
// whole TLB is flushed (TLBI VMALLE1IS) and numbering starts again. A space
// whose ASID is from an older generation gets a new one on its next
// Activate. (Linux arm64 arch/arm64/mm/context.c uses the same idea, with
// per-CPU bookkeeping for SMP that this one-CPU kernel does not need yet.)
//
// Consequence used by the TLB maintenance: a user space whose generation is
// not the current one cannot have TLB entries, so changes to its tables
// need no TLBI (see Space.live).

// kernelASIDs is how many ASIDs are reserved for kernel spaces.
const kernelASIDs = 4

// firstUserASID is the first ASID of a generation's user numbering.
const firstUserASID = kernelASIDs + 1

// asidAllocator hands out ASIDs. Guarded by the System's caller (the vm
// system serialises pmap calls).
type asidAllocator struct {
	limit  uint32 // 1 << ASID bits
	gen    uint64 // current generation, from 1; 0 means "no ASID"
	next   uint32 // next user ASID of this generation
	pinned uint8  // bit i-1 set: kernel ASID i in use
}

func (a *asidAllocator) init(bits int) {
	a.limit = 1 << bits
	a.gen = 1
	a.next = firstUserASID
}

// pin takes a free kernel ASID.
func (a *asidAllocator) pin() (ASID, bool) {
	for i := 0; i < kernelASIDs; i++ {
		if a.pinned&(1<<i) == 0 {
			a.pinned |= 1 << i
			return ASID(i + 1), true
		}
	}
	return 0, false
}

// unpin releases the kernel ASID asid. The caller has flushed its entries.
func (a *asidAllocator) unpin(asid ASID) {
	bit := uint8(1) << (asid - 1)
	if asid == 0 || asid > kernelASIDs || a.pinned&bit == 0 {
		panic("arm64.asidAllocator.unpin: ASID not pinned")
	}
	a.pinned &^= bit
}

// take returns a user ASID of the current generation, and whether a new
// generation had to start (the caller must then flush the whole TLB before
// using it).
func (a *asidAllocator) take() (asid ASID, gen uint64, rollover bool) {
	if a.next >= a.limit {
		a.gen++
		a.next = firstUserASID
		rollover = true
	}
	asid = ASID(a.next)
	a.next++
	return asid, a.gen, rollover
}

// ASID is the space's current ASID (0 before a user space's first
// Activate, and for the upper half).
func (s *Space) ASID() ASID { return s.asid }

// TTBR is the value Activate loads: TTBR0_EL1 (ASID and root) for a lower
// half, TTBR1_EL1 (root) for the upper half. A user space's value changes
// when it gets a new ASID, so it is only meaningful after Activate; a kernel
// space's never changes, so the trampoline may keep it.
func (s *Space) TTBR() uint64 {
	if s.upper {
		return uint64(s.root)
	}
	return ttbr0Value(s.root, s.asid)
}

// Activate implements pmap.Pmap: it loads TTBR0_EL1 (TTBR1_EL1 for the upper
// half) with the value Prepare returns.
//
// Kernel code running in the lower half can only Activate a kernel space:
// a task's tables do not map the kernel, so the next instruction would
// fault. For a task, the kernel calls Prepare and the trap trampoline,
// which runs in the upper half, loads the value on its way to EL0.
func (s *Space) Activate() {
	if s.upper {
		s.sys.cpu.SetTTBR1(s.TTBR())
		return
	}
	s.sys.cpu.SetTTBR0(s.Prepare())
}

// Prepare gives a user space an ASID of the current generation if it has
// none (starting a new generation, with a full TLB flush, when they run
// out) and returns the TTBR0_EL1 value that activates the space. The value
// stays valid until the next Prepare of another space starts a new
// generation. For the upper half it returns TTBR1_EL1's value.
func (s *Space) Prepare() uint64 {
	if !s.upper && !s.pinned && s.gen != s.sys.asids.gen {
		asid, gen, rollover := s.sys.asids.take()
		if rollover {
			s.sys.cpu.InvalidateAll()
		}
		s.asid, s.gen = asid, gen
	}
	return s.TTBR()
}

// live reports whether the TLB may hold entries of this space, so that
// changes need TLB maintenance: always for kernel spaces and the upper half;
// for a user space, only if its ASID is of the current generation (it has
// been activated since the last full flush).
func (s *Space) live() bool {
	return s.upper || s.pinned || (s.gen != 0 && s.gen == s.sys.asids.gen)
}

// invalidate removes the TLB entries of every level for the address at
// offset off, if the space may have any.
func (s *Space) invalidate(off uint64) {
	if s.live() {
		s.sys.cpu.InvalidatePage(s.asid, s.vaddr(off))
	}
}

// publish makes a newly valid entry visible to the walker.
func (s *Space) publish() {
	if s.live() {
		s.sys.cpu.Sync()
	}
}

// invalidateAll removes every TLB entry the space may have.
func (s *Space) invalidateAll() {
	switch {
	case s.upper:
		s.sys.cpu.InvalidateAll() // global entries: no ASID to name
	case s.live():
		s.sys.cpu.InvalidateASID(s.asid)
	}
}

// batchLimit is how many pages one Protect invalidates one by one before
// it falls back to one TLBI ASIDE1IS for the whole space, as the amd64
// pmap does with its PCID (pmap/amd64/tlb.go). A fork write-protects
// every resident page of the parent: 16,384 single TLBIs, each with its
// barriers, for 64 MiB.
const batchLimit = 32

// batch gathers the TLB maintenance of one Protect on one space. Lowering
// a permission needs no break-before-make (D8.16.1), so the stale, more
// permissive entries may stay until finish, which runs before Protect
// returns: no task runs in between.
type batch struct {
	s     *Space
	n     int
	whole bool
}

// add invalidates the page at offset off, or notes that the whole ASID
// will be.
func (b *batch) add(off uint64) {
	if b.whole {
		return
	}
	if b.n == batchLimit {
		b.whole = true
		return
	}
	b.n++
	b.s.invalidate(off)
}

// finish completes the batch: the ASID-wide invalidation if it overflowed.
func (b *batch) finish() {
	if b.whole {
		b.s.invalidateAll()
	}
}
