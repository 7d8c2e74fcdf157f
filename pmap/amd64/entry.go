package amd64

import "github.com/tamach/tamach/pmap"

// entry is one 8-byte paging-structure entry of 4-level paging: a PML4E,
// PDPTE, PDE or PTE (Intel SDM Vol. 3A §4.5, Tables 4-15 to 4-20). The same
// bit positions serve every level; which bits mean something depends on the
// level and, at the PDPT and PD levels, on the PS bit.
type entry uint64

// Hardware bits common to every level (Intel SDM Vol. 3A §4.5, Tables 4-15
// to 4-20).
const (
	// entryP (bit 0, Present) must be 1 for the entry to be used.
	entryP entry = 1 << 0
	// entryRW (bit 1, Read/write): 0 forbids writes to the region the
	// entry controls (§4.6).
	entryRW entry = 1 << 1
	// entryUS (bit 2, User/supervisor): 0 forbids user-mode accesses to
	// the region the entry controls (§4.6).
	entryUS entry = 1 << 2
	// entryPWT (bit 3, Page-level write-through) selects, with PCD and
	// PAT, the memory type (§4.9.2).
	entryPWT entry = 1 << 3
	// entryPCD (bit 4, Page-level cache disable) selects, with PWT and
	// PAT, the memory type (§4.9.2).
	entryPCD entry = 1 << 4
	// entryA (bit 5, Accessed) is set by the processor the first time it
	// uses the entry for a translation (§4.8).
	entryA entry = 1 << 5
	// entryD (bit 6, Dirty) is set by the processor on the first write
	// through a leaf entry; ignored in entries that reference a table
	// (§4.8).
	entryD entry = 1 << 6
	// entryPS (bit 7, Page size) in a PDPTE or PDE makes the entry a leaf
	// mapping a 1 GiB or 2 MiB page (Tables 4-16, 4-18). In a PTE bit 7 is
	// PAT instead; in a PML4E it is reserved.
	entryPS entry = 1 << 7
	// entryG (bit 8, Global) in a leaf keeps the translation across CR3
	// loads when CR4.PGE = 1 (§4.10.2.4). tamach never sets it: tasks own
	// the lower half, so nothing there may survive a switch, and the
	// trampoline is tagged by PCID like everything else (docs/pmap-amd64.md,
	// "TLB maintenance").
	entryG entry = 1 << 8
	// entryXD (bit 63, Execute-disable) forbids instruction fetches from
	// the region the entry controls when IA32_EFER.NXE = 1; reserved (must
	// be 0) otherwise (§4.6).
	entryXD entry = 1 << 63
)

// entryAddrMask selects the physical address bits 51:12 of an entry that
// references a 4 KiB page or a table (Tables 4-15, 4-17, 4-19, 4-20). Bits
// from MAXPHYADDR to 51 are reserved; callers check addresses against the
// CPU's MAXPHYADDR before they build an entry.
const entryAddrMask entry = ((1 << maxPhysAddrBits) - 1) &^ pmap.PageMask

// maxPhysAddrBits is the architectural limit on MAXPHYADDR for 4-level paging
// (Intel SDM Vol. 3A §4.1.4).
const maxPhysAddrBits = 52

// Software bits. The processor ignores bits 11:9 of every entry and bits 62:52
// of entries that reference a table (Tables 4-15, 4-17, 4-19); in leaf
// entries bits 62:59 are protection keys when CR4.PKE = 1, so only bits 58:52
// and 11:9 are free there (Tables 4-16, 4-18, 4-20).
const (
	// swWired (bit 9) marks a leaf made with the pmap.Wired flag.
	swWired entry = 1 << 9
	// swManaged (bit 10) marks a leaf recorded in the reverse map.
	swManaged entry = 1 << 10

	// countShift and countMask place, in an entry that references a
	// table, the number of non-zero entries in that table (bits 61:52,
	// room for 0..1023), so that empty tables are found without a scan.
	countShift       = 52
	countMask  entry = ((1 << 10) - 1) << countShift
)

// pageSize1G and pageSize2M are the sizes of the pages a PDPTE or PDE with
// PS = 1 maps (Intel SDM Vol. 3A §4.5, Tables 4-16 and 4-18). bigAddrMask2M
// and bigAddrMask1G select their frame addresses (bits 51:21 and 51:30; bit 12
// of such an entry is PAT, which tamach leaves 0).
const (
	pageSize2M = 1 << 21
	pageSize1G = 1 << 30

	bigAddrMask2M entry = entryAddrMask &^ (pageSize2M - 1)
	bigAddrMask1G entry = entryAddrMask &^ (pageSize1G - 1)
)

// valid reports whether e is present (P, bit 0, §4.5): the processor uses
// only entries with P = 1; any other value is a not-present page fault.
func (e entry) valid() bool { return e&entryP != 0 }

// big reports whether e, found at level, is a leaf mapping a 2 MiB or 1 GiB
// page.
func (e entry) big(level int) bool {
	return (level == levelPD || level == levelPDPT) && e&entryPS != 0
}

