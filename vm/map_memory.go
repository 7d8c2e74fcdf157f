package vm

import "github.com/tamach/tamach/pmap"

// MapOptions are vm_map's arguments after the address and size. The zero
// value is vm_map's defaults: at the address given (VM_FLAGS_FIXED),
// anonymous zero-fill memory, inheritance VM_INHERIT_DEFAULT (copy), with
// the protections Cur and Max, which vm_map has no default for (zero is
// VM_PROT_NONE).
type MapOptions struct {
	Mask   uint64       // alignment mask of the address chosen
	Flags  Flags        // VM_FLAGS_USER_MAP: FlagsAnywhere, FlagsOverwrite, FlagsPurgable, FlagsReturnDataAddr, alias, ...
	Entry  *MemoryEntry // nil: anonymous zero-fill memory
	Offset uint64       // offset in the memory entry
	Copy   bool         // map a copy instead of sharing
	Cur    pmap.Prot    // current protection; with ProtIsMask, at most the entry's
	Max    pmap.Prot    // maximum protection; with ProtIsMask, at most the entry's
	// Inherit is the inheritance of the new entry; nil means
	// VM_INHERIT_DEFAULT (copy). Set it with new(vm.InheritShare).
	Inherit *Inherit
}

// inherit returns the inheritance o asks for.
func (o *MapOptions) inherit() Inherit {
	if o.Inherit == nil {
		return InheritDefault
	}
	return *o.Inherit
}

// mapRequest is vm_map's arguments once checked
// (vm_map_enter_mem_object_sanitize).
type mapRequest struct {
	flags      Flags
	addr       VAddr  // fixed: the page-aligned start; anywhere: the hint, truncated
	size       uint64 // page-rounded
	initial    uint64 // the size asked for
	mask       uint64
	cur, max   pmap.Prot
	maskCur    bool // ProtIsMask in cur: take what the entry allows
	maskMax    bool
	inherit    Inherit
	offs, oend uint64 // memory entry: [Offset, Offset+size), not rounded
}

func (r *mapRequest) fixed() bool { return r.flags&FlagsAnywhere == 0 }

// MapMemory is vm_map / mach_vm_map (osfmk/vm/vm_user.c mach_vm_map_external,
// osfmk/vm/vm_map.c vm_map_enter_mem_object and vm_map_enter): it maps size
// bytes of o.Entry from o.Offset (or anonymous memory), shared or, with
// o.Copy, copied, and returns where. The checks, in XNU's order:
//
//   - a flag outside VM_FLAGS_USER_MAP: KERN_INVALID_ARGUMENT;
//   - Cur, then Max, with a bit outside VM_PROT_ALL|VM_PROT_IS_MASK:
//     KERN_INVALID_ARGUMENT; Cur above Max is lowered to Max (XNU's error
//     compatibility for vm_map);
//   - inheritance above VM_INHERIT_NONE: KERN_INVALID_ARGUMENT;
//   - size 0, a size that rounds to 0, and at a fixed address an
//     address+size that wraps or ends in the last page:
//     KERN_INVALID_ARGUMENT; Offset+size wrapping likewise;
//   - a memory entry: with FlagsReturnDataAddr its data offset is added;
//     Cur or Max above the entry's protection is KERN_INVALID_RIGHT, even
//     with Copy; Offset+size beyond the entry KERN_INVALID_ARGUMENT. An
//     entry backed by a range is mapped whole, and takes only the flags
//     FlagsAnywhere, FlagsOverwrite and the return-data-address ones
//     (KERN_INVALID_ARGUMENT); an object-backed one needs a page-aligned
//     offset unless FlagsReturnDataAddr (KERN_INVALID_ARGUMENT);
//   - then vm_map_enter's: any superpage size KERN_INVALID_ARGUMENT;
//     FlagsTPRO needs Max read-write and Cur read
//     (KERN_PROTECTION_FAILURE) and maps read-only; FlagsPurgable needs
//     anonymous memory or a whole purgeable object, and at most
//     ANON_MAX_SIZE (KERN_INVALID_ARGUMENT);
//   - placement: anywhere at or above the hint (below the map it is the
//     map's start; at or above its end KERN_NO_SPACE); at a fixed address
//     not aligned to Mask KERN_NO_SPACE, outside the map
//     KERN_INVALID_ADDRESS, over memory in use KERN_NO_SPACE unless
//     FlagsOverwrite (ignored with FlagsAnywhere) replaces it.
//
// With FlagsReturnDataAddr the address returned keeps the offset of the
// data in its page. FlagsRandomAddr and FlagsPermanent are accepted but do
// nothing: tamach places memory at the first fit and has no permanent
// entries.
func (m *Map) MapMemory(addr VAddr, size uint64, o MapOptions) (VAddr, error) {
	if o.Flags&^flagsUserMap != 0 {
		return 0, KernInvalidArgument
	}
	r, err := o.sanitize(uint64(addr), size)
	if err != nil {
		return 0, err
	}
	m.sys.mu.Lock()
	defer m.sys.mu.Unlock()
	if o.Entry != nil && o.Entry.sys != m.sys {
		return 0, KernInvalidObject
	}
	if m.sealed() {
		return 0, KernInvalidArgument
	}
	if o.Entry == nil {
		return m.enterObject(&r, entrySpec{})
	}
	return m.mapEntry(&r, o.Entry, o.Copy)
}

