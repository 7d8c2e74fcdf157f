package vm_test

import (
	"github.com/tamach/tamach/vm"
	"github.com/tamach/tamach/vm/vmtest"
)

const (
	refRegion   = "vm_map.c vm_map_region"
	refWalk     = "vm_map.c vm_map_region_walk, vm_map_region_look_for_page"
	refTop      = "vm_map.c vm_map_region_top_walk"
	refRecurse  = "vm_map.c vm_map_region_recurse_64"
	refPageInfo = "vm_map.c vm_map_page_range_info_internal"
	refRangeQ   = "vm_user.c mach_vm_page_range_query"
)

func regionCode(addr vm.VAddr, flavor vm.RegionFlavor) func(*fx) error {
	return func(f *fx) error { _, err := f.m.Region(addr, flavor); return err }
}

// shareMode runs setup and checks the extended share mode at addr.
func shareMode(want vm.ShareMode, setup func(f *fx) vm.VAddr) func(*fx) error {
	return func(f *fx) error {
		addr := setup(f)
		ri, err := f.m.Region(addr, vm.FlavorExtendedInfo)
		f.expect(ri.Extended.ShareMode == want, "share mode %d, want %d (%+v)", ri.Extended.ShareMode, want, ri.Extended)
		return err
	}
}

// topMode runs setup and checks the top-info share mode at addr.
func topMode(want vm.ShareMode, setup func(f *fx) vm.VAddr) func(*fx) error {
	return func(f *fx) error {
		addr := setup(f)
		ri, err := f.m.Region(addr, vm.FlavorTopInfo)
		f.expect(ri.Top.ShareMode == want, "share mode %d, want %d (%+v)", ri.Top.ShareMode, want, ri.Top)
		return err
	}
}

// forked forks f.m (the child is destroyed with the fixture) after setup.
func forked(f *fx) *vm.Map {
	pm, _ := f.env.Pmap.Create(0)
	child, err := f.m.Fork(pm)
	f.ok(err)
	f.extra = append(f.extra, child.Destroy)
	return child
}

// sharedByEntry maps base's page again at hole through a memory entry.
func sharedByEntry(f *fx) vm.VAddr {
	me, _, err := f.m.MakeMemoryEntry(page, base, vm.MemEntryFlags(vm.ProtDefault)|vm.MapMemVMShare, nil)
	f.ok(err)
	f.extra = append(f.extra, me.Release)
	_, err = f.m.MapMemory(hole, page, vm.MapOptions{Flags: vm.FlagsFixed, Entry: me, Cur: vm.ProtDefault, Max: vm.ProtDefault, Inherit: new(vm.InheritShare)})
	f.ok(err)
	return base
}

