package vm

import "github.com/tamach/tamach/pmap"

// RegionBasicInfo is vm_region_basic_info(_64).
type RegionBasicInfo struct {
	Protection, MaxProtection pmap.Prot
	Inheritance               Inherit
	Shared                    bool // the entry is shared (false for a submap)
	Reserved                  bool // the entry is a submap (XNU reports is_sub_map here)
	Offset                    uint64
	Behavior                  Behavior
	UserWiredCount            uint16
}

// RegionExtendedInfo is vm_region_extended_info, and the part of
// vm_region_submap_info_64 that vm_region_recurse shares with it.
type RegionExtendedInfo struct {
	Protection            pmap.Prot
	UserTag               uint8
	PagesResident         uint32 // pages found resident along the chains
	PagesSharedNowPrivate uint32 // of those, copied into a private object that shadows another
	PagesSwappedOut       uint32 // held by a pager (anonymous memory)
	PagesDirtied          uint32
	PagesReusable         uint32 // clean resident pages marked reusable
	RefCount              uint32
	ShadowDepth           uint16
	ExternalPager         bool
	ShareMode             ShareMode
}

// RegionTopInfo is vm_region_top_info.
type RegionTopInfo struct {
	ObjID                uint64
	RefCount             uint32
	PrivatePagesResident uint32
	SharedPagesResident  uint32
	ShareMode            ShareMode
}

// RegionInfo is vm_region's answer: the region and the flavor's info (only
// the field of the flavor asked for is filled; RegionRecurse fills Basic
// and Extended, its vm_region_submap_info_64).
type RegionInfo struct {
	Start    VAddr
	Size     uint64
	IsSubmap bool
	Depth    int    // nesting depth, for RegionRecurse
	ObjectID uint64 // id of the entry's object (or 0), for RegionRecurse
	Basic    RegionBasicInfo
	Extended RegionExtendedInfo
	Top      RegionTopInfo
}

// Region is vm_region (mach_vm_region): it describes the entry holding
// trunc_page(addr) or, if none does, the next one above. An unknown
// flavor is KERN_INVALID_ARGUMENT; no entry there or above is
// KERN_INVALID_ADDRESS. FlavorBasicInfo is answered as FlavorBasicInfo64
// and FlavorExtendedInfoLegacy as FlavorExtendedInfo, as mach_vm_region
// does (osfmk/vm/vm_user.c, osfmk/vm/vm_map.c vm_map_region). XNU also
// refuses an info count too small for the flavor; the Go API has no count.
func (m *Map) Region(addr VAddr, flavor RegionFlavor) (RegionInfo, error) {
	switch flavor {
	case FlavorBasicInfo, FlavorBasicInfo64, FlavorExtendedInfo, FlavorExtendedInfoLegacy, FlavorTopInfo:
	default:
		return RegionInfo{}, KernInvalidArgument
	}
	m.sys.mu.Lock()
	defer m.sys.mu.Unlock()
	e := m.entryAtOrAbove(addr.Trunc())
	if e == nil {
		return RegionInfo{}, KernInvalidAddress
	}
	ri := RegionInfo{Start: e.start, Size: e.size(), IsSubmap: e.submap != nil}
	switch flavor {
	case FlavorExtendedInfo, FlavorExtendedInfoLegacy:
		ri.Extended = m.extendedInfo(e, e.start, e.end)
	case FlavorTopInfo:
		ri.Top = e.topInfo()
	default:
		ri.Basic = e.basicInfo()
	}
	return ri, nil
}

// RegionRecurse is vm_region_recurse_64: like Region, but it descends into
// submaps down to maxDepth levels and reports the region of the innermost
// map (translated back to m's addresses), its depth, and the submap info:
// Basic and Extended. A submap entry reported as itself (maxDepth reached)
// has IsSubmap set, share mode SM_PRIVATE (XNU's answer for a submap
// without a nested pmap, which tamach's submaps are) and the submap's
// reference count. (osfmk/vm/vm_map.c vm_map_region_recurse_64.)
func (m *Map) RegionRecurse(addr VAddr, maxDepth int) (RegionInfo, error) {
	if maxDepth < 0 {
		return RegionInfo{}, KernInvalidArgument
	}
	m.sys.mu.Lock()
	defer m.sys.mu.Unlock()
	addr = addr.Trunc()
	e := m.entryAtOrAbove(addr)
	if e == nil {
		return RegionInfo{}, KernInvalidAddress
	}
	cur, base, size, depth := m, max(addr, e.start), e.size(), 0
	for e.submap != nil && depth < maxDepth {
		in := VAddr(e.offset) + (base - e.start)
		sub := e.submap.entryAtOrAbove(in)
		subEnd := VAddr(e.offset) + VAddr(e.size())
		if sub == nil || sub.start >= subEnd {
			break
		}
		s := max(sub.start, in)
		base = base + (s - in)
		size = uint64(min(sub.end, subEnd) - s)
		cur, e, depth = e.submap, sub, depth+1
	}
	if depth == 0 {
		base = e.start
	}
	ri := RegionInfo{Start: base, Size: size, IsSubmap: e.submap != nil, Depth: depth, Basic: e.basicInfo()}
	ri.Basic.Shared = e.isShared && e.submap == nil
	if e.submap != nil {
		ri.Extended = RegionExtendedInfo{Protection: e.prot, UserTag: e.alias, ShareMode: SMPrivate,
			RefCount: uint32(e.submap.refs)}
	} else {
		ri.Extended = cur.extendedInfo(e, e.start, e.end)
		if e.object != nil {
			ri.ObjectID = e.object.id
		}
	}
	return ri, nil
}