// sanitize is vm_map_enter_mem_object_sanitize.
func (o *MapOptions) sanitize(addr, size uint64) (mapRequest, error) {
	r := mapRequest{flags: o.Flags, initial: size, mask: o.Mask, inherit: o.inherit()}
	var err error
	if r.cur, r.max, err = sanitizeProts(o.Cur, o.Max, protIsMask, true); err != nil {
		return r, err
	}
	if err := sanitizeInherit(r.inherit); err != nil {
		return r, err
	}
	if r.fixed() {
		start, end, err := sanitizeAddrSize(addr, size, sizeZeroFails, true)
		if err != nil {
			return r, err
		}
		r.addr, r.size = VAddr(start), end-start
	} else {
		r.addr = VAddr(truncPage(addr))
		if r.size, err = sanitizeSize(size); err != nil {
			return r, err
		}
	}
	if o.Entry != nil {
		if o.Offset+r.size < o.Offset || roundPage(o.Offset+r.size) <= truncPage(o.Offset) {
			return r, KernInvalidArgument
		}
		r.offs, r.oend = o.Offset, o.Offset+r.size
	}
	r.maskCur, r.maskMax = r.cur&protIsMask != 0, r.max&protIsMask != 0
	r.cur &^= protIsMask
	r.max &^= protIsMask
	return r, nil
}

// mapEntry is the memory entry part of vm_map_enter_mem_object.
func (m *Map) mapEntry(r *mapRequest, me *MemoryEntry, copy bool) (VAddr, error) {
	// LAB sharing: begin
	if r.flags&(FlagsReturnDataAddr|FlagsReturn4KDataAddr) != 0 {
		if err := r.moveOffset(me.dataOffset); err != nil {
			return 0, err
		}
	}
	if r.maskMax {
		r.max &= me.prot
	}
	if r.maskCur {
		r.cur &= me.prot
	}
	if !me.prot.Allows(r.max) || !me.prot.Allows(r.cur) {
		return 0, KernInvalidRight
	}
	if me.size < r.offs+r.initial {
		return 0, KernInvalidArgument
	}
	if err := r.moveOffset(me.offset); err != nil {
		return 0, err
	}
	if me.isCopy() {
		return m.mapRangeEntry(r, me, copy)
	}
	in := dataOffsetIn(r.offs, r.flags)
	if in != 0 {
		r.offs -= in
		r.size = roundPage(r.initial + in)
	}
	if r.offs&pmap.PageMask != 0 {
		return 0, KernInvalidArgument
	}
	spec := entrySpec{object: me.object, offset: r.offs, isShared: !copy}
	if copy {
		ce, err := m.sys.copyShared(me.object, r.offs, r.size)
		if err != nil {
			return 0, err
		}
		spec.object, spec.offset, spec.needsCopy = ce.object, ce.offset, ce.needsCopy
	} else {
		me.object.reference()
	}
	at, err := m.enterObject(r, spec)
	if err != nil {
		return 0, err
	}
	return at + VAddr(in), nil
	// LAB sharing: stub
	// panic("lab sharing: not implemented: mapEntry (vm_map of a memory entry)")
	// LAB sharing: end
}

