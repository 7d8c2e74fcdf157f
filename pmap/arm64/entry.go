package arm64

import "github.com/tamach/tamach/pmap"

// Descriptor bits, Arm ARM D8.3, "Translation table descriptor formats"
// (D8.3.1 table descriptors, D8.3.2 block and page descriptors) and D8.4,
// "Memory access control".
const (
	descValid = 1 << 0 // bit[0]: valid; 0 faults (Translation fault)
	descTable = 1 << 1 // bit[1]: L0-L2: 1 table, 0 block; L3: must be 1 (page)

	// Lower attributes of block and page descriptors.
	descAttrIndxShift = 2                          // AttrIndx[2:0], bits[4:2]: index into MAIR_EL1
	descAttrIndxMask  = 0b111 << descAttrIndxShift // the AttrIndx field
	descAPEL0         = 1 << 6                     // AP[1], bit[6]: EL0 may access (data)
	descAPRO          = 1 << 7                     // AP[2], bit[7]: read-only at every level
	descSHShift       = 8                          // SH[1:0], bits[9:8]: shareability
	descSHInner       = 0b11 << descSHShift        // Inner Shareable
	descAF            = 1 << 10                    // AF, bit[10]: Access flag
	descNG            = 1 << 11                    // nG, bit[11]: not global, tagged with the ASID

	// Output address, bits[47:12] of a page descriptor; a block descriptor
	// at level l uses bits[47:levelShift(l)] (D8.3.2).
	descOAMask = (paLimit - 1) &^ pmap.PageMask

	// Upper attributes of block and page descriptors.
	descDBM = 1 << 51 // DBM, bit[51]: Dirty Bit Modifier (FEAT_HAFDBS), D8.5.5
	descPXN = 1 << 53 // PXN, bit[53]: not executable at EL1
	descUXN = 1 << 54 // UXN, bit[54]: not executable at EL0

	// Bits[58:55] of block and page descriptors are IGNORED by the
	// hardware and reserved for software use (D8.3.2, "Software use"
	// field). The pmap keeps there what the hardware bits cannot say.
	swWrite   = 1 << 55 // the mapping's protection includes write (AP[2] may still be 1: clean)
	swWired   = 1 << 56 // entered with pmap.Wired
	swTracked = 1 << 57 // referenced/modified are tracked: AF and AP[2] start clear/set and change
	swDirect  = 1 << 58 // made by MapRange: the kernel's window on RAM, not in the reverse map

	// Table descriptors ignore bits[11:2] (D8.3.1, "Table descriptor
	// format", with FEAT_HAFT and TCR_EL1.DS not enabled). The pmap keeps
	// there the number of valid entries of the table the descriptor
	// points to, so that emptied tables are found without a scan.
	tableCountShift = 2
	tableCountMask  = 0x3ff << tableCountShift // 10 bits: counts up to 512
)

// MAIR_EL1 attribute indexes used in AttrIndx (see MAIR in regs.go).
const (
	attrNormal   = 0 // Normal memory, Write-Back cacheable
	attrDevice   = 1 // Device-nGnRE
	attrNormalNC = 2 // Normal memory, Non-cacheable (exported in MAIR, unused by Enter)
)

// valid reports whether d is a valid descriptor.
func valid(d uint64) bool { return d&descValid != 0 }

// isTable reports whether d, found in a level-l table, points to a table.
func isTable(d uint64, l int) bool {
	return l < leafLevel && d&(descValid|descTable) == descValid|descTable
}

// isLeaf reports whether d, found in a level-l table, is a block or page.
func isLeaf(d uint64, l int) bool { return valid(d) && !isTable(d, l) }

// outputAddr is the output address of a block or page descriptor at level l,
// or the next-level table address of a table descriptor.
func outputAddr(d uint64, l int) pmap.PAddr {
	if isTable(d, l) {
		return pmap.PAddr(d & descOAMask)
	}
	return pmap.PAddr(d & descOAMask &^ (levelSize(l) - 1))
}

// tableDesc is the descriptor of a next-level table at pa holding count valid
// entries. APTable, UXNTable and PXNTable are zero: a table adds no
// restriction to what its leaves say (D8.4.2, "Hierarchical control of
// access permissions").
func tableDesc(pa pmap.PAddr, count int) uint64 {
	return uint64(pa) | uint64(count)<<tableCountShift | descTable | descValid
}

// tableCount is the number of valid entries of the table d points to.
func tableCount(d uint64) int { return int(d&tableCountMask) >> tableCountShift }

// withCount returns the table descriptor d with its count moved by delta.
func withCount(d uint64, delta int) uint64 {
	n := tableCount(d) + delta
	if n < 0 || n > pmap.Entries {
		panic("arm64.withCount: table entry count out of range")
	}
	return d&^tableCountMask | uint64(n)<<tableCountShift
}

// leafType is the value of bits[1:0] of a leaf at level l: a page descriptor
// at L3 (0b11), a block descriptor above (0b01), D8.3.2.
func leafType(l int) uint64 {
	if l == leafLevel {
		return descTable | descValid
	}
	return descValid
}