// entryAtOrAbove returns the entry containing addr or the next one, or nil.
func (m *Map) entryAtOrAbove(addr VAddr) *Entry {
	e, ok := m.lookup(addr)
	if !ok {
		e = e.next
	}
	if e == &m.header {
		return nil
	}
	return e
}

func (e *Entry) basicInfo() RegionBasicInfo {
	return RegionBasicInfo{Protection: e.prot, MaxProtection: e.maxProt, Inheritance: e.inherit,
		Shared: e.isShared && e.submap == nil, Reserved: e.submap != nil, Offset: e.offset,
		Behavior: e.behavior, UserWiredCount: e.userWiredCount}
}

// extendedInfo is vm_map_region_walk with look_for_pages: for each page of
// [start, end) of e, vm_map_region_look_for_page walks the shadow chain
// until it finds the page resident or paged out, counting what it finds
// and the deepest object it had to reach (the shadow depth). The share
// mode then follows: SM_EMPTY for a submap or untouched memory; SM_COW
// when a page came from below the top object or the entry needs a copy;
// SM_PRIVATE for an object referenced once; otherwise SM_TRUESHARED for
// memory shared on purpose (a memory entry, vm_remap without copy) or
// SM_SHARED (shared by fork), made SM_PRIVATE for a pager's object with
// two references, SM_PRIVATE_ALIASED when every reference comes from this
// map's entries and SM_SHARED_ALIASED when several but not all do.
func (m *Map) extendedInfo(e *Entry, start, end VAddr) RegionExtendedInfo {
	x := RegionExtendedInfo{Protection: e.prot, UserTag: e.alias}
	if e.submap != nil || e.object == nil {
		x.ShareMode = SMEmpty
		return x
	}
	o := e.object
	refs := o.refs
	for va := start; va < end; va += pmap.PageSize {
		m.sys.lookForPage(o, e.offset+uint64(va-e.start), refs, &x)
	}
	switch {
	case x.ShadowDepth > 0 || e.needsCopy:
		x.ShareMode = SMCOW
	case refs == 1:
		x.ShareMode = SMPrivate
	case m.sys.trueShared(o):
		x.ShareMode = SMTrueShared
	default:
		x.ShareMode = SMShared
	}
	x.RefCount = uint32(refs - int(x.ShadowDepth))
	b := o
	for i := 0; i < int(x.ShadowDepth) && b.shadow != nil; i++ {
		b = b.shadow
		x.RefCount += uint32(b.refs)
	}
	if x.ExternalPager && x.RefCount == 2 && x.ShareMode == SMShared {
		x.ShareMode = SMPrivate
	} else if x.ShareMode == SMShared {
		mine := 0
		for f := m.header.next; f != &m.header; f = f.next {
			if f.object == o {
				mine++
			}
		}
		if mine == refs {
			x.ShareMode = SMPrivateAliased
		} else if mine > 1 {
			x.ShareMode = SMSharedAliased
		}
	}
	return x
}

// lookForPage is vm_map_region_look_for_page for offset off of o.
func (s *System) lookForPage(o *Object, off uint64, maxRefs int, x *RegionExtendedInfo) {
	depth := uint16(0)
	for {
		if !o.internal {
			x.ExternalPager = true
		}
		if p := o.lookup(off); p != nil {
			if o.shadow != nil && maxRefs == 1 {
				x.PagesSharedNowPrivate++
			}
			if p.dirty || s.pmap.IsModified(p.pa) {
				x.PagesDirtied++
			} else if p.reusable {
				x.PagesReusable++
			}
			x.PagesResident++
			return
		}
		if o.internal && o.pagedOut[off] {
			x.PagesSwappedOut++
			return
		}
		if o.shadow == nil {
			return
		}
		depth++
		x.ShadowDepth = max(x.ShadowDepth, depth)
		maxRefs = max(maxRefs, o.shadow.refs)
		off += o.shadowOffset
		o = o.shadow
	}
}

// trueShared reports whether o is shared on purpose (XNU's true_share):
// made shared by a memory entry or vm_remap, or referenced by a memory
// entry now.
func (s *System) trueShared(o *Object) bool {
	if o.trueShare {
		return true
	}
	for me := range s.memEntries {
		if me.object == o {
			return true
		}
	}
	return false
}

// topInfo is vm_map_region_top_walk: SM_EMPTY for a submap or untouched
// memory; SM_COW for an object that shadows another (its resident pages
// private if it is referenced once, the backing objects' shared) or an
// entry that needs a copy; SM_PRIVATE for an object referenced once;
// SM_SHARED otherwise (top info has no SM_TRUESHARED). Resident counts
// are capped at the entry's size in pages.
func (e *Entry) topInfo() RegionTopInfo {
	if e.submap != nil || e.object == nil {
		return RegionTopInfo{ShareMode: SMEmpty}
	}
	o := e.object
	pages := uint32(e.size() >> pmap.PageShift)
	resident := func(o *Object) uint32 { return min(pages, uint32(len(o.pages))) }
	t := RegionTopInfo{ObjID: o.id, RefCount: uint32(o.refs)}
	switch {
	case o.shadow != nil:
		t.ShareMode = SMCOW
		if o.refs == 1 {
			t.PrivatePagesResident = resident(o)
		} else {
			t.SharedPagesResident = resident(o)
		}
		for b := o.shadow; b != nil; b = b.shadow {
			t.SharedPagesResident += resident(b)
			t.RefCount += uint32(b.refs - 1)
		}
	case e.needsCopy:
		t.ShareMode = SMCOW
		t.SharedPagesResident = resident(o)
	case o.refs == 1:
		t.ShareMode = SMPrivate
		t.PrivatePagesResident = resident(o)
	default:
		t.ShareMode = SMShared
		t.SharedPagesResident = resident(o)
	}
	return t
}
