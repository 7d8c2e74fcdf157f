package vm_test

import (
	"github.com/tamach/tamach/vm"
	"github.com/tamach/tamach/vm/vmtest"
)

const (
	refProtect       = "vm_map.c vm_map_protect"
	refProtectSan    = "vm_map.c vm_map_protect_sanitize, vm_sanitize.c vm_sanitize_prot"
	refProtectCompat = "vm_sanitize_error_compat.c vm_sanitize_err_compat_addr_size_vm_protect (never rewrites with one page size)"
	refInherit       = "vm_map.c vm_map_inherit (VM_MAP_RANGE_CHECK, holes skipped)"
	refBehavior      = "vm_map.c vm_map_behavior_set"
	refBehaviorSan   = "vm_user.c mach_vm_behavior_set_sanitize, vm_sanitize.c vm_sanitize_behavior"
	refBehaviorCmp   = "vm_sanitize_error_compat.c vm_sanitize_err_compat_addr_size_vm_behavior_set"
	refReusable      = "vm_map.c vm_map_reusable_pages, vm_map_entry_is_reusable"
	refWire          = "vm_map.c vm_map_wire_nested"
	refUnwire        = "vm_map.c vm_map_unwire_nested"
	refMsync         = "vm_map.c vm_map_msync"
	refMattr         = "vm_map.c vm_map_machine_attribute"
)

// withSubmap nests a one-page submap, with one page allocated in it, at
// the hole of f.m and returns it; it goes with the fixture.
func withSubmap(f *fx) *vm.Map {
	sub, err := f.env.VM.NewMap(nil, 0, 16*page)
	f.ok(err)
	f.must(sub.Allocate(0, page, vm.FlagsFixed))
	f.ok(f.m.NestSubmap(hole, page, sub, 0))
	sub.Destroy() // the nesting entry holds it now
	return sub
}

func protect(addr vm.VAddr, size uint64, setMax bool, prot vm.Prot) func(*fx) error {
	return func(f *fx) error { return f.m.Protect(addr, size, setMax, prot) }
}