// leafSpec is one mapping as the pmap thinks of it, before encoding.
type leafSpec struct {
	pa      pmap.PAddr
	prot    pmap.Prot // effective protection, see effectiveProt
	user    bool      // reachable from EL0
	global  bool      // nG clear: only in the TTBR1 half
	device  bool      // Device-nGnRE instead of Normal memory
	wired   bool      // pmap.Wired
	tracked bool      // referenced/modified tracked: starts with AF clear and clean
	direct  bool      // made by MapRange, never in the reverse map
}

// encode builds the block or page descriptor of s for a level-l table.
// hwDirty tells whether the hardware manages the dirty state (TCR_EL1.HD),
// in which case a tracked writable mapping carries DBM.
func (s leafSpec) encode(l int, hwDirty bool) uint64 {
	d := uint64(s.pa) | leafType(l) | descSHInner
	if s.device {
		d |= attrDevice << descAttrIndxShift
	} else {
		d |= attrNormal << descAttrIndxShift
	}
	if !s.global {
		d |= descNG
	}
	d |= s.accessBits()
	d |= s.stateBits(hwDirty)
	d |= s.execBits()
	if s.wired {
		d |= swWired
	}
	if s.tracked {
		d |= swTracked
	}
	if s.direct {
		d |= swDirect
	}
	return d
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
func (s leafSpec) accessBits() uint64 {
	var d uint64
	if s.user && s.prot&pmap.ProtRead != 0 {
		d |= descAPEL0
	}
	if s.prot&pmap.ProtWrite != 0 {
		d |= swWrite
	} else {
		d |= descAPRO
	}
	return d
}

// stateBits are the Access flag and the clean/dirty state. A tracked mapping
// starts with AF = 0 (first access: Access flag fault, or a hardware update
// of AF when TCR_EL1.HA = 1, D8.5.1 "Hardware management of the Access
// flag") and clean (AP[2] = 1; with TCR_EL1.HD = 1 and DBM = 1 the hardware
// clears AP[2] on the first write, D8.5.5 "Hardware management of the dirty
// state"). An untracked mapping is accessed and writable from the start.
func (s leafSpec) stateBits(hwDirty bool) uint64 {
	if !s.tracked {
		return descAF
	}
	if s.prot&pmap.ProtWrite == 0 {
		return 0
	}
	if hwDirty {
		return descAPRO | descDBM
	}
	return descAPRO
}

// execBits are PXN and UXN (D8.4.1, "Instruction access permissions"). The
// kernel never executes user pages: every user mapping is PXN (besides, the
// architecture treats any EL0-writable location as PXN). Kernel mappings
// are always UXN, and device memory is never executable.
func (s leafSpec) execBits() uint64 {
	exec := s.prot&pmap.ProtExecute != 0 && !s.device
	if s.user {
		if exec {
			return descPXN
		}
		return descPXN | descUXN
	}
	if exec {
		return descUXN
	}
	return descPXN | descUXN
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

// isUserLeaf reports whether the leaf d is reachable from EL0: EL0 may read
// it (AP[1]) or execute it (UXN clear). Kernel leaves are always UXN.
func isUserLeaf(d uint64) bool { return d&descAPEL0 != 0 || d&descUXN == 0 }

// isDevice reports whether the leaf d maps Device memory.
func isDevice(d uint64) bool { return d&descAttrIndxMask == attrDevice<<descAttrIndxShift }

// leafProt decodes the effective protection of the leaf d.
func leafProt(d uint64) pmap.Prot {
	var p pmap.Prot
	if isUserLeaf(d) {
		if d&descAPEL0 != 0 {
			p |= pmap.ProtRead
		}
		if d&descUXN == 0 {
			p |= pmap.ProtExecute
		}
	} else {
		p |= pmap.ProtRead
		if d&descPXN == 0 {
			p |= pmap.ProtExecute
		}
	}
	if d&swWrite != 0 {
		p |= pmap.ProtWrite
	}
	return p
}

// referenced reports whether the leaf d has been accessed (AF set).
func referenced(d uint64) bool { return d&descAF != 0 }

// dirty reports whether the leaf d has been written: it allows writes and
// the hardware already lets them through (AP[2] clear).
func dirty(d uint64) bool { return d&swWrite != 0 && d&descAPRO == 0 }

// lowerProt returns the leaf d with its protection lowered to p, an
// effective protection no wider than leafProt(d). AF and the clean/dirty
// state are kept while write stays allowed. Only permission bits change,
// which needs no break-before-make (D8.16.1, "Using break-before-make when
// updating translation table entries": only changes of output address, block
// size, memory type, shareability or cacheability, or of nG from 1 to 0,
// need the sequence).
func lowerProt(d uint64, p pmap.Prot) uint64 {
	if p&pmap.ProtWrite == 0 {
		d = d&^(swWrite|descDBM) | descAPRO
	}
	if isUserLeaf(d) {
		if p&pmap.ProtRead == 0 {
			d &^= descAPEL0
		}
		if p&pmap.ProtExecute == 0 {
			d |= descUXN
		}
	} else if p&pmap.ProtExecute == 0 {
		d |= descPXN
	}
	return d
}
