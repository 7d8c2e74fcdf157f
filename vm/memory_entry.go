package vm

import "github.com/tamach/tamach/pmap"

// MemoryEntry is a named memory entry (the port mach_make_memory_entry
// returns): a reference to size bytes of an object at an offset, with the
// protection it may be mapped with.
type MemoryEntry struct {
	sys    *System
	object *Object
	offset uint64
	size   uint64
	prot   pmap.Prot
}

// Size reports the bytes the entry covers.
func (me *MemoryEntry) Size() uint64 { return me.size }

// Release drops the memory entry (deallocating its port).
func (me *MemoryEntry) Release() {
	if me == nil || me.sys == nil {
		return
	}
	s := me.sys
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.memEntries, me)
	me.object.deallocate()
	me.object, me.sys = nil, nil
}

func (s *System) newMemoryEntry(o *Object, offset, size uint64, prot pmap.Prot) *MemoryEntry {
	me := &MemoryEntry{sys: s, object: o, offset: offset, size: size, prot: prot}
	s.memEntries[me] = struct{}{}
	return me
}

// NewMemoryEntry wraps a reference to o (taken here) in a memory entry of
// o's size with protection prot, for vm_map of a pager-backed object.
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

// MakeMemoryEntry is mach_make_memory_entry_64. flags holds the protection
// in its low bits and MAP_MEM_* flags above:
//
//   - MapMemNamedCreate: a new anonymous object of size bytes;
//   - MapMemVMCopy: a snapshot of [offset, offset+size) of m;
//   - otherwise (MapMemVMShare): the memory of that range itself, shared.
//
// The range must lie within one entry (KERN_INVALID_ARGUMENT otherwise) and
// its protection must allow the requested one (KERN_PROTECTION_FAILURE). It
// returns the entry and its page-rounded size.
func (m *Map) MakeMemoryEntry(size uint64, offset VAddr, flags MemEntryFlags) (*MemoryEntry, uint64, error) {
	prot := pmap.Prot(flags) & ProtAll
	if flags&^memEntryKnown != 0 || size == 0 {
		return nil, 0, KernInvalidArgument
	}
	m.sys.mu.Lock()
	defer m.sys.mu.Unlock()
	if flags&MapMemNamedCreate != 0 {
		if size > maxObjectSize {
			return nil, 0, KernInvalidArgument
		}
		o := m.sys.newObject(roundPage(size), nil)
		return m.sys.newMemoryEntry(o, 0, o.size, prot), o.size, nil
	}
	start, end, err := m.pageRange(offset, size)
	if err != nil {
		return nil, 0, err
	}
	e, ok := m.lookup(start)
	if !ok || e.end < end || e.submap != nil {
		return nil, 0, KernInvalidArgument
	}
	if !e.prot.Allows(prot) {
		return nil, 0, KernProtectionFailure
	}
	n := uint64(end - start)
	if flags&MapMemVMCopy != 0 {
		o, err := m.snapshot(e, start, n)
		if err != nil {
			return nil, 0, err
		}
		return m.sys.newMemoryEntry(o, 0, n, prot), n, nil
	}
	m.makeShared(e)
	e.object.reference()
	return m.sys.newMemoryEntry(e.object, e.offset+uint64(start-e.start), n, prot), n, nil
}

// snapshot returns an object holding a copy of n bytes of e from start,
// without copying any page unless e is wired or purgeable: a private object shadowing
// what the copy entry of that range refers to, frozen by symmetric or
// delayed copy-on-write. The memory entry may be mapped shared and written
// in place, which a frozen object must never be, hence the shadow.
func (m *Map) snapshot(e *Entry, start VAddr, n uint64) (*Object, error) {
	if e.object == nil {
		return m.sys.newObject(n, nil), nil
	}
	off := e.offset + uint64(start-e.start)
	var ce copyEntry
	var err error
	switch {
	case e.wired() || e.object.copiedEagerly():
		return m.sys.copySlowly(e.object, off, n)
	case e.isShared:
		ce, err = m.sys.copyShared(e.object, off, n)
	default:
		m.markNeedsCopy(e)
		e.object.reference()
		ce = copyEntry{object: e.object, offset: off, needsCopy: true}
	}
	if err != nil || !ce.needsCopy {
		return ce.object, err
	}
	sh := m.sys.newObject(n, nil)
	sh.shadow, sh.shadowOffset = ce.object, ce.offset
	ce.object.shadowers = append(ce.object.shadowers, sh)
	return sh, nil
}