var _ = addTable(&confCall{call: "vm_protect", api: "Map.Protect", rows: []confRow{
	{name: "size0-bad-prot", what: "size 0 with VM_PROT_NO_CHANGE", xnu: vm.KernSuccess, ref: "vm_user.c mach_vm_protect (size 0 first)",
		run: protect(base, 0, false, vm.ProtNoChange)},
	{name: "no-change", what: "VM_PROT_NO_CHANGE", xnu: vm.KernInvalidArgument, ref: refProtectSan, run: protect(base, page, false, vm.ProtNoChange)},
	{name: "no-change-set-max", what: "VM_PROT_NO_CHANGE with set_maximum", xnu: vm.KernInvalidArgument, ref: refProtectSan, run: protect(base, page, true, vm.ProtNoChange)},
	{name: "is-mask", what: "VM_PROT_IS_MASK|READ", xnu: vm.KernInvalidArgument, ref: refProtectSan, run: protect(base, page, false, vm.ProtIsMask|vm.ProtRead)},
	{name: "no-change-legacy", what: "0x08 (VM_PROT_NO_CHANGE_LEGACY; VM_PROT_UEXEC on x86, refused without the feature)", xnu: vm.KernInvalidArgument, ref: refProtectSan,
		run: protect(base, page, false, vm.ProtNoChangeLegacy)},
	{name: "strip-read", what: "VM_PROT_STRIP_READ (mmap only)", xnu: vm.KernInvalidArgument, ref: refProtectSan, run: protect(base, page, false, vm.ProtStripRead|vm.ProtExecute)},
	{name: "wraps", what: "address+size wraps", xnu: vm.KernInvalidArgument, ref: refProtectCompat, run: protect(base, ^uint64(0), false, vm.ProtRead)},
	{name: "end-in-last-page", what: "end in the last page", xnu: vm.KernInvalidArgument, ref: refProtectCompat, run: protect(lastPage, 1, false, vm.ProtRead)},
	{name: "below-min", what: "page 0, below the map's minimum", xnu: vm.KernInvalidAddress, ref: refProtect + " (lookup fails)", run: protect(0, page, false, vm.ProtRead)},
	{name: "above-max", what: "at the map's maximum", xnu: vm.KernInvalidAddress, ref: refProtect + " (start >= max_offset)", run: protect(userMax, page, false, vm.ProtRead)},
	{name: "hole", what: "a range with a hole", xnu: vm.KernInvalidAddress, ref: refProtect + " (first pass)",
		run: func(f *fx) error {
			err := f.m.Protect(base+7*page, 4*page, false, vm.ProtRead)
			f.expect(f.region(f.m, base+7*page, vm.FlavorBasicInfo64).Basic.Protection == vm.ProtDefault, "failed call changed the protection")
			return err
		}},
	{name: "max-before-hole", what: "an entry whose maximum forbids it, then a hole: the entry is met first", xnu: vm.KernProtectionFailure, ref: refProtect + " (first pass, entry order)",
		run: func(f *fx) error {
			f.ok(f.m.Protect(base+7*page, page, true, vm.ProtRead))
			return f.m.Protect(base+7*page, 3*page, false, vm.ProtDefault)
		}},
	{name: "above-maximum", what: "current protection above the maximum", xnu: vm.KernProtectionFailure, ref: refProtect,
		run: func(f *fx) error {
			f.ok(f.m.Protect(base, page, true, vm.ProtRead))
			return f.m.Protect(base, page, false, vm.ProtDefault)
		}},
	{name: "raise-maximum", what: "set_maximum above the current maximum (issue 11, 1c)", xnu: vm.KernProtectionFailure, ref: refProtect + " ((new_prot & new_max) != new_prot, set_max too)",
		run: func(f *fx) error {
			f.ok(f.m.Protect(base, page, true, vm.ProtRead))
			return f.m.Protect(base, page, true, vm.ProtDefault)
		}},
	{name: "lower-maximum", what: "set_maximum lowers the maximum and the current protection with it", xnu: vm.KernSuccess, ref: refProtect + " (protection = new_prot & old_prot)",
		run: func(f *fx) error {
			err := f.m.Protect(base, page, true, vm.ProtRead|vm.ProtExecute)
			b := f.region(f.m, base, vm.FlavorBasicInfo64).Basic
			f.expect(b.MaxProtection == vm.ProtRead|vm.ProtExecute && b.Protection == vm.ProtRead, "got %v/%v", b.Protection, b.MaxProtection)
			return err
		}},
	{name: "unaligned", what: "0x1000 bytes at page+0x800 cover two pages", xnu: vm.KernSuccess, ref: "vm_sanitize.c vm_sanitize_addr_size",
		run: func(f *fx) error {
			err := f.m.Protect(base+0x800, 0x1000, false, vm.ProtRead)
			r := f.region(f.m, base, vm.FlavorBasicInfo64)
			f.expect(r.Size >= 2*page && r.Basic.Protection == vm.ProtRead, "region %#x %v", r.Size, r.Basic.Protection)
			return err
		}},
	{name: "prot-copy", what: "VM_PROT_COPY|READ|WRITE on a read-only maximum: a private copy, write added to the maximum", xnu: vm.KernSuccess,
		ref: refProtect + " (VM_PROT_COPY: vm_map_remap copy, vmkf_remap_prot_copy)",
		run: func(f *fx) error {
			f.ok(f.m.Protect(base, page, true, vm.ProtRead))
			err := f.m.Protect(base, page, false, vm.ProtCopy|vm.ProtRead|vm.ProtWrite)
			b := f.region(f.m, base, vm.FlavorBasicInfo64).Basic
			f.expect(b.Protection == vm.ProtDefault && b.MaxProtection == vm.ProtDefault, "got %v/%v", b.Protection, b.MaxProtection)
			f.expect(f.load(f.cpu, base) == 1 && f.cpu.Store8(base, 2) == nil, "data lost or not writable")
			return err
		}},
	{name: "prot-copy-hole", what: "VM_PROT_COPY over a hole", xnu: vm.KernInvalidAddress, ref: "vm_map.c vm_map_remap (source not mapped)",
		run: protect(hole, page, false, vm.ProtCopy|vm.ProtRead)},
}})

func inherit(addr vm.VAddr, size uint64, i vm.Inherit) func(*fx) error {
	return func(f *fx) error { return f.m.Inherit(addr, size, i) }
}

var _ = addTable(&confCall{call: "vm_inherit", api: "Map.Inherit", rows: []confRow{
	{name: "size0-bad-value", what: "size 0 with inheritance 9", xnu: vm.KernSuccess, ref: "vm_user.c mach_vm_inherit (size 0 first)", run: inherit(base, 0, 9)},
	{name: "donate-copy", what: "VM_INHERIT_DONATE_COPY", xnu: vm.KernInvalidArgument, ref: "vm_sanitize.c vm_sanitize_inherit (> VM_INHERIT_LAST_VALID)", run: inherit(base, page, vm.InheritDonateCopy)},
	{name: "bad-value", what: "inheritance 9", xnu: vm.KernInvalidArgument, ref: "vm_sanitize.c vm_sanitize_inherit", run: inherit(base, page, 9)},
	{name: "bad-value-bad-range", what: "inheritance 9 and a range that wraps: the value is checked first", xnu: vm.KernInvalidArgument, ref: "vm_map.c vm_map_inherit_sanitize", run: inherit(base, ^uint64(0), 9)},
	{name: "wraps", what: "address+size wraps", xnu: vm.KernInvalidArgument, ref: "vm_sanitize_error_compat.c (vm_inherit: telemetry only)", run: inherit(base, ^uint64(0), vm.InheritShare)},
	{name: "end-in-last-page", what: "end in the last page", xnu: vm.KernInvalidArgument, ref: "vm_sanitize_error_compat.c (vm_inherit: telemetry only)", run: inherit(lastPage, 1, vm.InheritShare)},
	{name: "outside-map", what: "a range above the map", xnu: vm.KernSuccess, ref: refInherit, run: inherit(userMax, page, vm.InheritShare)},
	{name: "hole", what: "a range with a hole: the mapped parts change", xnu: vm.KernSuccess, ref: refInherit,
		run: func(f *fx) error {
			err := f.m.Inherit(base+7*page, 4*page, vm.InheritNone)
			f.expect(f.region(f.m, after, vm.FlavorBasicInfo64).Basic.Inheritance == vm.InheritNone, "not changed after the hole")
			return err
		}},
	{name: "share", what: "VM_INHERIT_SHARE", xnu: vm.KernSuccess, ref: refInherit, run: inherit(base, page, vm.InheritShare)},
	{name: "none", what: "VM_INHERIT_NONE", xnu: vm.KernSuccess, ref: refInherit, run: inherit(base, page, vm.InheritNone)},
	{name: "submap-copy", what: "VM_INHERIT_COPY over a submap", xnu: vm.KernInvalidArgument, ref: refInherit,
		run: func(f *fx) error { withSubmap(f); return f.m.Inherit(hole, page, vm.InheritCopy) }},
	{name: "submap-share", what: "VM_INHERIT_SHARE over a submap", xnu: vm.KernSuccess, ref: refInherit,
		run: func(f *fx) error { withSubmap(f); return f.m.Inherit(hole, page, vm.InheritShare) }},
}})

