package amd64

import (
	"errors"
	"fmt"

	"github.com/tamach/tamach/pmap"
)

// Config is what New needs to build a System.
type Config struct {
	// Memory is the CPU's view of physical memory (pmap.Identity on bare
	// metal, a pmap.Arena in host tests).
	Memory pmap.Memory
	// Frames supplies and takes back the frames of the page tables.
	Frames pmap.Frames
	// ManagedBase and ManagedSize delimit the VM page-frame pool: the
	// frames whose mappings are recorded in the reverse map.
	ManagedBase pmap.PAddr
	ManagedSize uint64
	// CPU loads CR3 and invalidates TLB entries.
	CPU CPU
}

// Errors of this package beyond the contract's.
var (
	// ErrConfig reports an incomplete or inconsistent Config.
	ErrConfig = errors.New("amd64: bad pmap configuration")

	// ErrNotKernel reports a MapRange call on a user address space.
	ErrNotKernel = errors.New("amd64: MapRange needs the kernel address space")
)

// System is the machine-wide half of the pmap for x86-64 4-level paging: it
// creates address spaces, keeps the reverse map of managed frames, hands out
// PCIDs and remembers which space is loaded in CR3. It implements
// pmap.System.
//
// A System is not safe for concurrent use and assumes one CPU: the vm system
// serialises calls to it with its page-queue lock.
type System struct {
	mem      pmap.Memory
	frames   pmap.Frames
	cpu      CPU
	feat     Features
	physBits uint

	rmap    *pmap.Rmap[*Space]
	scratch []pmap.Mapping[*Space] // reused by the per-frame operations

	// active is the space whose tables CR3 holds, as far as the pmap
	// knows: set by Activate (nil before the first one).
	active *Space

	// PCID allocation, a generation scheme (see tlb.go): spaces whose
	// pcidGen differs from pcidGen hold no valid PCID.
	pcidGen    uint64
	nextPCID   PCID
	pcid0Owner *Space // the kernel space whose entries PCID 0 may tag
}

// New returns a System over cfg.
func New(cfg Config) (*System, error) {
	if cfg.Memory == nil || cfg.Frames == nil || cfg.CPU == nil {
		return nil, fmt.Errorf("%w: Memory, Frames and CPU are required", ErrConfig)
	}
	if !cfg.ManagedBase.Aligned() || cfg.ManagedSize&pmap.PageMask != 0 {
		return nil, fmt.Errorf("%w: managed range [%v, +%#x)", pmap.ErrUnaligned, cfg.ManagedBase, cfg.ManagedSize)
	}
	feat := cfg.CPU.Features()
	bits := uint(feat.PhysAddrBits)
	if bits == 0 {
		bits = maxPhysAddrBits
	}
	if bits < 32 || bits > maxPhysAddrBits {
		return nil, fmt.Errorf("%w: MAXPHYADDR %d", ErrConfig, bits)
	}
	if feat.INVPCID && !feat.PCID {
		return nil, fmt.Errorf("%w: INVPCID without PCID", ErrConfig)
	}
	return &System{
		mem:      cfg.Memory,
		frames:   cfg.Frames,
		cpu:      cfg.CPU,
		feat:     feat,
		physBits: bits,
		rmap:     pmap.NewRmap[*Space](cfg.ManagedBase, cfg.ManagedSize),
		pcidGen:  1,
		nextPCID: KernelPCID + 1,
	}, nil
}

// Create implements pmap.System: it allocates an empty root table.
func (sys *System) Create(kind pmap.Kind) (pmap.Pmap, error) {
	return sys.NewSpace(kind)
}

// NewSpace is Create returning the concrete type, for the boot code that
// needs MapRange and Prepare.
func (sys *System) NewSpace(kind pmap.Kind) (*Space, error) {
	if kind != pmap.KindUser && kind != pmap.KindKernel {
		return nil, fmt.Errorf("%w: kind %d", pmap.ErrBadFlags, kind)
	}
	root, ok := sys.frames.AllocFrame()
	if !ok {
		return nil, pmap.ErrNoFrames
	}
	s := &Space{sys: sys, kind: kind, refs: 1}
	s.top = tableEntry(root, false)
	s.stats.TablePages = 1
	return s, nil
}

