package vm

import "github.com/tamach/tamach/pmap"

// RegionBasicInfo is vm_region_basic_info(_64).
type RegionBasicInfo struct {
	Protection, MaxProtection pmap.Prot
	Inheritance               Inherit
	Shared                    bool
	Reserved                  bool
	Offset                    uint64
	Behavior                  Behavior
	UserWiredCount            uint16
}

// RegionExtendedInfo is vm_region_extended_info.
type RegionExtendedInfo struct {
	Protection      pmap.Prot
	UserTag         uint8
	PagesResident   uint32
	PagesSwappedOut uint32
	PagesDirtied    uint32
	RefCount        uint32
	ShadowDepth     uint16
	ExternalPager   bool
	ShareMode       ShareMode
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
// the field of the flavor asked for is filled).
type RegionInfo struct {
	Start    VAddr
	Size     uint64
	IsSubmap bool
	Depth    int // nesting depth, for RegionRecurse
	Basic    RegionBasicInfo
	Extended RegionExtendedInfo
	Top      RegionTopInfo
}

// Region is vm_region (mach_vm_region): it describes the first entry at or
// above addr. No entry there is KERN_INVALID_ADDRESS; an unknown flavor
// KERN_INVALID_ARGUMENT.
func (m *Map) Region(addr VAddr, flavor RegionFlavor) (RegionInfo, error) {
	if flavor != FlavorBasicInfo && flavor != FlavorBasicInfo64 &&
		flavor != FlavorExtendedInfo && flavor != FlavorTopInfo {
		return RegionInfo{}, KernInvalidArgument
	}
	m.sys.mu.Lock()
	defer m.sys.mu.Unlock()
	e := m.entryAtOrAbove(addr)
	if e == nil {
		return RegionInfo{}, KernInvalidAddress
	}
	ri := RegionInfo{Start: e.start, Size: e.size(), IsSubmap: e.submap != nil}
	switch flavor {
	case FlavorExtendedInfo:
		ri.Extended = e.extendedInfo()
	case FlavorTopInfo:
		ri.Top = e.topInfo()
	default:
		ri.Basic = e.basicInfo()
	}
	return ri, nil
}

// RegionRecurse is vm_region_recurse_64: like Region with basic and
// extended info, but it descends into submaps down to maxDepth levels,
// reporting the region of the innermost map (translated back to m's
// addresses) and its depth.
func (m *Map) RegionRecurse(addr VAddr, maxDepth int) (RegionInfo, error) {
	if maxDepth < 0 {
		return RegionInfo{}, KernInvalidArgument
	}
	m.sys.mu.Lock()
	defer m.sys.mu.Unlock()
	e := m.entryAtOrAbove(addr)
	if e == nil {
		return RegionInfo{}, KernInvalidAddress
	}
	base, size, depth := max(addr, e.start), e.size(), 0
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
		e, depth = sub, depth+1
	}
	if depth == 0 {
		base = e.start
	}
	ri := RegionInfo{Start: base, Size: size, IsSubmap: e.submap != nil, Depth: depth,
		Basic: e.basicInfo(), Extended: e.extendedInfo()}
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
		Shared: e.isShared, Offset: e.offset, Behavior: e.behavior, UserWiredCount: e.userWiredCount}
}

func (e *Entry) extendedInfo() RegionExtendedInfo {
	x := RegionExtendedInfo{Protection: e.prot, UserTag: e.alias, ShareMode: e.shareMode()}
	if e.object == nil {
		return x
	}
	o := e.object
	x.RefCount, x.ShadowDepth = uint32(o.refs), uint16(o.depth()-1)
	x.ExternalPager = !o.internal
	for off, p := range o.pages {
		if off >= e.offset && off-e.offset < e.size() {
			x.PagesResident++
			if p.dirty {
				x.PagesDirtied++
			}
		}
	}
	for off := range o.pagedOut {
		if off >= e.offset && off-e.offset < e.size() && o.pages[off] == nil {
			x.PagesSwappedOut++
		}
	}
	return x
}

func (e *Entry) topInfo() RegionTopInfo {
	t := RegionTopInfo{ShareMode: e.shareMode()}
	if e.object == nil {
		return t
	}
	t.ObjID, t.RefCount = e.object.id, uint32(e.object.refs)
	n := uint32(0)
	for off := range e.object.pages {
		if off >= e.offset && off-e.offset < e.size() {
			n++
		}
	}
	if t.ShareMode == SMPrivate {
		t.PrivatePagesResident = n
	} else {
		t.SharedPagesResident = n
	}
	return t
}

// shareMode classifies e as Mach's vm_region does.
func (e *Entry) shareMode() ShareMode {
	switch {
	case e.submap != nil:
		return SMShared
	case e.object == nil:
		return SMEmpty
	case e.isShared:
		return SMTrueShared
	case e.needsCopy || e.object.shadow != nil:
		return SMCOW
	case e.object.refs > 1:
		return SMPrivateAliased
	}
	return SMPrivate
}

// PageQuery is vm_map_page_query: the disposition of the page at addr and
// the reference count of the object holding it.
func (m *Map) PageQuery(addr VAddr) (PageQuery, int, error) {
	m.sys.mu.Lock()
	defer m.sys.mu.Unlock()
	e, ok := m.lookup(addr)
	for ok && e.submap != nil {
		addr = VAddr(e.offset) + (addr - e.start)
		e, ok = e.submap.lookup(addr)
	}
	if !ok {
		return 0, 0, KernInvalidAddress
	}
	if e.object == nil {
		return 0, 0, nil
	}
	return m.sys.queryChain(e.object, e.offset+uint64(addr.Trunc()-e.start))
}

// queryChain reports the disposition of offset in o's chain.
func (s *System) queryChain(o *Object, off uint64) (PageQuery, int, error) {
	var d PageQuery
	top := o
	for ; o != nil; o = o.shadow {
		if p := o.lookup(off); p != nil {
			d |= PageQueryPresent
			if p.dirty || s.pmap.IsModified(p.pa) {
				d |= PageQueryDirty
			}
			if p.reference || s.pmap.IsReferenced(p.pa) {
				d |= PageQueryRef
			}
			break
		}
		if o.pagerHas(off) {
			d |= PageQueryPagedOut
			break
		}
		off += o.shadowOffset
	}
	if o != nil && o != top {
		d |= PageQueryCopied
	}
	if o != nil && !o.internal {
		d |= PageQueryExternal
	}
	refs := 0
	if o != nil {
		refs = o.refs
	}
	return d, refs, nil
}
