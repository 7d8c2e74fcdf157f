package vm

import (
	"fmt"
	"sort"

	"github.com/tamach/tamach/pmap"
)

// Read-only views of the vm's structures for introspection tools (the
// console shell's vmmap, vmobject and pagers, kernel/shell): each is a copy
// made under the vm lock, so the caller may format it at leisure. They add
// nothing to the Mach API; Region and RegionRecurse are what tasks call.

// EntryView is one map entry as vmmap draws it.
type EntryView struct {
	Start, End    VAddr
	Prot, MaxProt pmap.Prot
	Inherit       Inherit
	Wired         int  // kernel and user wirings
	NeedsCopy     bool // the first write pushes a shadow object
	Shared        bool // written in place by other entries too
	Submap        bool
	Object        uint64    // id of the entry's object, 0 for none (untouched zero-fill) or a submap
	Offset        uint64    // offset of Start in the object
	ShareMode     ShareMode // as vm_region's extended info reports it
	Resident      uint32    // pages of the range found resident along the chain
	SwappedOut    uint32    // pages of the range the default pager holds
	Depth         int       // objects in the chain below the entry's object
	Backing       string    // where the data comes from: zero-fill, a pager and offset, a memory entry
}

// ObjectView is one object of a shadow chain as vmobject draws it.
type ObjectView struct {
	ID        uint64
	Size      uint64
	Refs      int
	Internal  bool   // anonymous memory (zero-fill, the default pager)
	Resident  int    // its resident pages
	PagedOut  int    // pages its pager holds for it (internal objects)
	Pager     string // "" for none yet, else the pager's name
	Offset    uint64 // the offset of the address looked up, in this object
	HasPage   bool   // this object holds that page resident
	PagerHas  bool   // ... or its pager does
	Copy      string // its copy strategy, in words
	TrueShare bool   // shared on purpose (a memory entry, vm_remap)
}

// PagerView is one object with a pager, for a pager listing.
type PagerView struct {
	Object   uint64
	Pager    Pager
	Internal bool // the default pager's object (anonymous memory)
	Size     uint64
	Resident int
	PagedOut int // internal objects: offsets the pager holds
}

// Inspect returns the map's entries in address order.
func (m *Map) Inspect() []EntryView {
	m.sys.mu.Lock()
	defer m.sys.mu.Unlock()
	var vs []EntryView
	for e := m.header.next; e != &m.header; e = e.next {
		vs = append(vs, m.entryView(e))
	}
	return vs
}

func (m *Map) entryView(e *Entry) EntryView {
	v := EntryView{Start: e.start, End: e.end, Prot: e.prot, MaxProt: e.maxProt, Inherit: e.inherit,
		Wired: int(e.wiredCount) + int(e.userWiredCount), NeedsCopy: e.needsCopy, Shared: e.isShared,
		Submap: e.submap != nil, Offset: e.offset}
	if e.submap == nil {
		x := m.extendedInfo(e, e.start, e.end)
		v.ShareMode, v.Resident, v.SwappedOut = x.ShareMode, x.PagesResident, x.PagesSwappedOut
	} else {
		v.ShareMode = SMPrivate
	}
	switch {
	case e.submap != nil:
		v.Backing = "submap"
		return v
	case e.object == nil:
		v.Backing = "zero-fill (untouched)"
		return v
	}
	v.Object = e.object.id
	o, off := e.object, e.offset
	for o.shadow != nil {
		off += o.shadowOffset
		o = o.shadow
		v.Depth++
	}
	switch {
	case !o.internal:
		v.Backing = fmt.Sprintf("%s +%#x", pagerName(o.pager), off)
	case m.sys.trueShared(e.object):
		v.Backing = "memory entry, " + internalBacking(o)
	default:
		v.Backing = internalBacking(o)
	}
	if v.Depth > 0 {
		v.Backing = fmt.Sprintf("%s, under %d shadow object(s)", v.Backing, v.Depth)
	}
	return v
}

// internalBacking names what backs anonymous memory.
func internalBacking(o *Object) string {
	if o.pager != nil {
		return "zero-fill, " + pagerName(o.pager)
	}
	return "zero-fill"
}

// pagerName is a pager's own name (fmt.Stringer), else its type.
func pagerName(p Pager) string {
	if s, ok := p.(fmt.Stringer); ok {
		return s.String()
	}
	return fmt.Sprintf("%T", p)
}

// Chain returns the entry holding addr and the objects of its shadow
// chain, top first, each with the offset addr's page has in it and
// whether it holds that page. No entry there is KERN_INVALID_ADDRESS.
func (m *Map) Chain(addr VAddr) (EntryView, []ObjectView, error) {
	m.sys.mu.Lock()
	defer m.sys.mu.Unlock()
	e, ok := m.lookup(addr.Trunc())
	if !ok {
		return EntryView{}, nil, KernInvalidAddress
	}
	v := m.entryView(e)
	if e.submap != nil || e.object == nil {
		return v, nil, nil
	}
	var os []ObjectView
	off := e.offset + uint64(addr.Trunc()-e.start)
	for o := e.object; o != nil; o = o.shadow {
		ov := ObjectView{ID: o.id, Size: o.size, Refs: o.refs, Internal: o.internal, Resident: len(o.pages),
			Offset: off, HasPage: o.lookup(off) != nil, Copy: copyStrategy(o), TrueShare: o.trueShare}
		for _, held := range o.pagedOut {
			if held {
				ov.PagedOut++
			}
		}
		if o.pager != nil {
			ov.Pager = pagerName(o.pager)
			ov.PagerHas = !o.internal && off < o.size || o.internal && o.pagedOut[off]
		}
		os = append(os, ov)
		off += o.shadowOffset
	}
	return v, os, nil
}

// copyStrategy says in words how a copy of o is made.
func copyStrategy(o *Object) string {
	switch {
	case o.isCopy():
		return fmt.Sprintf("copy object of %d (delayed copy: gets old data before writes to it)", o.shadow.id)
	case o.copy != nil:
		return fmt.Sprintf("delayed copy: copy object %d", o.copy.id)
	case o.copiedEagerly():
		return "copied eagerly (wired or purgable)"
	case o.shadow != nil:
		return "symmetric copy-on-write (a shadow)"
	}
	return "symmetric copy-on-write"
}

// Pagers returns every live object that has a pager, by object id.
func (s *System) Pagers() []PagerView {
	s.mu.Lock()
	defer s.mu.Unlock()
	var vs []PagerView
	for o := range s.objects {
		if o.pager == nil {
			continue
		}
		v := PagerView{Object: o.id, Pager: o.pager, Internal: o.internal, Size: o.size, Resident: len(o.pages)}
		for _, held := range o.pagedOut {
			if held {
				v.PagedOut++
			}
		}
		vs = append(vs, v)
	}
	sort.Slice(vs, func(i, j int) bool { return vs[i].Object < vs[j].Object })
	return vs
}

// ResidentPages reports how many pages the map's address space has
// mapped now (the pmap's count: a page resident in an object but not yet
// entered by a fault does not count).
func (m *Map) ResidentPages() uint64 {
	m.sys.mu.Lock()
	defer m.sys.mu.Unlock()
	if m.pmap == nil {
		return 0
	}
	return m.pmap.Stats().Resident
}