func behavior(addr vm.VAddr, size uint64, b vm.Behavior) func(*fx) error {
	return func(f *fx) error { return f.m.BehaviorSet(addr, size, b) }
}

// mallocEntry allocates one page tagged VM_MEMORY_MALLOC at hole.
func mallocEntry(f *fx) vm.VAddr {
	f.must(f.m.Allocate(hole, page, vm.FlagsFixed|1<<24))
	return hole
}

var _ = addTable(&confCall{call: "vm_behavior_set", api: "Map.BehaviorSet", rows: []confRow{
	{name: "negative", what: "behavior -1", xnu: vm.KernInvalidArgument, ref: refBehaviorSan, run: behavior(base, page, -1)},
	{name: "above-last", what: "behavior 13 (above VM_BEHAVIOR_ZERO)", xnu: vm.KernInvalidArgument, ref: refBehaviorSan, run: behavior(base, page, 13)},
	{name: "bad-value-size0", what: "behavior 13, size 0: the behavior is checked first", xnu: vm.KernInvalidArgument, ref: refBehaviorSan, run: behavior(base, 0, 13)},
	{name: "size0", what: "size 0", xnu: vm.KernSuccess, ref: refBehaviorSan + " (SIZE_ZERO_SUCCEEDS)", run: behavior(hole, 0, vm.BehaviorRandom)},
	{name: "wraps", what: "address+size wraps", xnu: vm.KernInvalidArgument, ref: refBehaviorCmp, run: behavior(base, ^uint64(0), vm.BehaviorRandom)},
	{name: "end-in-last-page", what: "end in the last page", xnu: vm.KernNoSpace, ref: refBehaviorCmp, run: behavior(lastPage, 1, vm.BehaviorRandom)},
	{name: "below-min", what: "page 0, below the map's minimum", xnu: vm.KernNoSpace, ref: refBehavior, run: behavior(0, page, vm.BehaviorRandom)},
	{name: "above-max", what: "across the map's maximum", xnu: vm.KernNoSpace, ref: refBehavior, run: behavior(userMax-page, 2*page, vm.BehaviorRandom)},
	{name: "hole", what: "persistent behavior over a hole", xnu: vm.KernInvalidAddress, ref: refBehavior + " (vm_map_range_check)", run: behavior(base+7*page, 2*page, vm.BehaviorRandom)},
	{name: "default", what: "VM_BEHAVIOR_DEFAULT", xnu: vm.KernSuccess, ref: refBehavior, run: behavior(base, page, vm.BehaviorDefault)},
	{name: "random", what: "VM_BEHAVIOR_RANDOM is recorded", xnu: vm.KernSuccess, ref: refBehavior,
		run: func(f *fx) error {
			err := f.m.BehaviorSet(base, page, vm.BehaviorRandom)
			f.expect(f.region(f.m, base, vm.FlavorBasicInfo64).Basic.Behavior == vm.BehaviorRandom, "not recorded")
			return err
		}},
	{name: "sequential", what: "VM_BEHAVIOR_SEQUENTIAL", xnu: vm.KernSuccess, ref: refBehavior, run: behavior(base, page, vm.BehaviorSequential)},
	{name: "rsequential", what: "VM_BEHAVIOR_RSEQNTL", xnu: vm.KernSuccess, ref: refBehavior, run: behavior(base, page, vm.BehaviorRSequential)},
	{name: "zero-wired-pages", what: "VM_BEHAVIOR_ZERO_WIRED_PAGES: wired pages are zeroed when the entry goes", xnu: vm.KernSuccess, ref: refBehavior + ", vm_map_delete",
		run: func(f *fx) error {
			err := f.m.BehaviorSet(base, page, vm.BehaviorZeroWired)
			f.ok(f.m.Wire(base, page, vm.ProtRead))
			pa, _, _ := f.m.Pmap().Extract(base)
			f.ok(f.m.Deallocate(base, page))
			f.expect(f.env.Arena.Frame(pa.Trunc())[0] == 0, "wired page not zeroed")
			return err
		}},
	{name: "zero-wired-pages-readonly", what: "VM_BEHAVIOR_ZERO_WIRED_PAGES on a read-only entry", xnu: vm.KernProtectionFailure, ref: refBehavior, run: behavior(roPage, page, vm.BehaviorZeroWired)},
	{name: "willneed", what: "VM_BEHAVIOR_WILLNEED faults the range in", xnu: vm.KernSuccess, ref: "vm_map.c vm_map_willneed",
		run: func(f *fx) error {
			err := f.m.BehaviorSet(base+3*page, 2*page, vm.BehaviorWillNeed)
			_, _, ok := f.m.Pmap().Extract(base + 4*page)
			f.expect(ok, "page not brought in")
			return err
		}},
	{name: "willneed-hole", what: "VM_BEHAVIOR_WILLNEED over a hole", xnu: vm.KernInvalidAddress, ref: "vm_map.c vm_map_willneed (vm_map_range_check)", run: behavior(base+7*page, 2*page, vm.BehaviorWillNeed)},
	{name: "dontneed", what: "VM_BEHAVIOR_DONTNEED deactivates", xnu: vm.KernSuccess, ref: refBehavior + " (msync DEACTIVATE|CONTIGUOUS)",
		run: func(f *fx) error {
			err := f.m.BehaviorSet(base, page, vm.BehaviorDontNeed)
			f.expect(f.env.VM.Statistics().InactiveCount == 1, "page not deactivated")
			return err
		}},
	{name: "dontneed-hole", what: "VM_BEHAVIOR_DONTNEED over a hole", xnu: vm.KernInvalidAddress, ref: refBehavior + " (msync CONTIGUOUS)", run: behavior(base+7*page, 2*page, vm.BehaviorDontNeed)},
	{name: "free", what: "VM_BEHAVIOR_FREE discards private anonymous contents", xnu: vm.KernSuccess, ref: refBehavior + " (msync KILLPAGES|CONTIGUOUS)",
		run: func(f *fx) error {
			err := f.m.BehaviorSet(base, page, vm.BehaviorFree)
			f.expect(f.load(f.cpu, base) == 0, "contents kept")
			return err
		}},
	{name: "free-shared", what: "VM_BEHAVIOR_FREE keeps memory shared with a child", xnu: vm.KernSuccess, ref: refMsync + " (kill_pages = -1 for a shared object)",
		run: func(f *fx) error {
			f.ok(f.m.Inherit(base, page, vm.InheritShare))
			pm, _ := f.env.Pmap.Create(0)
			child, err := f.m.Fork(pm)
			f.ok(err)
			defer child.Destroy()
			err = f.m.BehaviorSet(base, page, vm.BehaviorFree)
			f.expect(f.load(f.cpu, base) == 1, "shared contents discarded")
			return err
		}},
	{name: "reusable", what: "VM_BEHAVIOR_REUSABLE marks the pages reusable and counts them", xnu: vm.KernSuccess, ref: refReusable,
		run: func(f *fx) error {
			err := f.m.BehaviorSet(base, page, vm.BehaviorReusable)
			st := f.env.VM.Statistics()
			d, _, _ := f.m.PageQuery(base)
			f.expect(st.Reusable == 1 && st.ReusableCount == 1 && st.ReusablePagesSuccess == 1 && d&vm.PageQueryReusable != 0, "stats %+v, disposition %#x", st, d)
			return err
		}},
	{name: "reusable-readonly", what: "VM_BEHAVIOR_REUSABLE on a read-only entry", xnu: vm.KernProtectionFailure, ref: refReusable + " (reusable_nonwritable)",
		run: func(f *fx) error {
			err := f.m.BehaviorSet(roPage, page, vm.BehaviorReusable)
			f.expect(f.env.VM.Statistics().ReusableNonwritable == 1, "not counted")
			return err
		}},
	{name: "reusable-malloc-readonly", what: "VM_BEHAVIOR_REUSABLE on a malloc-tagged entry without the default protection", xnu: vm.KernInvalidAddress, ref: refReusable,
		run: func(f *fx) error {
			a := mallocEntry(f)
			f.ok(f.m.Protect(a, page, false, vm.ProtRead))
			return f.m.BehaviorSet(a, page, vm.BehaviorReusable)
		}},
	{name: "reusable-hole", what: "VM_BEHAVIOR_REUSABLE over a hole", xnu: vm.KernInvalidAddress, ref: refReusable + " (vm_map_range_check)", run: behavior(base+7*page, 2*page, vm.BehaviorReusable)},
	{name: "reuse", what: "VM_BEHAVIOR_REUSE takes reusable pages back", xnu: vm.KernSuccess, ref: "vm_map.c vm_map_reuse_pages, vm_object.c vm_object_reuse_pages",
		run: func(f *fx) error {
			f.ok(f.m.BehaviorSet(base, page, vm.BehaviorReusable))
			err := f.m.BehaviorSet(base, page, vm.BehaviorReuse)
			st := f.env.VM.Statistics()
			f.expect(st.Reused == 1 && st.ReusableCount == 0 && st.ReusePagesSuccess == 1, "stats %+v", st)
			return err
		}},
	{name: "reuse-hole", what: "VM_BEHAVIOR_REUSE over a hole", xnu: vm.KernInvalidAddress, ref: "vm_map.c vm_map_reuse_pages", run: behavior(base+7*page, 2*page, vm.BehaviorReuse)},
	{name: "can-reuse", what: "VM_BEHAVIOR_CAN_REUSE", xnu: vm.KernSuccess, ref: "vm_map.c vm_map_can_reuse",
		run: func(f *fx) error {
			err := f.m.BehaviorSet(base, page, vm.BehaviorCanReuse)
			f.expect(f.env.VM.Statistics().CanReuseSuccess == 1, "not counted")
			return err
		}},
	{name: "can-reuse-wired-malloc", what: "VM_BEHAVIOR_CAN_REUSE on a wired malloc entry", xnu: vm.KernInvalidAddress, ref: "vm_map.c vm_map_can_reuse, vm_map_entry_is_reusable",
		run: func(f *fx) error {
			a := mallocEntry(f)
			f.ok(f.m.Wire(a, page, vm.ProtRead))
			err := f.m.BehaviorSet(a, page, vm.BehaviorCanReuse)
			f.ok(f.m.Wire(a, page, vm.ProtNone))
			return err
		}},
	{name: "pageout", what: "VM_BEHAVIOR_PAGEOUT", xnu: vm.KernInvalidArgument, ref: refBehavior + " (vm_map_pageout exists only with MACH_ASSERT)",
		want: differs(vm.KernSuccess), why: "tamach is a teaching kernel and keeps the development kernels' advice: it deactivates the range as DONTNEED does",
		run: behavior(base, page, vm.BehaviorPageout)},
	{name: "zero", what: "VM_BEHAVIOR_ZERO zeroes resident anonymous pages in place", xnu: vm.KernSuccess, ref: "vm_map.c vm_map_zero, vm_object.c vm_object_zero",
		run: func(f *fx) error {
			err := f.m.BehaviorSet(base, page, vm.BehaviorZero)
			f.expect(f.load(f.cpu, base) == 0, "not zeroed")
			return err
		}},
	{name: "zero-readonly", what: "VM_BEHAVIOR_ZERO on a read-only entry", xnu: vm.KernProtectionFailure, ref: "vm_map.c vm_map_zero_entry_preflight", run: behavior(roPage, page, vm.BehaviorZero)},
	{name: "zero-needs-copy", what: "VM_BEHAVIOR_ZERO on copy-on-write memory (after fork)", xnu: vm.KernNoAccess, ref: "vm_map.c vm_map_zero_entry_preflight (needs_copy)",
		run: func(f *fx) error {
			pm, _ := f.env.Pmap.Create(0)
			child, err := f.m.Fork(pm)
			f.ok(err)
			defer child.Destroy()
			return f.m.BehaviorSet(base, page, vm.BehaviorZero)
		}},
	{name: "zero-hole", what: "VM_BEHAVIOR_ZERO over a hole", xnu: vm.KernInvalidAddress, ref: "vm_map.c vm_map_zero", run: behavior(base+7*page, 2*page, vm.BehaviorZero)},
}})