var _ = addTable(&confCall{call: "vm_region", api: "Map.Region", rows: []confRow{
	{name: "bad-flavor", what: "flavor 77", xnu: vm.KernInvalidArgument, ref: refRegion, run: regionCode(base, 77)},
	{name: "bad-flavor-no-entry", what: "flavor 77 above every entry: the flavor is checked first", xnu: vm.KernInvalidArgument, ref: refRegion, run: regionCode(userMax, 77)},
	{name: "above-last", what: "an address above every entry", xnu: vm.KernInvalidAddress, ref: refRegion, run: regionCode(after+2*page, vm.FlavorBasicInfo64)},
	{name: "in-hole", what: "an address in a hole: the next region", xnu: vm.KernSuccess, ref: refRegion,
		run: func(f *fx) error {
			ri, err := f.m.Region(hole, vm.FlavorBasicInfo64)
			f.expect(ri.Start == after && ri.Size == 2*page, "region %v+%#x", ri.Start, ri.Size)
			return err
		}},
	{name: "unaligned", what: "an unaligned address inside an entry: that entry", xnu: vm.KernSuccess, ref: "vm_sanitize.c vm_sanitize_addr (trunc_page)",
		run: func(f *fx) error {
			ri, err := f.m.Region(roPage+0x123, vm.FlavorBasicInfo64)
			f.expect(ri.Start == roPage && ri.Basic.Protection == vm.ProtRead, "region %v %v", ri.Start, ri.Basic.Protection)
			return err
		}},
	{name: "basic-info-legacy", what: "VM_REGION_BASIC_INFO is answered as BASIC_INFO_64", xnu: vm.KernSuccess, ref: "vm_user.c mach_vm_region (legacy conversion)",
		run: func(f *fx) error {
			ri, err := f.m.Region(base, vm.FlavorBasicInfo)
			f.expect(ri.Basic.MaxProtection == vm.ProtAll, "basic %+v", ri.Basic)
			return err
		}},
	{name: "submap-basic", what: "a submap: reserved (is_submap) set, shared clear", xnu: vm.KernSuccess, ref: refRegion + " (basic->reserved = is_sub_map)",
		run: func(f *fx) error {
			withSubmap(f)
			ri, err := f.m.Region(hole, vm.FlavorBasicInfo64)
			f.expect(ri.IsSubmap && ri.Basic.Reserved && !ri.Basic.Shared, "basic %+v", ri.Basic)
			return err
		}},
	{name: "extended-legacy", what: "VM_REGION_EXTENDED_INFO__legacy (11)", xnu: vm.KernSuccess, ref: refRegion, run: regionCode(base, vm.FlavorExtendedInfoLegacy)},
	{name: "empty", what: "untouched memory: SM_EMPTY", xnu: vm.KernSuccess, ref: refWalk, run: shareMode(vm.SMEmpty, func(*fx) vm.VAddr { return after })},
	{name: "submap-empty", what: "a submap: SM_EMPTY", xnu: vm.KernSuccess, ref: refWalk, run: shareMode(vm.SMEmpty, func(f *fx) vm.VAddr { withSubmap(f); return hole })},
	{name: "private", what: "touched private memory: SM_PRIVATE", xnu: vm.KernSuccess, ref: refWalk, run: shareMode(vm.SMPrivate, func(*fx) vm.VAddr { return base })},
	{name: "cow", what: "after a fork that copies: SM_COW", xnu: vm.KernSuccess, ref: refWalk + " (needs_copy)", run: shareMode(vm.SMCOW, func(f *fx) vm.VAddr { forked(f); return base })},
	{name: "cow-written", what: "written after a fork (a shadow): SM_COW, shadow depth 1", xnu: vm.KernSuccess, ref: refWalk + " (shadow_depth)",
		run: func(f *fx) error {
			forked(f)
			f.ok(f.cpu.Store8(base+page, 3))
			ri, err := f.m.Region(base, vm.FlavorExtendedInfo)
			f.expect(ri.Extended.ShareMode == vm.SMCOW && ri.Extended.ShadowDepth == 1, "%+v", ri.Extended)
			return err
		}},
	{name: "shared-by-fork", what: "VM_INHERIT_SHARE then fork: SM_SHARED", xnu: vm.KernSuccess, ref: refWalk + " (vm_map_fork_share sets no true_share)",
		run: shareMode(vm.SMShared, func(f *fx) vm.VAddr {
			f.must(f.m.Allocate(hole, page, vm.FlagsFixed|0x77<<24)) // its own entry: the tag keeps it apart
			f.ok(f.cpu.Store8(hole, 1))
			f.ok(f.m.Inherit(hole, page, vm.InheritShare))
			forked(f)
			return hole
		})},
	{name: "trueshared", what: "shared through a memory entry: SM_TRUESHARED", xnu: vm.KernSuccess, ref: refWalk + ", vm_memory_entry.c (true_share)",
		run: shareMode(vm.SMTrueShared, sharedByEntry)},
	{name: "private-aliased", what: "an entry split in two: one object, every reference in this map: SM_PRIVATE_ALIASED", xnu: vm.KernSuccess, ref: refWalk + " (my_refs == ref_count)",
		run: shareMode(vm.SMPrivateAliased, func(f *fx) vm.VAddr { f.ok(f.m.Inherit(base, page, vm.InheritShare)); return base })},
	{name: "shared-aliased", what: "the same after a fork: several references here, others in the child: SM_SHARED_ALIASED", xnu: vm.KernSuccess, ref: refWalk + " (my_refs > 1)",
		run: shareMode(vm.SMSharedAliased, func(f *fx) vm.VAddr { f.ok(f.m.Inherit(base, page, vm.InheritShare)); forked(f); return base })},
	{name: "external-pager", what: "a pager's object: external_pager set", xnu: vm.KernSuccess, ref: refWalk,
		run: func(f *fx) error {
			pagerMapping(f)
			f.load(f.cpu, hole)
			ri, err := f.m.Region(hole, vm.FlavorExtendedInfo)
			f.expect(ri.Extended.ExternalPager && ri.Extended.PagesResident == 1, "%+v", ri.Extended)
			return err
		}},
	{name: "top-private", what: "top info of private memory: SM_PRIVATE", xnu: vm.KernSuccess, ref: refTop, run: topMode(vm.SMPrivate, func(*fx) vm.VAddr { return base })},
	{name: "top-empty", what: "top info of untouched memory: SM_EMPTY", xnu: vm.KernSuccess, ref: refTop, run: topMode(vm.SMEmpty, func(*fx) vm.VAddr { return after })},
	{name: "top-cow", what: "top info after a fork: SM_COW", xnu: vm.KernSuccess, ref: refTop, run: topMode(vm.SMCOW, func(f *fx) vm.VAddr { forked(f); return base })},
	{name: "top-trueshared", what: "top info of memory-entry sharing: SM_SHARED (top info has no SM_TRUESHARED)", xnu: vm.KernSuccess, ref: refTop,
		run: topMode(vm.SMShared, sharedByEntry)},
}})

