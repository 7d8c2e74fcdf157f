package arm64

import (
	"errors"
	"fmt"

	"github.com/tamach/tamach/pmap"
)

// Errors of this package beyond the contract's.
var (
	// ErrNoGranule: the CPU does not implement the 4KB translation granule.
	ErrNoGranule = errors.New("pmap/arm64: 4KB translation granule not implemented")

	// ErrConfig: a Config field is missing or inconsistent.
	ErrConfig = errors.New("pmap/arm64: bad configuration")

	// ErrNoASID: every ASID reserved for kernel spaces is in use.
	ErrNoASID = errors.New("pmap/arm64: no kernel ASID left")

	// ErrNotKernel: MapRange was called on a user address space.
	ErrNotKernel = errors.New("pmap/arm64: large mappings need a kernel address space")
)

// Config describes the machine to New.
type Config struct {
	Memory pmap.Memory // the CPU's view of RAM (pmap.Identity on bare metal)
	Frames pmap.Frames // frames for translation tables

	// ManagedBase and ManagedSize delimit the vm page-frame pool: frames
	// whose mappings are kept in the reverse map.
	ManagedBase pmap.PAddr
	ManagedSize uint64

	CPU CPU

	// SoftwareAccess makes the pmap emulate the Access flag and the
	// dirty state with faults (FastFault) even when the CPU implements
	// FEAT_HAFDBS.
	SoftwareAccess bool
}

// System is the machine-wide half of the pmap (pmap.System): it creates
// address spaces, hands out ASIDs and keeps the reverse map of managed
// frames.
//
// A System is not safe for concurrent use: the vm system serialises calls
// (one CPU). Lock order, once there are several: a space's map lock, then
// the System.
type System struct {
	mem     pmap.Memory
	frames  pmap.Frames
	cpu     CPU
	feat    Features
	rmap    *pmap.Rmap[*Space]
	scratch []pmap.Mapping[*Space] // reused by the per-frame operations

	hwAccess bool // TCR_EL1.HA: the hardware sets AF
	hwDirty  bool // TCR_EL1.HD: the hardware manages the dirty state

	asids asidAllocator
}

// New makes the System for the machine cfg describes.
func New(cfg Config) (*System, error) {
	if cfg.Memory == nil || cfg.Frames == nil || cfg.CPU == nil {
		return nil, fmt.Errorf("%w: Memory, Frames and CPU are required", ErrConfig)
	}
	if !cfg.ManagedBase.Aligned() || cfg.ManagedSize&pmap.PageMask != 0 {
		return nil, fmt.Errorf("%w: managed range %v+%#x", pmap.ErrUnaligned, cfg.ManagedBase, cfg.ManagedSize)
	}
	if uint64(cfg.ManagedBase) >= paLimit || cfg.ManagedSize > paLimit-uint64(cfg.ManagedBase) {
		return nil, fmt.Errorf("%w: managed range %v+%#x", pmap.ErrOutOfRange, cfg.ManagedBase, cfg.ManagedSize)
	}
	f := DecodeFeatures(cfg.CPU.MMFR0(), cfg.CPU.MMFR1())
	if !f.Gran4 {
		return nil, ErrNoGranule
	}
	sys := &System{
		mem:      cfg.Memory,
		frames:   cfg.Frames,
		cpu:      cfg.CPU,
		feat:     f,
		rmap:     pmap.NewRmap[*Space](cfg.ManagedBase, cfg.ManagedSize),
		hwAccess: f.HWAccess && !cfg.SoftwareAccess,
		hwDirty:  f.HWDirty && !cfg.SoftwareAccess,
	}
	sys.asids.init(f.ASIDBits)
	return sys, nil
}

// Features reports what the ID registers said about the MMU.
func (sys *System) Features() Features { return sys.feat }

// TCR is the value the kernel must load into TCR_EL1 for these tables; see
// tcrValue. HA and HD are set exactly when this System relies on the
// hardware for the Access flag and the dirty state.
func (sys *System) TCR() uint64 { return tcrValue(sys.feat, sys.hwAccess, sys.hwDirty) }

// HardwareAccess reports whether the hardware sets the Access flag
// (otherwise FastFault does) and whether it manages the dirty state.
func (sys *System) HardwareAccess() (access, dirty bool) { return sys.hwAccess, sys.hwDirty }

// Create implements pmap.System: an empty lower-half (TTBR0) space. A kernel
// space gets a permanent ASID at once; a user space gets one on Activate.
func (sys *System) Create(kind pmap.Kind) (pmap.Pmap, error) {
	if kind != pmap.KindUser && kind != pmap.KindKernel {
		return nil, fmt.Errorf("%w: kind %d", pmap.ErrBadFlags, kind)
	}
	return sys.newSpace(kind, false)
}

// CreateUpper makes the table for the upper half, [0xffff000000000000,
// 1<<64), that TTBR1_EL1 translates for every address space: the trap
// trampoline and per-CPU save areas. It is a kernel space whose mappings are
// global (nG = 0) and EL1-only; its Activate loads TTBR1_EL1. Lower-half
// addresses are out of its range.
func (sys *System) CreateUpper() (*Space, error) { return sys.newSpace(pmap.KindKernel, true) }