func wire(addr vm.VAddr, size uint64, access vm.Prot) func(*fx) error {
	return func(f *fx) error { return f.m.Wire(addr, size, access) }
}

var _ = addTable(&confCall{call: "vm_wire", api: "Map.Wire", rows: []confRow{
	{name: "size0", what: "size 0", xnu: vm.KernSuccess, ref: "vm_map.c vm_map_wire_sanitize (SIZE_ZERO_SUCCEEDS)", run: wire(hole, 0, vm.ProtRead)},
	{name: "wraps", what: "address+size wraps", xnu: vm.KernInvalidArgument, ref: "vm_sanitize_error_compat.c (vm_wire: telemetry only)", run: wire(base, ^uint64(0), vm.ProtRead)},
	{name: "end-in-last-page", what: "end in the last page", xnu: vm.KernInvalidArgument, ref: "vm_sanitize_error_compat.c (vm_wire: telemetry only)", run: wire(lastPage, 1, vm.ProtRead)},
	{name: "bad-access", what: "access 0x08", xnu: vm.KernInvalidArgument, ref: "vm_map.c vm_map_wire_sanitize (vm_sanitize_prot)", run: wire(base, page, 0x08)},
	{name: "bad-access-bad-range", what: "access 0x08 and a range that wraps: the range is checked first", xnu: vm.KernInvalidArgument, ref: "vm_map.c vm_map_wire_sanitize", run: wire(base, ^uint64(0), 0x08)},
	{name: "outside-map", what: "a range above the map", xnu: vm.KernSuccess, ref: refWire + " (VM_MAP_RANGE_CHECK, empty)", run: wire(userMax, page, vm.ProtRead)},
	{name: "unmapped-start", what: "a range starting in a hole", xnu: vm.KernInvalidAddress, ref: refWire, run: wire(hole, page, vm.ProtRead)},
	{name: "hole", what: "a range with a hole", xnu: vm.KernInvalidAddress, ref: refWire,
		run: func(f *fx) error {
			err := f.m.Wire(base+7*page, 4*page, vm.ProtRead)
			f.expect(f.region(f.m, base+7*page, vm.FlavorBasicInfo64).Basic.UserWiredCount == 0, "failed wiring kept")
			return err
		}},
	{name: "protection", what: "write access on a read-only entry", xnu: vm.KernProtectionFailure, ref: refWire, run: wire(roPage, page, vm.ProtWrite)},
	{name: "wire", what: "wire, then unwire", xnu: vm.KernSuccess, ref: refWire,
		run: func(f *fx) error {
			err := f.m.Wire(base, 2*page, vm.ProtRead|vm.ProtWrite)
			f.expect(f.region(f.m, base, vm.FlavorBasicInfo64).Basic.UserWiredCount == 1, "not wired")
			f.ok(f.m.Wire(base, 2*page, vm.ProtNone))
			return err
		}},
	{name: "unwire-never-wired", what: "unwire memory that was never wired", xnu: vm.KernSuccess, ref: refUnwire + " (unwired entries skipped)", run: wire(base, page, vm.ProtNone)},
	{name: "unwire-unmapped-start", what: "unwire from a hole", xnu: vm.KernInvalidAddress, ref: refUnwire, run: wire(hole, page, vm.ProtNone)},
	{name: "unwire-hole", what: "unwire a range with a hole after its start", xnu: vm.KernSuccess, ref: refUnwire + " (holes ignored)",
		run: func(f *fx) error {
			f.ok(f.m.Wire(after, page, vm.ProtRead))
			err := f.m.Wire(base+7*page, 4*page, vm.ProtNone)
			f.expect(f.region(f.m, after, vm.FlavorBasicInfo64).Basic.UserWiredCount == 0, "not unwired past the hole")
			return err
		}},
	{name: "submap", what: "wire a submap", xnu: vm.KernSuccess, ref: refWire + " (submaps wired through)",
		want: differs(vm.KernInvalidArgument), why: "nested maps are sealed in tamach (NestSubmap) and never wired",
		run: func(f *fx) error { withSubmap(f); return f.m.Wire(hole, page, vm.ProtRead) }},
}})

