package arm64

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