var _ = addTable(&confCall{call: "vm_region_recurse", api: "Map.RegionRecurse", rows: []confRow{
	{name: "depth0-submap", what: "depth 0 at a submap: is_submap, SM_PRIVATE (no nested pmap), the submap's references", xnu: vm.KernSuccess, ref: refRecurse + " (use_pmap false)",
		run: func(f *fx) error {
			withSubmap(f)
			ri, err := f.m.RegionRecurse(hole, 0)
			f.expect(ri.IsSubmap && ri.Depth == 0 && ri.Extended.ShareMode == vm.SMPrivate && ri.Extended.RefCount == 1, "%+v", ri)
			return err
		}},
	{name: "depth1", what: "depth 1 at a submap: the submap's entry, untouched (SM_EMPTY)", xnu: vm.KernSuccess, ref: refRecurse,
		run: func(f *fx) error {
			withSubmap(f)
			ri, err := f.m.RegionRecurse(hole, 1)
			f.expect(!ri.IsSubmap && ri.Depth == 1 && ri.Start == hole && ri.Size == page && ri.Extended.ShareMode == vm.SMEmpty, "%+v", ri)
			return err
		}},
	{name: "plain", what: "an ordinary entry: depth 0, its info", xnu: vm.KernSuccess, ref: refRecurse,
		run: func(f *fx) error {
			ri, err := f.m.RegionRecurse(base, 4)
			f.expect(!ri.IsSubmap && ri.Depth == 0 && ri.Extended.ShareMode == vm.SMPrivate && ri.ObjectID != 0, "%+v", ri)
			return err
		}},
	{name: "above-last", what: "above every entry", xnu: vm.KernInvalidAddress, ref: refRecurse,
		run: func(f *fx) error { _, err := f.m.RegionRecurse(after+2*page, 1); return err }},
	{name: "negative-depth", what: "a negative depth", xnu: vm.KernSuccess, ref: "vm_region.h (nesting_depth is a natural_t: no negative value exists)",
		want: differs(vm.KernInvalidArgument), why: "the Go API takes an int; a negative depth has no meaning and is refused",
		run: func(f *fx) error { _, err := f.m.RegionRecurse(base, -1); return err }},
}})

// query is the common shape of a vm_map_page_query row: want the
// disposition and reference count at addr after setup.
func query(addr func(*fx) vm.VAddr, disp vm.PageQuery, refs int) func(*fx) error {
	return func(f *fx) error {
		d, r, err := f.m.PageQuery(addr(f))
		f.expect(d == disp && r == refs, "disposition %#x refs %d, want %#x %d", d, r, disp, refs)
		return err
	}
}

func at(va vm.VAddr) func(*fx) vm.VAddr { return func(*fx) vm.VAddr { return va } }