// moveOffset adds delta to the object range (vm_map_enter_adjust_offset):
// a sum that wraps, or an end that rounds up to 0, is
// KERN_INVALID_ARGUMENT.
func (r *mapRequest) moveOffset(delta uint64) error {
	offs, oend := r.offs+delta, r.oend+delta
	if offs < r.offs || oend < r.oend || roundPage(oend) == 0 {
		return KernInvalidArgument
	}
	r.offs, r.oend = offs, oend
	return nil
}

// mapRangeEntry maps a memory entry backed by a range, whole (the
// is_copy case of vm_map_enter_mem_object): each piece shared, or with
// copy, copied (copyShared).
func (m *Map) mapRangeEntry(r *mapRequest, me *MemoryEntry, copy bool) (VAddr, error) {
	if r.flags&^(FlagsAnywhere|FlagsOverwrite|FlagsReturnDataAddr|FlagsReturn4KDataAddr|FlagsAliasMask) != 0 {
		return 0, KernInvalidArgument
	}
	in := dataOffsetIn(r.offs, r.flags)
	size := roundPage(me.size)
	if r.fixed() {
		if err := m.fixedRange(r.addr, size, r.mask); err != nil {
			return 0, err
		}
	}
	entries := make([]*Entry, 0, len(me.pieces))
	release := func() {
		for _, e := range entries {
			m.releaseEntry(e)
		}
	}
	for _, p := range me.pieces {
		e := &Entry{start: VAddr(p.start), end: VAddr(p.end), object: p.object, offset: p.offset,
			prot: r.cur, maxProt: r.max, inherit: r.inherit, alias: r.flags.alias(), isShared: !copy}
		if copy {
			ce, err := m.sys.copyShared(p.object, p.offset, p.end-p.start)
			if err != nil {
				release()
				return 0, err
			}
			e.object, e.offset, e.needsCopy = ce.object, ce.offset, ce.needsCopy
		} else {
			p.object.reference()
		}
		entries = append(entries, e)
	}
	at, err := m.placePieces(r.addr, size, r.mask, r.flags, entries)
	if err != nil {
		release()
		return 0, err
	}
	return at + VAddr(in), nil
}

// fixedRange checks a fixed placement as vm_map_locate_space_fixed does
// before it looks at the entries: a start not aligned to mask is
// KERN_NO_SPACE, a range outside the map KERN_INVALID_ADDRESS.
func (m *Map) fixedRange(start VAddr, size, mask uint64) error {
	end := uint64(start) + size
	switch {
	case uint64(start)&mask != 0:
		return KernNoSpace
	case start < m.min || end > uint64(m.max) || end <= uint64(start):
		return KernInvalidAddress
	}
	return nil
}

// enterObject is vm_map_enter for one object (nil: anonymous memory):
// its checks, then enter. It consumes spec.object's reference, also on
// failure.
func (m *Map) enterObject(r *mapRequest, spec entrySpec) (VAddr, error) {
	fail := func(err error) (VAddr, error) {
		if spec.object != nil {
			spec.object.deallocate()
		}
		return 0, err
	}
	if r.flags&FlagsSuperpageMask != 0 {
		return fail(KernInvalidArgument)
	}
	cur := r.cur
	if r.flags&FlagsTPRO != 0 {
		if !r.max.Allows(ProtRead|ProtWrite) || !cur.Allows(ProtRead) {
			return fail(KernProtectionFailure)
		}
		cur = ProtRead
	}
	purgeable := r.flags&FlagsPurgable != 0
	if purgeable && (spec.offset != 0 || r.size > anonMaxSize || spec.object != nil &&
		(spec.object.size != r.size || spec.object.purgable == PurgableDeny)) {
		return fail(KernInvalidArgument)
	}
	if r.fixed() {
		if err := m.fixedRange(r.addr, r.size, r.mask); err != nil {
			return fail(err)
		}
	}
	if purgeable && spec.object == nil {
		spec.object = m.sys.newObject(r.size, nil)
		m.makePurgeable(spec.object)
	}
	spec.prot, spec.maxProt, spec.inherit, spec.alias = cur, r.max, r.inherit, r.flags.alias()
	at, err := m.enter(r.addr, r.size, r.mask, r.flags&(FlagsAnywhere|FlagsOverwrite), spec)
	if err != nil {
		return fail(err)
	}
	return at, nil
}
