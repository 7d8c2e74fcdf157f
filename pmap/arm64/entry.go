package arm64

import "github.com/tamach/tamach/pmap"

// entry is one 8-byte translation table descriptor of the VMSAv8-64 4KB
// granule: a table descriptor at L0 to L2, a block descriptor at L1 or L2, a
// page descriptor at L3, or an invalid one (Arm ARM D8.3, "Translation table
// descriptor formats"). Bits[1:0] and the level tell which; the other bits
// mean something different in table and in block/page descriptors.
type entry uint64

// Hardware bits, Arm ARM D8.3 (D8.3.1 table descriptors, D8.3.2 block and
// page descriptors) and D8.4, "Memory access control".
const (
	entryValid entry = 1 << 0 // bit[0]: valid; 0 faults (Translation fault)
	entryTable entry = 1 << 1 // bit[1]: L0-L2: 1 table, 0 block; L3: must be 1 (page)

	// Lower attributes of block and page descriptors.
	entryAttrIndxShift       = 2                           // AttrIndx[2:0], bits[4:2]: index into MAIR_EL1
	entryAttrIndxMask  entry = 0b111 << entryAttrIndxShift // the AttrIndx field
	entryAPEL0         entry = 1 << 6                      // AP[1], bit[6]: EL0 may access (data)
	entryAPRO          entry = 1 << 7                      // AP[2], bit[7]: read-only at every level
	entrySHShift             = 8                           // SH[1:0], bits[9:8]: shareability
	entrySHInner       entry = 0b11 << entrySHShift        // Inner Shareable
	entryAF            entry = 1 << 10                     // AF, bit[10]: Access flag
	entryNG            entry = 1 << 11                     // nG, bit[11]: not global, tagged with the ASID

	// entryAddrMask selects the output address, bits[47:12] of a page
	// descriptor and of a table descriptor (the next-level table); a block
	// descriptor at level l uses bits[47:levelShift(l)] (D8.3.2).
	entryAddrMask entry = entry(paLimit-1) &^ pmap.PageMask

	// Upper attributes of block and page descriptors.
	entryDBM entry = 1 << 51 // DBM, bit[51]: Dirty Bit Modifier (FEAT_HAFDBS), D8.5.5
	entryPXN entry = 1 << 53 // PXN, bit[53]: not executable at EL1
	entryUXN entry = 1 << 54 // UXN, bit[54]: not executable at EL0
)

// Software bits. Bits[58:55] of block and page descriptors are IGNORED by
// the hardware and reserved for software use (D8.3.2, "Software use"
// field); the pmap keeps there what the hardware bits cannot say. Table
// descriptors ignore bits[11:2] (D8.3.1, "Table descriptor format", with
// FEAT_HAFT and TCR_EL1.DS not enabled).
const (
	swWrite   entry = 1 << 55 // the mapping's protection includes write (AP[2] may still be 1: clean)
	swWired   entry = 1 << 56 // entered with pmap.Wired
	swTracked entry = 1 << 57 // referenced/modified are tracked: AF and AP[2] start clear/set and change
	swDirect  entry = 1 << 58 // made by MapRange: the kernel's window on RAM, not in the reverse map

	// swDirty records that a leaf was written before it lost write
	// access (readOnly), as x86's D bit outlives a cleared R/W: a fork
	// then write-protects a page with one bit operation, where folding
	// the state into the reverse map cost as much again. It sits in
	// bit[59], the first of PBHA, bits[62:59], which the hardware
	// IGNORES unless FEAT_HPDS2 is implemented and TCR_EL1.HWU59 set
	// (D8.3.2, same section; tcrValue never sets HWU).
	swDirty entry = 1 << 59

	// countShift and countMask place, in a table descriptor, the number
	// of valid entries of the table it points to (bits[11:2], room for
	// 0..1023), so that emptied tables are found without a scan.
	countShift       = 2
	countMask  entry = 0x3ff << countShift
)

// MAIR_EL1 attribute indexes used in AttrIndx (see MAIR in regs.go).
const (
	attrNormal   = 0 // Normal memory, Write-Back cacheable
	attrDevice   = 1 // Device-nGnRE
	attrNormalNC = 2 // Normal memory, Non-cacheable (exported in MAIR, unused by Enter)
)

// valid reports whether e is a valid descriptor (bit[0]): the walk uses only
// valid descriptors; any other value is a Translation fault.
func (e entry) valid() bool { return e&entryValid != 0 }

// isTable reports whether e, found in a level-l table, points to a table.
func (e entry) isTable(l int) bool {
	return l < leafLevel && e&(entryValid|entryTable) == entryValid|entryTable
}