var _ = addTable(&confCall{call: "vm_map_page_query", api: "Map.PageQuery", rows: []confRow{
	{name: "unmapped", what: "an unmapped address: 0, 0", xnu: vm.KernSuccess, ref: refPageInfo + " (holes zeroed)", run: query(at(hole), 0, 0)},
	{name: "below-min", what: "page 0, below the map: 0, 0", xnu: vm.KernSuccess, ref: refPageInfo, run: query(at(0), 0, 0)},
	{name: "above-max", what: "above the map: 0, 0", xnu: vm.KernSuccess, ref: refPageInfo, run: query(at(userMax), 0, 0)},
	{name: "last-page", what: "an address in the last page (end rounds to 0)", xnu: vm.KernInvalidAddress, ref: "vm_sanitize_error_compat.c vm_sanitize_err_compat_addr_size_vm_map_page_range_info", run: query(at(lastPage), 0, 0)},
	{name: "max-address", what: "2^64-1 (offset+1 wraps)", xnu: vm.KernInvalidAddress, ref: "vm_sanitize_error_compat.c vm_sanitize_err_compat_addr_size_vm_map_page_range_info", run: query(at(^vm.VAddr(0)), 0, 0)},
	{name: "untouched", what: "memory never touched: 0, 0", xnu: vm.KernSuccess, ref: refPageInfo + " (no object)", run: query(at(after), 0, 0)},
	{name: "resident", what: "a page written: PRESENT|DIRTY|REF, 1 reference", xnu: vm.KernSuccess, ref: refPageInfo,
		run: query(at(base), vm.PageQueryPresent|vm.PageQueryDirty|vm.PageQueryRef, 1)},
	{name: "after-fork-read", what: "after fork, a page read through the child: PRESENT, not COPIED", xnu: vm.KernSuccess, ref: refPageInfo + " (COPIED: top object shadows another)",
		run: func(f *fx) error {
			c := forked(f)
			f.load(f.env.CPU(c), base)
			d, _, err := c.PageQuery(base)
			f.expect(d&vm.PageQueryPresent != 0 && d&vm.PageQueryCopied == 0, "disposition %#x", d)
			return err
		}},
	{name: "after-fork-written", what: "after fork, a page the child wrote: PRESENT|COPIED", xnu: vm.KernSuccess, ref: refPageInfo,
		run: func(f *fx) error {
			c := forked(f)
			f.ok(f.env.CPU(c).Store8(base, 9))
			d, _, err := c.PageQuery(base)
			f.expect(d&(vm.PageQueryPresent|vm.PageQueryCopied) == vm.PageQueryPresent|vm.PageQueryCopied, "disposition %#x", d)
			return err
		}},
	{name: "external", what: "a pager's page, not resident: EXTERNAL only (PAGED_OUT is for anonymous memory)", xnu: vm.KernSuccess, ref: refPageInfo,
		run: func(f *fx) error {
			pagerMapping(f)
			d, _, err := f.m.PageQuery(hole)
			f.expect(d == vm.PageQueryExternal, "disposition %#x", d)
			return err
		}},
	{name: "paged-out", what: "anonymous memory paged out: PAGED_OUT", xnu: vm.KernSuccess, ref: refPageInfo + " (compressor state)",
		run: func(f *fx) error {
			env := newEnv(f.t, vmtest.Options{DefaultPage: true, PoolPages: 64})
			m := newMap(f.t, env)
			defer m.Destroy()
			a, _ := m.Allocate(0, page, vm.FlagsAnywhere)
			f.ok(env.CPU(m).Store8(a, 1))
			env.VM.ReclaimAll(true)
			d, _, err := m.PageQuery(a)
			f.expect(d == vm.PageQueryPagedOut, "disposition %#x", d)
			return err
		}},
	{name: "reusable", what: "a reusable page: REUSABLE", xnu: vm.KernSuccess, ref: refPageInfo + " (vmp_reusable)",
		run: func(f *fx) error {
			f.ok(f.m.BehaviorSet(base, page, vm.BehaviorReusable))
			d, _, err := f.m.PageQuery(base)
			f.expect(d&(vm.PageQueryPresent|vm.PageQueryReusable|vm.PageQueryDirty) == vm.PageQueryPresent|vm.PageQueryReusable, "disposition %#x", d)
			return err
		}},
}})