func (sys *System) newSpace(kind pmap.Kind, upper bool) (*Space, error) {
	s := &Space{sys: sys, kind: kind, upper: upper, refs: 1}
	if kind == pmap.KindKernel && !upper {
		asid, ok := sys.asids.pin()
		if !ok {
			return nil, ErrNoASID
		}
		s.asid, s.pinned = asid, true
	}
	root, ok := sys.frames.AllocFrame()
	if !ok {
		if s.pinned {
			sys.asids.unpin(s.asid)
		}
		return nil, pmap.ErrNoFrames
	}
	s.root = root
	s.stats.TablePages = 1
	return s, nil
}

// mappings returns every mapping of pa, in the System's scratch buffer.
func (sys *System) mappings(pa pmap.PAddr) []pmap.Mapping[*Space] {
	sys.scratch = sys.rmap.Mappings(pa, sys.scratch[:0])
	return sys.scratch
}

// PageProtect implements pmap.System.
func (sys *System) PageProtect(pa pmap.PAddr, prot pmap.Prot) {
	if !sys.rmap.Managed(pa) {
		return
	}
	for _, m := range sys.mappings(pa) {
		m.Space.protectPage(m.VA, prot)
	}
}

// IsModified implements pmap.System.
func (sys *System) IsModified(pa pmap.PAddr) bool {
	if sys.rmap.Attr(pa)&pmap.AttrModified != 0 {
		return true
	}
	return sys.anyLeaf(pa, entry.dirty)
}

// IsReferenced implements pmap.System.
func (sys *System) IsReferenced(pa pmap.PAddr) bool {
	if sys.rmap.Attr(pa)&pmap.AttrReferenced != 0 {
		return true
	}
	return sys.anyLeaf(pa, entry.referenced)
}

// anyLeaf reports whether test holds for the leaf of any mapping of pa.
func (sys *System) anyLeaf(pa pmap.PAddr, test func(entry) bool) bool {
	for _, m := range sys.mappings(pa) {
		if slot, _ := m.Space.lookup(m.Space.offset(m.VA)); slot != nil && test(loadLeaf(slot)) {
			return true
		}
	}
	return false
}

// ClearModify implements pmap.System. Tracked writable mappings go back to
// clean (AP[2] = 1), so the next write faults (or, with TCR_EL1.HD, is
// recorded by the hardware); untracked mappings (kernel ones) cannot be
// observed and keep reporting modified while they are writable.
func (sys *System) ClearModify(pa pmap.PAddr) {
	sys.rmap.ClearAttr(pa, pmap.AttrModified)
	for _, m := range sys.mappings(pa) {
		m.Space.cleanPage(m.VA)
	}
}

// ClearReference implements pmap.System. Tracked mappings get AF = 0 again;
// untracked ones keep reporting referenced while they exist.
func (sys *System) ClearReference(pa pmap.PAddr) {
	sys.rmap.ClearAttr(pa, pmap.AttrReferenced)
	for _, m := range sys.mappings(pa) {
		m.Space.unreferencePage(m.VA)
	}
}

// ZeroPage implements pmap.System.
func (sys *System) ZeroPage(pa pmap.PAddr) { sys.cpu.ZeroFrame(sys.mem.Frame(pa)) }

// SyncCache implements pmap.System with the CPU's cache maintenance:
// CacheFlushData cleans and invalidates the data cache to the point of
// coherency, CacheSyncInstructions makes instruction fetch coherent with
// the data written, CacheFlushAll does both, data first.
func (sys *System) SyncCache(pa pmap.PAddr, size uint64, op pmap.CacheOp) {
	if size == 0 {
		return
	}
	if op == pmap.CacheFlushData || op == pmap.CacheFlushAll {
		sys.cpu.CleanInvalidateDataCache(pa, size)
	}
	if op == pmap.CacheSyncInstructions || op == pmap.CacheFlushAll {
		sys.cpu.SyncInstructionCache(pa, size)
	}
}

// CopyPage implements pmap.System.
func (sys *System) CopyPage(src, dst pmap.PAddr) { *sys.mem.Frame(dst) = *sys.mem.Frame(src) }

// foldLeaf records the referenced and modified state of the leaf e, which is
// going away or losing write access, in the reverse map's attributes.
func (sys *System) foldLeaf(e entry, pa pmap.PAddr) {
	var a pmap.Attr
	if e.referenced() {
		a |= pmap.AttrReferenced
	}
	if e.dirty() {
		a |= pmap.AttrModified
	}
	if a != 0 {
		sys.rmap.SetAttr(pa, a)
	}
}

// inRmap reports whether the leaf e of pa belongs in the reverse map: a
// Normal-memory mapping of a managed frame made by Enter.
func (sys *System) inRmap(e entry, pa pmap.PAddr) bool {
	return e&swDirect == 0 && !e.device() && sys.rmap.Managed(pa)
}

var _ pmap.System = (*System)(nil)