// leaf reports whether e, found in a level-l table, is a valid block or page
// descriptor: it maps memory rather than a table.
func (e entry) leaf(l int) bool { return e.valid() && !e.isTable(l) }

// frame is the output address of a block or page descriptor at level l, or
// the next-level table address of a table descriptor.
func (e entry) frame(l int) pmap.PAddr {
	if e.isTable(l) {
		return e.tableAddr()
	}
	return pmap.PAddr(e & entryAddrMask &^ entry(levelSize(l)-1))
}

// tableAddr returns the address of the table the table descriptor e points
// to.
func (e entry) tableAddr() pmap.PAddr { return pmap.PAddr(e & entryAddrMask) }

// count returns the number of valid entries of the table e points to.
func (e entry) count() int { return int((e & countMask) >> countShift) }

// withCount returns the table descriptor e with its count set to n.
func (e entry) withCount(n int) entry {
	if n < 0 || n > entries {
		panic("arm64.entry.withCount: table entry count out of range")
	}
	return e&^countMask | entry(n)<<countShift
}

// addCount adds d to the count of the table descriptor e. e is nil for the
// root table, which no descriptor points to: its count is not kept, since
// only Destroy frees it. Table descriptors are never written by the
// hardware, so a plain update is safe.
func (e *entry) addCount(d int) {
	if e != nil {
		*e = e.withCount(e.count() + d)
	}
}

// tableEntry is the descriptor of a next-level table at pa holding count
// valid entries. APTable, UXNTable and PXNTable are zero: a table adds no
// restriction to what its leaves say (D8.4.2, "Hierarchical control of
// access permissions").
func tableEntry(pa pmap.PAddr, count int) entry {
	return entry(pa) | entry(count)<<countShift | entryTable | entryValid
}

// leafType is the value of bits[1:0] of a leaf at level l: a page descriptor
// at L3 (0b11), a block descriptor above (0b01), D8.3.2.
func leafType(l int) entry {
	if l == leafLevel {
		return entryTable | entryValid
	}
	return entryValid
}

// leafAttrs is what a leaf gets besides its output address and its type:
// one mapping as the pmap thinks of it, before encoding.
type leafAttrs struct {
	prot    pmap.Prot // effective protection, see effectiveProt
	user    bool      // reachable from EL0
	global  bool      // nG clear: only in the TTBR1 half
	device  bool      // Device-nGnRE instead of Normal memory
	wired   bool      // pmap.Wired
	tracked bool      // referenced/modified tracked: starts with AF clear and clean
	direct  bool      // made by MapRange, never in the reverse map
	hwDirty bool      // the hardware manages the dirty state (TCR_EL1.HD): a tracked writable leaf carries DBM
}

// leafEntry builds the block or page descriptor for a level-l leaf mapping
// pa with the attributes a.
func leafEntry(pa pmap.PAddr, l int, a leafAttrs) entry {
	// LAB pgtbl-arm64: begin
	e := entry(pa) | leafType(l) | entrySHInner
	if a.device {
		e |= attrDevice << entryAttrIndxShift
	} else {
		e |= attrNormal << entryAttrIndxShift
	}
	if !a.global {
		e |= entryNG
	}
	e |= a.accessBits()
	e |= a.stateBits()
	e |= a.execBits()
	if a.wired {
		e |= swWired
	}
	if a.tracked {
		e |= swTracked
	}
	if a.direct {
		e |= swDirect
	}
	return e
	// LAB pgtbl-arm64: stub
	// panic("lab pgtbl-arm64: not implemented: leafEntry")
	// LAB pgtbl-arm64: end
}

// accessBits are AP[2:1] and the software write bit. Data access
// permissions, D8.4.1 ("Data access permissions for stage 1 of the EL1&0
// translation regime"):
//
//	AP[2:1]  EL1         EL0
//	00       read/write  none
//	01       read/write  read/write
//	10       read-only   none
//	11       read-only   read-only
//
// A writable mapping that is tracked starts read-only (AP[2] = 1, "clean");
// its first write makes it writable (see stateBits and FastFault).
func (a leafAttrs) accessBits() entry {
	// LAB pgtbl-arm64: begin
	var e entry
	if a.user && a.prot&pmap.ProtRead != 0 {
		e |= entryAPEL0
	}
	if a.prot&pmap.ProtWrite != 0 {
		e |= swWrite
	} else {
		e |= entryAPRO
	}
	return e
	// LAB pgtbl-arm64: stub
	// panic("lab pgtbl-arm64: not implemented: accessBits")
	// LAB pgtbl-arm64: end
}