var _ = addTable(&confCall{call: "mach_vm_page_info", api: "Map.PageInfo", rows: []confRow{
	{name: "bad-flavor", what: "flavor 2", xnu: vm.KernInvalidArgument, ref: refPageInfo, run: func(f *fx) error { _, err := f.m.PageInfo(base, 2); return err }},
	{name: "basic", what: "VM_PAGE_INFO_BASIC: offset keeps the address's offset in its page", xnu: vm.KernSuccess, ref: refPageInfo,
		run: func(f *fx) error {
			pi, err := f.m.PageInfo(base+0x10, vm.PageInfoBasic)
			f.expect(pi.Disposition&vm.PageQueryPresent != 0 && pi.Offset == 0x10 && pi.Depth == 0 && pi.ObjectID != 0 && pi.RefCount == 1, "%+v", pi)
			return err
		}},
	{name: "depth", what: "a page read through a child after fork, copied by the parent's write: found one object down", xnu: vm.KernSuccess, ref: refPageInfo + " (depth)",
		run: func(f *fx) error {
			c := forked(f)
			f.ok(f.env.CPU(c).Store8(base+page, 1)) // the child shadows its object
			pi, err := c.PageInfo(base, vm.PageInfoBasic)
			f.expect(pi.Depth == 1 && pi.Disposition&vm.PageQueryPresent != 0, "%+v", pi)
			return err
		}},
	{name: "unmapped", what: "an unmapped address: all zero", xnu: vm.KernSuccess, ref: refPageInfo,
		run: func(f *fx) error {
			pi, err := f.m.PageInfo(hole, vm.PageInfoBasic)
			f.expect(pi == (vm.PageInfo{}), "%+v", pi)
			return err
		}},
}})

func rangeQuery(addr vm.VAddr, size uint64, n int, want ...vm.PageQuery) func(*fx) error {
	return func(f *fx) error {
		d := make([]vm.PageQuery, n)
		got, err := f.m.PageRangeQuery(addr, size, d)
		f.expect(got == len(want), "stored %d, want %d", got, len(want))
		for i := range want {
			if i < got && d[i] != want[i] {
				f.t.Errorf("page %d: %#x, want %#x", i, d[i], want[i])
			}
		}
		return err
	}
}

const resident = vm.PageQueryPresent | vm.PageQueryDirty | vm.PageQueryRef

var _ = addTable(&confCall{call: "mach_vm_page_range_query", api: "Map.PageRangeQuery", rows: []confRow{
	{name: "size0", what: "size 0: nothing stored", xnu: vm.KernSuccess, ref: refRangeQ, run: rangeQuery(base, 0, 4)},
	{name: "no-room", what: "no dispositions asked for", xnu: vm.KernSuccess, ref: refRangeQ, run: rangeQuery(base, page, 0)},
	{name: "wraps", what: "address+size wraps", xnu: vm.KernInvalidArgument, ref: refRangeQ + " (VM_SANITIZE_CALLER_VM_MAP_PAGE_RANGE_QUERY: no compat)", run: rangeQuery(base, ^uint64(0), 4)},
	{name: "end-in-last-page", what: "end in the last page", xnu: vm.KernInvalidArgument, ref: refRangeQ, run: rangeQuery(lastPage, 1, 4)},
	{name: "bad-range-no-room", what: "a range that wraps, no room: the range is checked first", xnu: vm.KernInvalidArgument, ref: refRangeQ, run: rangeQuery(base, ^uint64(0), 0)},
	{name: "mixed", what: "resident, untouched, hole: one disposition each", xnu: vm.KernSuccess, ref: refRangeQ + ", " + refPageInfo,
		run: rangeQuery(base, 3*page, 4, resident, 0, 0)},
	{name: "hole", what: "across the hole", xnu: vm.KernSuccess, ref: refPageInfo, run: rangeQuery(base+7*page, 3*page, 3, 0, 0, 0)},
	{name: "unaligned", what: "2 bytes across a page boundary: two pages", xnu: vm.KernSuccess, ref: refRangeQ, run: rangeQuery(base+page-1, 2, 4, resident, 0)},
	{name: "short", what: "room for fewer pages than the range: as many as fit", xnu: vm.KernSuccess, ref: refRangeQ + " (copy_sz = MIN(disp_buf_req_size, ...))",
		run: rangeQuery(base, 4*page, 1, resident)},
	{name: "outside-map", what: "above the map: zeros", xnu: vm.KernSuccess, ref: refPageInfo, run: rangeQuery(userMax, 2*page, 2, 0, 0)},
}})