// MapOptions are vm_map's arguments after the address and size. The zero
// value is vm_map's defaults: at the address given (VM_FLAGS_FIXED),
// anonymous zero-fill memory, inheritance VM_INHERIT_DEFAULT (copy), with
// the protections Cur and Max, which vm_map has no default for (zero is
// VM_PROT_NONE).
type MapOptions struct {
	Mask   uint64       // alignment mask of the address chosen
	Flags  Flags        // FlagsAnywhere, FlagsOverwrite, alias
	Entry  *MemoryEntry // nil: anonymous zero-fill memory
	Offset uint64       // offset in the memory entry
	Copy   bool         // map a copy instead of sharing
	Cur    pmap.Prot    // current protection
	Max    pmap.Prot    // maximum protection
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

// MapMemory is vm_map (mach_vm_map): it maps size bytes of a memory entry
// at its offset (or anonymous memory), shared or copied, with the given
// protections and inheritance, at addr or anywhere. A protection above the
// memory entry's is KERN_INVALID_RIGHT; cur above max, unknown flags or
// values, or a range beyond the entry are KERN_INVALID_ARGUMENT.
func (m *Map) MapMemory(addr VAddr, size uint64, o MapOptions) (VAddr, error) {
	if err := o.validate(m, size); err != nil {
		return 0, err
	}
	m.sys.mu.Lock()
	defer m.sys.mu.Unlock()
	if m.sealed() {
		return 0, KernInvalidArgument
	}
	spec := entrySpec{prot: o.Cur, maxProt: o.Max, inherit: o.inherit(), alias: o.Flags.alias()}
	if o.Entry != nil {
		ce, err := m.sys.entryObject(o, roundPage(size))
		if err != nil {
			return 0, err
		}
		spec.object, spec.offset, spec.needsCopy = ce.object, ce.offset, ce.needsCopy
		spec.isShared = !o.Copy
	}
	start, err := m.enter(addr, size, o.Mask, o.Flags, spec)
	if err != nil && spec.object != nil {
		spec.object.deallocate()
	}
	return start, err
}

func (o *MapOptions) validate(m *Map, size uint64) error {
	switch {
	case o.Flags&^flagsMap != 0 || o.Flags&FlagsAnywhere != 0 && o.Flags&FlagsOverwrite != 0:
		return KernInvalidArgument
	case o.Cur&^ProtAll != 0 || o.Max&^ProtAll != 0 || !o.Max.Allows(o.Cur) || !o.inherit().valid():
		return KernInvalidArgument
	case size == 0 || size > maxObjectSize:
		return KernInvalidArgument
	case o.Entry == nil:
		return nil
	case o.Entry.sys != m.sys:
		return KernInvalidArgument
	case o.Offset&pmap.PageMask != 0 || o.Offset+roundPage(size) < o.Offset || o.Offset+roundPage(size) > roundPage(o.Entry.size):
		return KernInvalidArgument
	case !o.Copy && !o.Entry.prot.Allows(o.Max):
		return KernInvalidRight
	case o.Copy && !o.Entry.prot.Allows(o.Cur&ProtRead):
		return KernInvalidRight
	}
	return nil
}

// entryObject returns what vm_map puts in the new entry (the object with a
// new reference, the offset, needs copy): the memory entry's object when
// sharing; when copying, a delayed copy (copyShared), since a memory
// entry's object may be written in place by its sharers at any time.
// Nothing is copied or paged in.
func (s *System) entryObject(o MapOptions, size uint64) (copyEntry, error) {
	obj, off := o.Entry.object, o.Entry.offset+o.Offset
	if o.Copy {
		return s.copyShared(obj, off, size)
	}
	obj.reference()
	return copyEntry{object: obj, offset: off}, nil
}