// leaf reports whether e, found at level, is a present entry that maps a
// page rather than a table.
func (e entry) leaf(level int) bool { return e.valid() && (level == levelPT || e.big(level)) }

// frame returns the physical address e references at level.
func (e entry) frame(level int) pmap.PAddr {
	switch {
	case level == levelPDPT && e&entryPS != 0:
		return pmap.PAddr(e & bigAddrMask1G)
	case level == levelPD && e&entryPS != 0:
		return pmap.PAddr(e & bigAddrMask2M)
	}
	return e.tableAddr()
}

// tableAddr returns the address of the table the non-leaf entry e
// references.
func (e entry) tableAddr() pmap.PAddr { return pmap.PAddr(e & entryAddrMask) }

// count returns the number of non-zero entries of the table e references.
func (e entry) count() int { return int((e & countMask) >> countShift) }

// withCount returns e with its table-occupancy count set to n.
func (e entry) withCount(n int) entry {
	if n < 0 || n > entries {
		panic("amd64.entry.withCount: count out of range")
	}
	return e&^countMask | entry(n)<<countShift
}

// addCount adds d to the occupancy count of the table e references.
func (e *entry) addCount(d int) { *e = e.withCount(e.count() + d) }

// tableEntry builds an entry that references the table at pa. Upper levels
// are permissive (Present, writable, and user-accessible in user spaces, never
// execute-disabled) so that the leaf alone decides the access rights: the
// effective rights are the most restrictive along the walk (Intel SDM Vol. 3A
// §4.6.1).
func tableEntry(pa pmap.PAddr, user bool) entry {
	e := entry(pa)&entryAddrMask | entryP | entryRW
	if user {
		e |= entryUS
	}
	return e
}

// leafAttrs is what a leaf gets besides its frame address and the PS bit:
// one mapping as the pmap thinks of it, before encoding.
type leafAttrs struct {
	prot    pmap.Prot
	user    bool // U/S = 1
	device  bool // PCD|PWT: uncached
	wired   bool
	managed bool
	nx      bool // the CPU has execute-disable (IA32_EFER.NXE can be set)
}

// leafEntry builds the leaf at level mapping the page at pa with the
// attributes a: a PTE, or a PDE or PDPTE with PS = 1 (Tables 4-16, 4-18,
// 4-20). Read access is implied by Present: x86 has no write-only or
// execute-only pages (Intel SDM Vol. 3A §4.6). Precondition: a.prot is not
// ProtNone.
func leafEntry(pa pmap.PAddr, level int, a leafAttrs) entry {
	// LAB pgtbl-x86: begin
	e := entry(pa) | entryP
	if level != levelPT {
		e |= entryPS
	}
	if a.prot&pmap.ProtWrite != 0 {
		e |= entryRW
	}
	if a.user {
		e |= entryUS
	}
	if a.nx && a.prot&pmap.ProtExecute == 0 {
		e |= entryXD
	}
	if a.device {
		// PAT entry 3 (PAT=0, PCD=1, PWT=1) is UC, strong uncacheable,
		// in the PAT's power-up value (Intel SDM Vol. 3A §4.9.2 and the
		// PAT chapter's table of PAT entries after reset); tamach never
		// reprograms IA32_PAT.
		e |= entryPCD | entryPWT
	}
	if a.wired {
		e |= swWired
	}
	if a.managed {
		e |= swManaged
	}
	return e
	// LAB pgtbl-x86: stub
	// panic("lab pgtbl-x86: not implemented: leafEntry")
	// LAB pgtbl-x86: end
}

// prot returns the effective protection of the leaf e: read whenever
// present, write if R/W, execute unless XD (always, on a CPU without
// execute-disable).
func (e entry) prot() pmap.Prot {
	if !e.valid() {
		return pmap.ProtNone
	}
	p := pmap.ProtRead | pmap.ProtExecute
	if e&entryRW != 0 {
		p |= pmap.ProtWrite
	}
	if e&entryXD != 0 {
		p &^= pmap.ProtExecute
	}
	return p
}

// lowered returns the leaf e with its rights reduced to at most prot, which
// is not ProtNone (Mach's pmap_protect never adds a right). Read cannot be
// taken away from a present entry.
func (e entry) lowered(prot pmap.Prot, nx bool) entry {
	clear, set := lowering(prot, nx)
	return e&^clear | set
}

// lowering returns the bits that lowering a leaf's rights to prot clears
// (R/W, without write) and sets (XD, without execute, where the CPU has
// NX).
func lowering(prot pmap.Prot, nx bool) (clear, set entry) {
	if prot&pmap.ProtWrite == 0 {
		clear = entryRW
	}
	if nx && prot&pmap.ProtExecute == 0 {
		set = entryXD
	}
	return clear, set
}

// referenced reports whether the processor has used the leaf e for a
// translation since A was last cleared (Accessed, §4.8).
func (e entry) referenced() bool { return e&entryA != 0 }

// dirty reports whether the processor has written through the leaf e since
// D was last cleared (Dirty, §4.8).
func (e entry) dirty() bool { return e&entryD != 0 }
