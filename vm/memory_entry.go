package vm

import "github.com/tamach/tamach/pmap"

// MemoryEntry is a named memory entry (the port mach_make_memory_entry
// returns, XNU's vm_named_entry): memory that vm_map can map, shared or
// copied, into any map. It is backed in one of two ways:
//
//   - by one object (XNU's is_object): size bytes of object from offset.
//     Made by MapMemNamedCreate, by the default share of a range (which
//     stops at the first map entry), by a sub-range of a parent entry, and
//     by NewMemoryEntry for a pager's object;
//   - by the pieces of a range (XNU's is_copy): the objects of the map
//     entries a range covered, in order. Made by MapMemVMCopy (private
//     copies) and MapMemVMShare (the objects themselves). vm_map maps such
//     an entry whole, whatever offset and size it is given.
//
// Every object an entry holds may be written in place by its mappings, so
// vm_map copies them with a delayed copy (copyShared), never by marking
// them copy-on-write.
type MemoryEntry struct {
	sys  *System
	refs int // references (send rights): MapMemNamedReuse hands out the parent again

	object *Object     // object-backed: the object (one reference)
	offset uint64      // object-backed: offset of the entry in object
	pieces []copyEntry // range-backed: [start, end) of the entry from object at offset (one reference each)

	size       uint64    // bytes covered, whole pages
	dataOffset uint64    // offset of the caller's data in the first page (MapMemUseDataAddr)
	prot       pmap.Prot // the most a mapping of the entry may have
	access     uint8     // caching mode (GET_MAP_MEM): recorded; tamach maps all memory cached
}

// Size reports the bytes the entry covers, in whole pages.
func (me *MemoryEntry) Size() uint64 { return me.size }

// isCopy reports whether me is backed by the pieces of a range.
func (me *MemoryEntry) isCopy() bool { return me.object == nil }

// eachObject calls f for every object reference me holds.
func (me *MemoryEntry) eachObject(f func(o *Object)) {
	if me.object != nil {
		f(me.object)
	}
	for _, p := range me.pieces {
		f(p.object)
	}
}

// Release drops a reference to the memory entry (deallocating a send
// right to its port); the last one frees it.
func (me *MemoryEntry) Release() {
	if me == nil || me.sys == nil {
		return
	}
	s := me.sys
	s.mu.Lock()
	defer s.mu.Unlock()
	me.refs--
	if me.refs > 0 {
		return
	}
	delete(s.memEntries, me)
	me.eachObject(func(o *Object) { o.deallocate() })
	me.object, me.pieces, me.sys = nil, nil, nil
}

// newMemoryEntry registers an object-backed entry; it takes the caller's
// reference on o.
func (s *System) newMemoryEntry(o *Object, offset, size uint64, prot pmap.Prot) *MemoryEntry {
	me := &MemoryEntry{sys: s, refs: 1, object: o, offset: offset, size: size, prot: prot}
	s.memEntries[me] = struct{}{}
	return me
}

// newRangeEntry registers a range-backed entry; it takes the pieces'
// references.
func (s *System) newRangeEntry(pieces []copyEntry, size uint64, prot pmap.Prot) *MemoryEntry {
	me := &MemoryEntry{sys: s, refs: 1, pieces: pieces, size: size, prot: prot}
	s.memEntries[me] = struct{}{}
	return me
}