// Features reports the paging features the System uses.
func (sys *System) Features() Features { return sys.feat }

// mappings returns every mapping of pa, in the System's scratch buffer.
func (sys *System) mappings(pa pmap.PAddr) []pmap.Mapping[*Space] {
	sys.scratch = sys.rmap.Mappings(pa, sys.scratch[:0])
	return sys.scratch
}

// PageProtect implements pmap.System.
func (sys *System) PageProtect(pa pmap.PAddr, prot pmap.Prot) {
	if prot&^pmap.ProtAll != 0 {
		panic("amd64.(*System).PageProtect: unknown protection bits")
	}
	for _, m := range sys.mappings(pa) {
		if prot == pmap.ProtNone {
			m.Space.removeRange(m.VA, m.VA+pmap.PageSize)
			continue
		}
		m.Space.protectPage(m.VA, prot)
	}
}

// IsModified implements pmap.System: the frame's Attr, or the Dirty bit of a
// live mapping (Intel SDM Vol. 3A §4.8).
func (sys *System) IsModified(pa pmap.PAddr) bool {
	return sys.attrOrBit(pa, pmap.AttrModified, entryD)
}

// IsReferenced implements pmap.System: the frame's Attr, or the Accessed
// bit of a live mapping (Intel SDM Vol. 3A §4.8).
func (sys *System) IsReferenced(pa pmap.PAddr) bool {
	return sys.attrOrBit(pa, pmap.AttrReferenced, entryA)
}

// ClearModify implements pmap.System. Each Dirty bit cleared is followed by
// an invalidation: a TLB entry cached with D = 1 lets later writes through
// without setting D in memory again (Intel SDM Vol. 3A §4.8).
func (sys *System) ClearModify(pa pmap.PAddr) {
	sys.rmap.ClearAttr(pa, pmap.AttrModified)
	sys.clearBit(pa, entryD)
}

// ClearReference implements pmap.System. As for ClearModify, the TLB entry
// must go, or accesses through it would not set Accessed again (§4.8).
func (sys *System) ClearReference(pa pmap.PAddr) {
	sys.rmap.ClearAttr(pa, pmap.AttrReferenced)
	sys.clearBit(pa, entryA)
}

// attrOrBit reports whether pa has the software attribute a or whether any
// live mapping of it has the hardware bit.
func (sys *System) attrOrBit(pa pmap.PAddr, a pmap.Attr, bit entry) bool {
	if sys.rmap.Attr(pa)&a != 0 {
		return true
	}
	for _, m := range sys.mappings(pa) {
		if *m.Space.leafAt(m.VA)&bit != 0 {
			return true
		}
	}
	return false
}

// clearBit clears the hardware bit in every mapping of pa.
func (sys *System) clearBit(pa pmap.PAddr, bit entry) {
	for _, m := range sys.mappings(pa) {
		e := m.Space.leafAt(m.VA)
		if *e&bit == 0 {
			continue
		}
		*e &^= bit
		m.Space.invalidate(m.VA)
	}
}

// ZeroPage implements pmap.System.
func (sys *System) ZeroPage(pa pmap.PAddr) { clear(sys.mem.Frame(pa)[:]) }

// SyncCache implements pmap.System, and does nothing: on x86-64 the
// caches keep themselves coherent for every operation pmap.CacheOp names.
// Instruction fetch snoops the data written to memory (Intel SDM Vol. 3A
// §12.6, "Self-Modifying Code": a write to code is detected and the
// prefetched instructions discarded; one CPU, so there is no
// cross-modifying code to serialise, §9.1.3), and the caches snoop DMA
// (§12.2, §12.3: write-back memory is coherent with the system bus), so
// neither CLFLUSH nor WBINVD is needed to show a device what the CPU wrote
// to RAM mapped write-back, the only kind the vm system maps. (XNU's x86
// pmap_attribute_cache_sync is a stub answering KERN_INVALID_ADDRESS;
// tamach's vm_machine_attribute succeeds instead, docs/vm-conformance.md.)
func (sys *System) SyncCache(pa pmap.PAddr, size uint64, op pmap.CacheOp) {}

// CopyPage implements pmap.System.
func (sys *System) CopyPage(src, dst pmap.PAddr) {
	*sys.mem.Frame(dst) = *sys.mem.Frame(src)
}