// stateBits are the Access flag and the clean/dirty state. A tracked mapping
// starts with AF = 0 (first access: Access flag fault, or a hardware update
// of AF when TCR_EL1.HA = 1, D8.5.1 "Hardware management of the Access
// flag") and clean (AP[2] = 1; with TCR_EL1.HD = 1 and DBM = 1 the hardware
// clears AP[2] on the first write, D8.5.5 "Hardware management of the dirty
// state"). An untracked mapping is accessed and writable from the start.
func (a leafAttrs) stateBits() entry {
	// LAB pgtbl-arm64: begin
	if !a.tracked {
		return entryAF
	}
	if a.prot&pmap.ProtWrite == 0 {
		return 0
	}
	if a.hwDirty {
		return entryAPRO | entryDBM
	}
	return entryAPRO
	// LAB pgtbl-arm64: stub
	// panic("lab pgtbl-arm64: not implemented: stateBits")
	// LAB pgtbl-arm64: end
}

// execBits are PXN and UXN (D8.4.1, "Instruction access permissions"). The
// kernel never executes user pages: every user mapping is PXN (besides, the
// architecture treats any EL0-writable location as PXN). Kernel mappings
// are always UXN, and device memory is never executable.
func (a leafAttrs) execBits() entry {
	exec := a.prot&pmap.ProtExecute != 0 && !a.device
	if a.user {
		if exec {
			return entryPXN
		}
		return entryPXN | entryUXN
	}
	if exec {
		return entryUXN
	}
	return entryPXN | entryUXN
}

// effectiveProt is the protection a mapping of prot really gets: device
// memory is never executable; there is no write-only memory, so write
// implies read; and EL1 can always read what it maps (there is no
// execute-only memory for EL1, D8.4.1).
func effectiveProt(prot pmap.Prot, user, device bool) pmap.Prot {
	if device {
		prot &^= pmap.ProtExecute
	}
	if prot&pmap.ProtWrite != 0 || (!user && prot != pmap.ProtNone) {
		prot |= pmap.ProtRead
	}
	return prot
}

// user reports whether the leaf e is reachable from EL0: EL0 may read it
// (AP[1]) or execute it (UXN clear). Kernel leaves are always UXN.
func (e entry) user() bool { return e&entryAPEL0 != 0 || e&entryUXN == 0 }

// device reports whether the leaf e maps Device memory.
func (e entry) device() bool { return e&entryAttrIndxMask == attrDevice<<entryAttrIndxShift }

// prot decodes the effective protection of the leaf e.
func (e entry) prot() pmap.Prot {
	var p pmap.Prot
	if e.user() {
		if e&entryAPEL0 != 0 {
			p |= pmap.ProtRead
		}
		if e&entryUXN == 0 {
			p |= pmap.ProtExecute
		}
	} else {
		p |= pmap.ProtRead
		if e&entryPXN == 0 {
			p |= pmap.ProtExecute
		}
	}
	if e&swWrite != 0 {
		p |= pmap.ProtWrite
	}
	return p
}

// lowered returns the leaf e with its protection lowered to p, an effective
// protection no wider than e.prot(). AF and the clean/dirty state are kept
// while write stays allowed. Only permission bits change, which needs no
// break-before-make (D8.16.1, "Using break-before-make when updating
// translation table entries": only changes of output address, block size,
// memory type, shareability or cacheability, or of nG from 1 to 0, need the
// sequence).
func (e entry) lowered(p pmap.Prot) entry {
	if p&pmap.ProtWrite == 0 {
		e = e.readOnly()
	}
	if e.user() {
		if p&pmap.ProtRead == 0 {
			e &^= entryAPEL0
		}
		if p&pmap.ProtExecute == 0 {
			e |= entryUXN
		}
	} else if p&pmap.ProtExecute == 0 {
		e |= entryPXN
	}
	return e
}

// readOnly returns the leaf e without write access: AP[2] = 1 (read-only,
// D8.4.1, "Data access permissions"), and neither the software write bit
// nor DBM (D8.5.5) that would let a write make it writable again. If e was
// dirty, swDirty keeps saying so.
func (e entry) readOnly() entry {
	if e.dirty() {
		e |= swDirty
	}
	return e&^(swWrite|entryDBM) | entryAPRO
}

// referenced reports whether the leaf e has been accessed (AF set).
func (e entry) referenced() bool { return e&entryAF != 0 }

// dirty reports whether the leaf e has been written: it allows writes and
// the hardware already lets them through (AP[2] clear), or it was so before
// it lost write access (swDirty).
func (e entry) dirty() bool { return e&swDirty != 0 || e&swWrite != 0 && e&entryAPRO == 0 }