// NewMemoryEntry wraps a reference to o (taken here) in a memory entry of
// o's size with protection prot, for vm_map of a pager-backed object
// (mach_memory_object_memory_entry_64).
func (s *System) NewMemoryEntry(o *Object, prot pmap.Prot) (*MemoryEntry, error) {
	if o == nil || o.sys != s || prot&^ProtAll != 0 {
		return nil, KernInvalidArgument
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if o.refs == 0 {
		return nil, KernInvalidArgument
	}
	o.reference()
	return s.newMemoryEntry(o, 0, o.size, prot), nil
}

// MemEntryFlags are mach_make_memory_entry's permission word
// (osfmk/mach/memory_object_types.h): a protection in the low byte
// (VM_PROT_* and VM_PROT_IS_MASK; other bits there are ignored), MAP_MEM_*
// flags in bits 8-23 and a caching mode (MAP_MEM_NOOP, MAP_MEM_IO, ...) in
// the top byte.
type MemEntryFlags uint32

// Memory entry flags (MAP_MEM_FLAGS_USER).
const (
	MapMemLedgerTagged       MemEntryFlags = 0x002000 // MAP_MEM_LEDGER_TAGGED: accepted, no ledgers in tamach
	MapMemPurgableKernelOnly MemEntryFlags = 0x004000 // MAP_MEM_PURGABLE_KERNEL_ONLY: tasks may not set its state
	MapMemGrabSecluded       MemEntryFlags = 0x008000 // MAP_MEM_GRAB_SECLUDED: accepted, no effect
	MapMemOnly               MemEntryFlags = 0x010000 // MAP_MEM_ONLY: only set the parent's caching mode
	MapMemNamedCreate        MemEntryFlags = 0x020000 // MAP_MEM_NAMED_CREATE: a new anonymous object
	MapMemPurgable           MemEntryFlags = 0x040000 // MAP_MEM_PURGABLE: ... that is purgeable
	MapMemNamedReuse         MemEntryFlags = 0x080000 // MAP_MEM_NAMED_REUSE: return the parent if it is the same memory
	MapMemUseDataAddr        MemEntryFlags = 0x100000 // MAP_MEM_USE_DATA_ADDR: remember the offset of the data in its page
	MapMemVMCopy             MemEntryFlags = 0x200000 // MAP_MEM_VM_COPY: a copy of the range
	MapMemVMShare            MemEntryFlags = 0x400000 // MAP_MEM_VM_SHARE: the range itself, over several map entries
	MapMem4KDataAddr         MemEntryFlags = 0x800000 // MAP_MEM_4K_DATA_ADDR: the same, truncated to 4 KiB

	memEntryFlagsMask = 0x00FFFF00 // MAP_MEM_FLAGS_MASK
	memEntryFlagsUser = MapMemLedgerTagged | MapMemPurgableKernelOnly | MapMemGrabSecluded | MapMemOnly |
		MapMemNamedCreate | MapMemPurgable | MapMemNamedReuse | MapMemUseDataAddr | MapMemVMCopy |
		MapMemVMShare | MapMem4KDataAddr
)

// protIsMask is VM_PROT_IS_MASK (ProtIsMask) as a pmap.Prot bit: with it,
// mach_make_memory_entry and vm_map take the protection as the most
// wanted and grant what the memory allows, instead of failing.
const protIsMask = pmap.Prot(ProtIsMask)

// anonMaxSize is ANON_MAX_SIZE (osfmk/mach/vm_param.h): the largest
// anonymous object, 2^32-1 pages.
const anonMaxSize = 0xFFFFFFFF << pmap.PageShift

// memEntryPerm is a decoded permission word (vm_memory_entry_decode_perm).
type memEntryPerm struct {
	flags       MemEntryFlags
	prot        pmap.Prot // VM_PROT_ALL bits
	mask        bool      // VM_PROT_IS_MASK
	access      uint8     // caching mode
	useDataAddr bool      // MAP_MEM_USE_DATA_ADDR
	use4K       bool      // MAP_MEM_4K_DATA_ADDR
}

// decodePerm checks and decodes the permission word
// (vm_sanitize_memory_entry_perm, osfmk/vm/vm_sanitize.c): an unknown
// MAP_MEM_* flag is KERN_INVALID_VALUE.
func decodePerm(flags MemEntryFlags) (memEntryPerm, error) {
	if flags&memEntryFlagsMask&^memEntryFlagsUser != 0 {
		return memEntryPerm{}, KernInvalidValue
	}
	return memEntryPerm{flags: flags, prot: pmap.Prot(flags) & ProtAll, mask: pmap.Prot(flags)&protIsMask != 0,
		access: uint8(flags >> 24), useDataAddr: flags&MapMemUseDataAddr != 0, use4K: flags&MapMem4KDataAddr != 0}, nil
}

// offsetInPage is the offset of the data in the first page the entry keeps
// (vm_memory_entry_get_offset_in_page): none unless the caller asked for
// the data address.
func (p memEntryPerm) offsetInPage(offset, start uint64) uint64 {
	if !p.useDataAddr && !p.use4K {
		return 0
	}
	in := offset - start
	if p.use4K {
		in &^= 0xFFF
	}
	return in
}

// MakeMemoryEntry is mach_make_memory_entry_64 (osfmk/vm/vm_memory_entry.c):
// it makes a memory entry for size bytes at offset, as flags says, and
// returns it with its size (what XNU writes back to *size). parent is the
// parent entry (XNU's parent_handle) or nil. The kinds, in XNU's order of
// precedence:
//
//   - an unknown MAP_MEM_* flag is KERN_INVALID_VALUE, a parent backed by a
//     range KERN_INVALID_ARGUMENT;
//   - MapMemOnly sets the caching mode of parent and returns no entry and
//     size unchanged (mach_make_memory_entry_mem_only);
//   - MapMemNamedCreate: a new anonymous object of the page range of
//     [offset, offset+size), purgeable with MapMemPurgable; size 0 returns
//     no entry and size 0 (mach_make_memory_entry_named_create);
//   - MapMemVMCopy: a copy of the range of m, over any number of map
//     entries (mach_make_memory_entry_copy);
//   - MapMemVMShare, MapMemNamedReuse, or no parent: the memory of the
//     range of m itself; with MapMemVMShare over any number of map
//     entries, otherwise only as far as the first map entry goes
//     (mach_make_memory_entry_share);
//   - otherwise the sub-range [offset, offset+size) of parent
//     (mach_make_memory_entry_from_parent_entry).
//
// The entry's protection is the one asked for (with ProtIsMask: as much of
// it as the memory allows). With MapMemUseDataAddr the entry remembers
// where in its first page offset is, and the size returned counts from
// there.
func (m *Map) MakeMemoryEntry(size uint64, offset VAddr, flags MemEntryFlags, parent *MemoryEntry) (*MemoryEntry, uint64, error) {
	p, err := decodePerm(flags)
	if err != nil {
		return nil, 0, err
	}
	m.sys.mu.Lock()
	defer m.sys.mu.Unlock()
	if parent != nil && (parent.sys != m.sys || parent.isCopy()) {
		return nil, 0, KernInvalidArgument
	}
	off := uint64(offset)
	switch {
	case flags&MapMemOnly != 0:
		return nil, size, m.memOnly(size, off, p, parent)
	case flags&MapMemNamedCreate != 0:
		return m.namedCreate(size, off, p)
	case flags&MapMemVMCopy != 0:
		return m.copyEntryOf(size, off, p)
	case flags&(MapMemVMShare|MapMemNamedReuse) != 0 || parent == nil:
		return m.shareEntryOf(size, off, p, parent)
	}
	return m.sys.subEntry(size, off, p, parent)
}

// memOnly is mach_make_memory_entry_mem_only: it changes the caching mode
// of parent, which must exist and allow writing unless the mode is its
// own (KERN_INVALID_RIGHT).
func (m *Map) memOnly(size, offset uint64, p memEntryPerm, parent *MemoryEntry) error {
	if _, _, err := sanitizeAddrSize(offset, size, sizeZeroFallthrough, false); err != nil {
		return err
	}
	if p.useDataAddr || p.use4K || parent == nil {
		return KernInvalidArgument
	}
	if p.access != parent.access && !parent.prot.Allows(ProtWrite) {
		return KernInvalidRight
	}
	if p.access != 0 {
		parent.access = p.access
	}
	return nil
}

// namedCreate is mach_make_memory_entry_named_create.
func (m *Map) namedCreate(size, offset uint64, p memEntryPerm) (*MemoryEntry, uint64, error) {
	if size == 0 {
		return nil, 0, nil
	}
	start, end, err := sanitizeAddrSize(offset, size, sizeZeroFallthrough, false)
	if err != nil {
		return nil, 0, err
	}
	if p.useDataAddr || p.use4K {
		return nil, 0, KernInvalidArgument
	}
	n := end - start
	if n > anonMaxSize {
		return nil, 0, KernFailure
	}
	if p.flags&MapMemPurgable != 0 && p.prot&ProtWrite == 0 {
		return nil, 0, KernInvalidArgument // "if we can't write, we can't purge"
	}
	o := m.sys.newObject(n, nil)
	if p.flags&MapMemPurgable != 0 {
		m.makePurgeable(o)
		o.purge.kernelOnly = p.flags&MapMemPurgableKernelOnly != 0
	}
	me := m.sys.newMemoryEntry(o, 0, n, p.prot)
	me.access = p.access
	return me, n, nil
}

// copyEntryOf is mach_make_memory_entry_copy: a copy of the page range
// of [offset, offset+size) of m, taken as vm_map_copyin takes it (the
// range must be mapped, KERN_INVALID_ADDRESS, and readable,
// KERN_PROTECTION_FAILURE), each piece made a private object that the
// entry's mappings may write in place.
func (m *Map) copyEntryOf(size, offset uint64, p memEntryPerm) (*MemoryEntry, uint64, error) {
	if size == 0 {
		return nil, 0, KernInvalidArgument
	}
	start, end, err := sanitizeAddrSize(offset, size, sizeZeroFallthrough, false)
	if err != nil {
		return nil, 0, err
	}
	c, err := m.copyin(VAddr(start), end-start, false, "mach_make_memory_entry_64")
	if err != nil {
		return nil, 0, err
	}
	pieces := make([]copyEntry, 0, len(c.entries))
	for _, ce := range c.entries {
		pieces = append(pieces, m.sys.writablePiece(ce))
	}
	c.entries = nil
	c.retire()
	me := m.sys.newRangeEntry(pieces, end-start, p.prot)
	me.dataOffset, me.access = p.offsetInPage(offset, start), p.access
	return me, me.size - me.dataOffset, nil
}

// writablePiece turns a piece of a map copy into one a memory entry may
// hold, consuming its reference: untouched memory gets an object of its
// own, and a copy-on-write share a private shadow (the mappings of a
// memory entry write its objects in place, which a frozen object must
// never be).
func (s *System) writablePiece(ce copyEntry) copyEntry {
	n := ce.end - ce.start
	switch {
	case ce.object == nil:
		ce.object, ce.offset = s.newObject(n, nil), 0
	case ce.needsCopy:
		sh := s.newObject(n, nil)
		sh.shadow, sh.shadowOffset = ce.object, ce.offset
		ce.object.shadowers = append(ce.object.shadowers, sh)
		ce.object, ce.offset = sh, 0
	}
	ce.needsCopy = false
	return ce
}

// shareEntryOf is mach_make_memory_entry_share: the memory of the page
// range of [offset, offset+size) of m itself. Each map entry of the range
// becomes shared (a pending copy-on-write is resolved first, so that the
// entry and the memory entry write the same object). Without
// MapMemVMShare only the first map entry is taken, and the memory entry
// is as long as the range's part in it; with it the range must be mapped
// without a hole. Every map entry taken must allow the protection asked
// for, as current and maximum protection (KERN_PROTECTION_FAILURE); with
// ProtIsMask the entry gets what they all allow, and nothing is
// KERN_PROTECTION_FAILURE. A range in a nested submap is
// KERN_INVALID_ARGUMENT. With MapMemNamedReuse, a parent over the same
// memory is returned instead of a new entry.
func (m *Map) shareEntryOf(size, offset uint64, p memEntryPerm, parent *MemoryEntry) (*MemoryEntry, uint64, error) {
	if size == 0 {
		return nil, 0, KernInvalidArgument
	}
	start, end, err := sanitizeAddrSize(offset, size, sizeZeroFallthrough, false)
	if err != nil {
		return nil, 0, err
	}
	single := p.flags&MapMemVMShare == 0
	need := p.prot
	if p.mask {
		need = ProtNone
	}
	taken, allowed, err := m.walkShared(VAddr(start), VAddr(end), single, need)
	if err != nil {
		return nil, 0, err
	}
	prot := p.prot
	if p.mask {
		prot &= allowed
		if prot == ProtNone {
			return nil, 0, KernProtectionFailure
		}
	}
	pieces := m.shareTaken(taken, VAddr(start), VAddr(end))
	dataOffset := p.offsetInPage(offset, start)
	var me *MemoryEntry
	if single {
		pc := pieces[0]
		n := pc.end - pc.start
		if p.flags&MapMemNamedReuse != 0 && parent != nil && parent.object == pc.object &&
			parent.offset == 0 && pc.offset == 0 && parent.size == n && parent.dataOffset == dataOffset {
			releasePieces(pieces)
			parent.refs++
			return parent, parent.size - parent.dataOffset, nil
		}
		me = m.sys.newMemoryEntry(pc.object, pc.offset, n, prot)
	} else {
		me = m.sys.newRangeEntry(pieces, end-start, prot)
	}
	me.dataOffset, me.access = dataOffset, p.access
	return me, me.size - me.dataOffset, nil
}

// walkShared walks the map entries of [start, end) as
// vm_map_remap_extract does for a shared extraction, changing nothing: the
// range must start in an entry (KERN_INVALID_ADDRESS) and have no hole up
// to where the walk stops, which in single mode is after the first entry;
// an entry whose protection or maximum protection lacks need is
// KERN_PROTECTION_FAILURE. It returns the entries and the protections
// they all allow.
func (m *Map) walkShared(start, end VAddr, single bool, need pmap.Prot) ([]*Entry, pmap.Prot, error) {
	var taken []*Entry
	allowed := pmap.Prot(ProtAll)
	e, ok := m.lookup(start)
	if !ok {
		return nil, 0, KernInvalidAddress
	}
	for at := start; at < end; e = e.next {
		switch {
		case e == &m.header || e.start > at:
			return nil, 0, KernInvalidAddress
		case e.submap != nil:
			return nil, 0, KernInvalidArgument
		case !e.prot.Allows(need) || !e.maxProt.Allows(need):
			return nil, 0, KernProtectionFailure
		}
		allowed &= e.prot & e.maxProt
		taken = append(taken, e)
		at = e.end
		if single {
			break
		}
	}
	return taken, allowed, nil
}

// shareTaken makes the entries walkShared took shared and returns their
// parts of [start, end) as pieces (one reference each, offsets relative to
// start).
func (m *Map) shareTaken(taken []*Entry, start, end VAddr) []copyEntry {
	pieces := make([]copyEntry, 0, len(taken))
	for _, e := range taken {
		s, t := max(start, e.start), min(end, e.end)
		m.makeShared(e)
		e.object.reference()
		pieces = append(pieces, copyEntry{start: uint64(s - start), end: uint64(t - start),
			object: e.object, offset: e.offset + uint64(s-e.start)})
	}
	return pieces
}

// releasePieces drops the references of pieces.
func releasePieces(pieces []copyEntry) {
	for _, p := range pieces {
		if p.object != nil {
			p.object.deallocate()
		}
	}
}

// subEntry is mach_make_memory_entry_from_parent_entry: the page range of
// [offset, offset+size) of parent, where offset is relative to parent
// (plus its data offset with MapMemUseDataAddr). The range must lie in
// parent (KERN_INVALID_ARGUMENT) and parent must allow the protection
// asked for (KERN_PROTECTION_FAILURE; with ProtIsMask the entry gets what
// parent allows).
func (s *System) subEntry(size, offset uint64, p memEntryPerm, parent *MemoryEntry) (*MemoryEntry, uint64, error) {
	if p.useDataAddr || p.use4K {
		if offset+parent.dataOffset < offset {
			return nil, 0, KernInvalidArgument
		}
		offset += parent.dataOffset
	}
	_, _, err := sanitizeAddrSize(offset, size, sizeZeroFallthrough, false)
	if err != nil {
		return nil, 0, err
	}
	start, end := truncPage(offset), roundPage(offset+size)
	if end < start || end > parent.size || parent.offset+start < start {
		return nil, 0, KernInvalidArgument
	}
	prot := p.prot
	if p.mask {
		prot &= parent.prot
	}
	if !parent.prot.Allows(prot) {
		return nil, 0, KernProtectionFailure
	}
	parent.object.reference()
	me := s.newMemoryEntry(parent.object, parent.offset+start, end-start, prot)
	me.dataOffset, me.access = p.offsetInPage(offset, start), p.access
	return me, me.size - me.dataOffset, nil
}

// PurgableControl is mach_memory_entry_purgable_control
// (osfmk/vm/vm_memory_entry.c, memory_entry_purgeable_control_internal):
// vm_purgable_control on the object of a memory entry, which needs no
// mapping and no write access. PurgableSetStateFromKernel, PurgablePurgeAll
// and other controls, a state word with unknown bits for SetState, an
// entry backed by a range, or one that does not cover its whole object
// are KERN_INVALID_ARGUMENT; then as Map.PurgableControl.
func (me *MemoryEntry) PurgableControl(control PurgableControl, state PurgableState) (PurgableState, error) {
	if me == nil || me.sys == nil {
		return 0, KernInvalidArgument
	}
	if control != PurgableSetState && control != PurgableGetState {
		return 0, KernInvalidArgument
	}
	if control == PurgableSetState && state&^PurgableAllMasks != 0 {
		return 0, KernInvalidArgument
	}
	s := me.sys
	s.mu.Lock()
	defer s.mu.Unlock()
	if me.isCopy() || me.offset != 0 || me.object.size != me.size {
		return 0, KernInvalidArgument
	}
	return s.objectPurgableControl(me.object, control, state)
}