func msync(addr vm.VAddr, size uint64, flags vm.SyncFlags) func(*fx) error {
	return func(f *fx) error { return f.m.Msync(addr, size, flags) }
}

// pagerMapping maps one page of a MemoryPager object holding 0x11 at hole,
// shared, and returns the pager.
func pagerMapping(f *fx) *vm.MemoryPager {
	pg := vm.NewMemoryPager()
	pg.SetData(0, []byte{0x11})
	obj, err := f.env.VM.NewPagerObject(pg, page)
	f.ok(err)
	me, err := f.env.VM.NewMemoryEntry(obj, vm.ProtDefault)
	f.ok(err)
	obj.Release()
	f.extra = append(f.extra, me.Release)
	_, err = f.m.MapMemory(hole, page, vm.MapOptions{Flags: vm.FlagsFixed, Entry: me, Cur: vm.ProtDefault, Max: vm.ProtDefault, Inherit: new(vm.InheritShare)})
	f.ok(err)
	return pg
}

var _ = addTable(&confCall{call: "vm_msync", api: "Map.Msync", rows: []confRow{
	{name: "size0-sync-and-async", what: "size 0 with SYNCHRONOUS|ASYNCHRONOUS", xnu: vm.KernSuccess, ref: "vm_user.c mach_vm_msync (size 0 first)", run: msync(base, 0, vm.SyncSynchronous|vm.SyncAsynchronous)},
	{name: "sync-and-async", what: "SYNCHRONOUS|ASYNCHRONOUS", xnu: vm.KernInvalidArgument, ref: refMsync, run: msync(base, page, vm.SyncSynchronous|vm.SyncAsynchronous)},
	{name: "unknown-flag", what: "flag 0x80 (unassigned)", xnu: vm.KernSuccess, ref: refMsync + " (flags not checked)", run: msync(base, page, 0x80)},
	{name: "wraps", what: "address+size wraps", xnu: vm.KernInvalidAddress, ref: "vm_sanitize_error_compat.c vm_sanitize_err_compat_addr_size_vm_msync", run: msync(base, ^uint64(0), vm.SyncSynchronous)},
	{name: "end-in-last-page", what: "end in the last page", xnu: vm.KernInvalidAddress, ref: "vm_sanitize_error_compat.c vm_sanitize_err_compat_addr_size_vm_msync", run: msync(lastPage, 1, vm.SyncSynchronous)},
	{name: "hole", what: "a range with a hole", xnu: vm.KernSuccess, ref: refMsync, run: msync(base+7*page, 4*page, vm.SyncSynchronous)},
	{name: "hole-contiguous", what: "a range with a hole, CONTIGUOUS", xnu: vm.KernInvalidAddress, ref: refMsync + " (had_hole)", run: msync(base+7*page, 4*page, vm.SyncSynchronous|vm.SyncContiguous)},
	{name: "outside-map", what: "a range above the map", xnu: vm.KernSuccess, ref: refMsync, run: msync(userMax, page, vm.SyncSynchronous)},
	{name: "outside-map-contiguous", what: "a range above the map, CONTIGUOUS", xnu: vm.KernInvalidAddress, ref: refMsync, run: msync(userMax, page, vm.SyncSynchronous|vm.SyncContiguous)},
	{name: "killpages", what: "KILLPAGES discards private anonymous contents", xnu: vm.KernSuccess, ref: refMsync + ", vm_object.c deactivate_pages_in_object (kill)",
		run: func(f *fx) error {
			err := f.m.Msync(base, page, vm.SyncKillPages)
			f.expect(f.load(f.cpu, base) == 0, "contents kept")
			return err
		}},
	{name: "killpages-stops-at-hole", what: "KILLPAGES stops at the first hole", xnu: vm.KernSuccess, ref: refMsync + " (break at a hole for KILLPAGES)",
		run: func(f *fx) error {
			f.ok(f.cpu.Store8(after, 5))
			err := f.m.Msync(base+7*page, 4*page, vm.SyncKillPages)
			f.expect(f.load(f.cpu, after) == 5, "pages past the hole killed")
			return err
		}},
	{name: "deactivate", what: "DEACTIVATE moves resident pages to the inactive queue", xnu: vm.KernSuccess, ref: refMsync + ", vm_object.c vm_object_deactivate_pages",
		run: func(f *fx) error {
			err := f.m.Msync(base, page, vm.SyncDeactivate)
			f.expect(f.env.VM.Statistics().InactiveCount == 1, "not deactivated")
			return err
		}},
	{name: "sync-pager", what: "SYNCHRONOUS writes dirty pages of a pager's object back", xnu: vm.KernSuccess, ref: refMsync + ", vm_object.c vm_object_sync",
		run: func(f *fx) error {
			pg := pagerMapping(f)
			f.ok(f.cpu.Store8(hole, 0x22))
			err := f.m.Msync(hole, page, vm.SyncSynchronous)
			f.expect(pg.Returns == 1, "%d pages returned to the pager", pg.Returns)
			return err
		}},
	{name: "async-pager", what: "ASYNCHRONOUS writes them too (synchronously here)", xnu: vm.KernSuccess, ref: refMsync,
		run: func(f *fx) error {
			pg := pagerMapping(f)
			f.ok(f.cpu.Store8(hole, 0x22))
			err := f.m.Msync(hole, page, vm.SyncAsynchronous)
			f.expect(pg.Returns == 1, "%d pages returned to the pager", pg.Returns)
			return err
		}},
	{name: "invalidate-pager", what: "INVALIDATE alone discards dirty data of a pager's object", xnu: vm.KernSuccess, ref: refMsync + " (vm_object_sync should_flush without should_return)",
		run: func(f *fx) error {
			pg := pagerMapping(f)
			f.ok(f.cpu.Store8(hole, 0x22))
			err := f.m.Msync(hole, page, vm.SyncInvalidate)
			f.expect(pg.Returns == 0 && f.load(f.cpu, hole) == 0x11, "dirty data written or kept")
			return err
		}},
}})

func mattr(addr vm.VAddr, size uint64, attr vm.MachineAttribute, val vm.MachineAttributeVal) func(*fx) error {
	return func(f *fx) error {
		_, err := f.m.MachineAttribute(addr, size, attr, val)
		return err
	}
}

// softCacheCalls runs a machine-attribute call over the software pmap,
// which records cache maintenance, and returns the calls made.
func softCacheCalls(f *fx, addr vm.VAddr, size uint64, val vm.MachineAttributeVal) ([]vmtest.CacheCall, vm.MachineAttributeVal, error) {
	env := newEnv(f.t, vmtest.Options{Pmap: vmtest.Software, PoolPages: 64})
	m := newMap(f.t, env)
	defer m.Destroy()
	_, err := m.Allocate(base, 2*page, vm.FlagsFixed)
	f.ok(err)
	f.ok(env.CPU(m).Store8(base, 1))
	got, err := m.MachineAttribute(addr, size, vm.MattrCache, val)
	return env.Pmap.(*vmtest.SoftSystem).CacheCalls, got, err
}

var _ = addTable(&confCall{call: "vm_machine_attribute", api: "Map.MachineAttribute", rows: []confRow{
	{name: "size0", what: "size 0", xnu: vm.KernSuccess, ref: "vm_user.c mach_vm_machine_attribute (size 0 first)", run: mattr(hole, 0, 99, 99)},
	{name: "wraps", what: "address+size wraps", xnu: vm.KernInvalidArgument, ref: "vm_sanitize_error_compat.c vm_sanitize_err_compat_addr_size_vm_machine_attribute (no rewrite when it wraps)", run: mattr(base, ^uint64(0), vm.MattrCache, vm.MattrValCacheFlush)},
	{name: "end-in-last-page", what: "end in the last page", xnu: vm.KernInvalidAddress, ref: "vm_sanitize_error_compat.c vm_sanitize_err_compat_addr_size_vm_machine_attribute", run: mattr(lastPage, 1, vm.MattrCache, vm.MattrValCacheFlush)},
	{name: "below-min", what: "page 0, below the map's minimum", xnu: vm.KernInvalidAddress, ref: refMattr, run: mattr(0, page, vm.MattrCache, vm.MattrValCacheFlush)},
	{name: "above-max", what: "across the map's maximum", xnu: vm.KernInvalidAddress, ref: refMattr, run: mattr(userMax-page, 2*page, vm.MattrCache, vm.MattrValCacheFlush)},
	{name: "migrate", what: "MATTR_MIGRATE", xnu: vm.KernInvalidAddress, ref: "vm_map.c vm_map_machine_attribute, pmap.h pmap_attribute (stub)", run: mattr(base, page, vm.MattrMigrate, vm.MattrValOn)},
	{name: "replicate", what: "MATTR_REPLICATE", xnu: vm.KernInvalidAddress, ref: "pmap.h pmap_attribute (stub)", run: mattr(base, page, vm.MattrReplicate, vm.MattrValOn)},
	{name: "unknown-attribute", what: "attribute 99", xnu: vm.KernInvalidAddress, ref: "pmap.h pmap_attribute (stub)", run: mattr(base, page, 99, vm.MattrValOn)},
	{name: "hole", what: "MATTR_CACHE over a range with a hole", xnu: vm.KernFailure, ref: refMattr + " (lookup fails)", run: mattr(base+7*page, 2*page, vm.MattrCache, vm.MattrValCacheFlush)},
	{name: "unmapped", what: "MATTR_CACHE over an unmapped range inside the map", xnu: vm.KernFailure, ref: refMattr + " (lookup fails)", run: mattr(hole, page, vm.MattrCache, vm.MattrValCacheFlush)},
	{name: "cache-flush", what: "MATTR_VAL_CACHE_FLUSH: data and instruction caches for each resident page", xnu: vm.KernSuccess, ref: "arm/pmap/pmap.c pmap_attribute_cache_sync",
		run: func(f *fx) error {
			calls, _, err := softCacheCalls(f, base, 2*page, vm.MattrValCacheFlush)
			f.expect(len(calls) == 1 && calls[0].Op == pmapFlushAll && calls[0].Size == page, "calls %+v (one resident page)", calls)
			return err
		}},
	{name: "dcache-flush", what: "MATTR_VAL_DCACHE_FLUSH: data cache", xnu: vm.KernSuccess, ref: "arm/pmap/pmap.c pmap_attribute_cache_sync",
		run: func(f *fx) error {
			calls, _, err := softCacheCalls(f, base, page, vm.MattrValDCacheFlush)
			f.expect(len(calls) == 1 && calls[0].Op == pmapFlushData, "calls %+v", calls)
			return err
		}},
	{name: "cache-sync", what: "MATTR_VAL_CACHE_SYNC: instruction fetch made coherent", xnu: vm.KernSuccess, ref: "arm/pmap/pmap.c pmap_attribute_cache_sync",
		run: func(f *fx) error {
			calls, _, err := softCacheCalls(f, base, page, vm.MattrValCacheSync)
			f.expect(len(calls) == 1 && calls[0].Op == pmapSyncInstructions, "calls %+v", calls)
			return err
		}},
	{name: "cache-get", what: "MATTR_VAL_GET: the value comes back unchanged, the caches are synced anyway", xnu: vm.KernSuccess, ref: "arm/pmap/pmap.c pmap_attribute_cache_sync (value unused)",
		run: func(f *fx) error {
			calls, val, err := softCacheCalls(f, base, page, vm.MattrValGet)
			f.expect(val == vm.MattrValGet && len(calls) == 1, "value %d, calls %+v", val, calls)
			return err
		}},
	{name: "untouched", what: "MATTR_CACHE over memory never touched: nothing to sync", xnu: vm.KernSuccess, ref: refMattr,
		run: func(f *fx) error {
			calls, _, err := softCacheCalls(f, base+page, page, vm.MattrValCacheFlush)
			f.expect(len(calls) == 0, "calls %+v", calls)
			return err
		}},
	{name: "x86-resident", what: "MATTR_CACHE over resident pages on x86", xnu: vm.KernInvalidAddress, ref: "i386/pmap.h pmap_attribute_cache_sync (stub)",
		want: differs(vm.KernSuccess), why: "the x86 caches are coherent (pmap/amd64 SyncCache, SDM Vol. 3A §12): tamach succeeds on both architectures rather than keep XNU's x86 stub",
		run: mattr(base, page, vm.MattrCache, vm.MattrValCacheFlush)},
}})
