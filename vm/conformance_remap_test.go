package vm_test

import (
	"fmt"
	"testing"

	"github.com/tamach/tamach/pmap"
	"github.com/tamach/tamach/vm"
	"github.com/tamach/tamach/vm/vmtest"
)

// Rows of mach_vm_remap and mach_vm_remap_new. Sources: osfmk/vm/vm_user.c
// (mach_vm_remap_external, mach_vm_remap_new_external), osfmk/vm/vm_map.c
// (vm_map_remap, vm_map_remap_sanitize, vm_map_copy_extract,
// vm_map_remap_extract), osfmk/vm/vm_sanitize.c, and the tests
// tests/vm_test_mach_map.c (vm_remap_zero) and
// tests/vm/vm_parameter_validation.c.

const (
	srcRemapExternal = "vm_user.c `mach_vm_remap_external` (VM_FLAGS_USER_REMAP)"
	srcRemapNew      = "vm_user.c `mach_vm_remap_new_external`"
	srcRemap         = "vm_map.c `vm_map_remap`"
	srcRemapSanitize = "vm_map.c `vm_map_remap_sanitize`"
)

// remapArgs are a remap's arguments besides the maps.
type remapArgs struct {
	addr     vm.VAddr
	size     uint64
	mask     uint64
	flags    vm.Flags
	src      vm.VAddr
	copy     bool
	cur, max pmap.Prot // RemapNew only
	inherit  vm.Inherit
	newCall  bool // RemapNew
}

// remap runs vm_remap (or vm_remap_new) from c.m into c.m and reports the
// code, and on success the protections returned, the region mapped and
// where, relative to ref.
func remap(t *testing.T, c *entryEnv, a remapArgs, ref vm.VAddr) string {
	var res vm.RemapResult
	var err error
	if a.newCall {
		res, err = c.m.RemapNew(a.addr, a.size, a.mask, a.flags, c.m, a.src, a.copy, a.cur, a.max, a.inherit)
	} else {
		res, err = c.m.Remap(a.addr, a.size, a.mask, a.flags, c.m, a.src, a.copy, a.inherit)
	}
	if err != nil {
		return kr(err)
	}
	return fmt.Sprintf("KERN_SUCCESS, %v/%v; %s; at %+#x", res.Cur, res.Max, c.region(t, res.Address), int64(res.Address-ref))
}

// anywhereFrom are the arguments of a remap of n pages at src to anywhere
// at or above free, with inheritance copy.
func anywhereFrom(src vm.VAddr, n int) remapArgs {
	return remapArgs{addr: free, size: uint64(n) * page, flags: vm.FlagsAnywhere, src: src, inherit: vm.InheritCopy}
}

// newFrom are the arguments of a vm_remap_new of n pages at src anywhere
// at or above free, sharing, asking cur and max.
func newFrom(src vm.VAddr, n int, cur, max pmap.Prot) remapArgs {
	a := anywhereFrom(src, n)
	a.newCall, a.cur, a.max = true, cur, max
	return a
}

func init() {
	entryCalls = append(entryCalls, &entryCall{
		name: "mach_vm_remap",
		api:  "Map.Remap",
		about: "Remaps n written pages of an allocation `src` (rw-, max rwx) of the map into the same map, anywhere " +
			"at or above `free`, shared, inheritance copy, unless the row says otherwise. Results are the code and, on " +
			"success, the protections returned, the region mapped and its address relative to `free`.",
		rows: remapRows(),
	}, &entryCall{
		name: "mach_vm_remap_new",
		api:  "Map.RemapNew",
		about: "As mach_vm_remap, with the protections asked for (cur/max in and out) and VM_FLAGS_RETURN_DATA_ADDR " +
			"always set.",
		rows: remapNewRows(),
	})
}

func remapRows() []entryRow {
	return []entryRow{
		{name: "share", what: "2 pages shared: a write through the new mapping shows in `src`",
			xnu: "KERN_SUCCESS, rw-/rwx; 2 pages rw-/rwx copy; at +0x0; src reads 9", cite: srcRemap + ", " + srcExtract,
			run: func(t *testing.T, c *entryEnv) string {
				a := c.alloc(t, 2, 0)
				res, err := c.m.Remap(free, 2*page, 0, vm.FlagsAnywhere, c.m, a, false, vm.InheritCopy)
				if err != nil {
					return kr(err)
				}
				c.store(t, c.m, res.Address, 9)
				return fmt.Sprintf("KERN_SUCCESS, %v/%v; %s; at %+#x; src reads %d", res.Cur, res.Max,
					c.region(t, res.Address), int64(res.Address-free), c.load(t, c.m, a))
			}},
		{name: "copy", what: "2 pages copied: a write through the new mapping stays there",
			xnu: "KERN_SUCCESS; src reads 1", cite: srcExtract + " (copy)",
			run: func(t *testing.T, c *entryEnv) string {
				a := c.alloc(t, 2, 0)
				res, err := c.m.Remap(free, 2*page, 0, vm.FlagsAnywhere, c.m, a, true, vm.InheritCopy)
				if err != nil {
					return kr(err)
				}
				c.store(t, c.m, res.Address, 9)
				return fmt.Sprintf("KERN_SUCCESS; src reads %d", c.load(t, c.m, a))
			}},
		{name: "protections_out", what: "3 pages over two map entries (rw-, then r--): the most restrictive, each entry keeps its own",
			xnu: "KERN_SUCCESS, r--/rwx; 2 pages rw-/rwx copy; at +0x0", cite: srcExtract + " (vm_remap_legacy)",
			run: func(t *testing.T, c *entryEnv) string { return remap(t, c, anywhereFrom(c.twoEntries(t), 3), free) }},
		{name: "flag_alias", what: "an alias tag in the flags (not in VM_FLAGS_USER_REMAP)",
			xnu: "KERN_INVALID_ARGUMENT", cite: srcRemapExternal,
			run: func(t *testing.T, c *entryEnv) string {
				a := anywhereFrom(c.alloc(t, 1, 0), 1)
				a.flags |= 0x42 << 24
				return remap(t, c, a, free)
			}},
		{name: "flag_purgable", what: "VM_FLAGS_PURGABLE",
			xnu: "KERN_INVALID_ARGUMENT", cite: srcRemapExternal,
			run: func(t *testing.T, c *entryEnv) string {
				a := anywhereFrom(c.alloc(t, 1, 0), 1)
				a.flags |= vm.FlagsPurgable
				return remap(t, c, a, free)
			}},
		{name: "flag_random_addr", what: "VM_FLAGS_RANDOM_ADDR",
			xnu: "KERN_SUCCESS at a random address", cite: srcAnywhere,
			differs: "tamach has no address randomization: the flag is accepted and the memory goes where it would without it",
			tamach:  "KERN_SUCCESS, rw-/rwx; 1 pages rw-/rwx copy; at +0x0",
			run: func(t *testing.T, c *entryEnv) string {
				a := anywhereFrom(c.alloc(t, 1, 0), 1)
				a.flags |= vm.FlagsRandomAddr
				return remap(t, c, a, free)
			}},
		{name: "anywhere_overwrite", what: "VM_FLAGS_ANYWHERE|VM_FLAGS_OVERWRITE with the hint on `src` itself: overwrite is ignored",
			xnu: "KERN_SUCCESS, rw-/rwx; 1 pages rw-/rwx copy; at +0x1000", cite: srcAnywhere,
			run: func(t *testing.T, c *entryEnv) string {
				src := c.alloc(t, 1, 0)
				a := anywhereFrom(src, 1)
				a.addr, a.flags = src, vm.FlagsAnywhere|vm.FlagsOverwrite
				return remap(t, c, a, src)
			}},
		{name: "fixed_overwrite", what: "fixed with VM_FLAGS_OVERWRITE over other memory: replaced",
			xnu: "KERN_SUCCESS, rw-/rwx; 1 pages rw-/rwx copy; at +0x0", cite: srcFixed,
			run: func(t *testing.T, c *entryEnv) string {
				c.m.Allocate(free, page, vm.FlagsFixed)
				a := anywhereFrom(c.alloc(t, 1, 0), 1)
				a.flags = vm.FlagsOverwrite
				return remap(t, c, a, free)
			}},
		{name: "fixed_in_use", what: "fixed over other memory",
			xnu: "KERN_NO_SPACE", cite: srcRemap + " (KERN_MEMORY_PRESENT becomes KERN_NO_SPACE)",
			run: func(t *testing.T, c *entryEnv) string {
				c.m.Allocate(free, page, vm.FlagsFixed)
				a := anywhereFrom(c.alloc(t, 1, 0), 1)
				a.flags = 0
				return remap(t, c, a, free)
			}},
		{name: "fixed_below_min", what: "fixed at 0",
			xnu: "KERN_INVALID_ADDRESS", cite: srcFixed,
			run: func(t *testing.T, c *entryEnv) string {
				a := anywhereFrom(c.alloc(t, 1, 0), 1)
				a.addr, a.flags = 0, 0
				return remap(t, c, a, 0)
			}},
		{name: "fixed_above_max", what: "fixed at the map's maximum",
			xnu: "KERN_INVALID_ADDRESS", cite: srcFixed,
			run: func(t *testing.T, c *entryEnv) string {
				a := anywhereFrom(c.alloc(t, 1, 0), 1)
				a.addr, a.flags = vmtest.UserMax, 0
				return remap(t, c, a, 0)
			}},
		{name: "fixed_mask", what: "fixed at `free`+0x1000 with mask 0xffff",
			xnu: "KERN_NO_SPACE", cite: srcFixed,
			run: func(t *testing.T, c *entryEnv) string {
				a := anywhereFrom(c.alloc(t, 1, 0), 1)
				a.addr, a.flags, a.mask = free+page, 0, 0xffff
				return remap(t, c, a, 0)
			}},
		{name: "anywhere_hint_at_max", what: "anywhere with the hint at the map's maximum",
			xnu: "KERN_NO_SPACE", cite: srcAnywhere,
			run: func(t *testing.T, c *entryEnv) string {
				a := anywhereFrom(c.alloc(t, 1, 0), 1)
				a.addr = vmtest.UserMax
				return remap(t, c, a, 0)
			}},
		{name: "source_before_target", what: "an unmapped source and a fixed target in use: the source is looked at first",
			xnu: "KERN_INVALID_ADDRESS", cite: srcRemap + " (vm_map_copy_extract before vm_map_locate_space_fixed)",
			run: func(t *testing.T, c *entryEnv) string {
				used := c.alloc(t, 1, 0)
				a := anywhereFrom(free, 1)
				a.addr, a.flags = used, 0
				return remap(t, c, a, 0)
			}},
		{name: "unaligned_legacy", what: "source `src`+0xff0, 0x20 bytes, across a page boundary: the end is computed from the truncated start, 1 page",
			xnu: "KERN_SUCCESS, rw-/rwx; 1 pages rw-/rwx copy; at +0x0", cite: srcRemapSanitize + " (REALIGN_START: \"broken\" legacy semantics)",
			run: func(t *testing.T, c *entryEnv) string {
				a := anywhereFrom(c.alloc(t, 2, 0)+0xff0, 1)
				a.size = 0x20
				return remap(t, c, a, free)
			}},
		{name: "return_data_addr", what: "the same with VM_FLAGS_RETURN_DATA_ADDR: 2 pages, and the address keeps the offset",
			xnu: "KERN_SUCCESS, rw-/rwx; 2 pages rw-/rwx copy; at +0xff0", cite: srcRemapSanitize + ", " + srcRemap + " (offset_in_mapping)",
			run: func(t *testing.T, c *entryEnv) string {
				a := anywhereFrom(c.alloc(t, 2, 0)+0xff0, 1)
				a.size, a.flags = 0x20, vm.FlagsAnywhere|vm.FlagsReturnDataAddr
				return remap(t, c, a, free)
			}},
		{name: "size_zero", what: "size 0",
			xnu: "KERN_INVALID_ARGUMENT", cite: "test `vm_remap_zero`",
			run: func(t *testing.T, c *entryEnv) string {
				a := anywhereFrom(c.alloc(t, 1, 0), 1)
				a.size = 0
				return remap(t, c, a, free)
			}},
		{name: "size_minus_two", what: "size 0xffff_ffff_ffff_fffe",
			xnu: "KERN_INVALID_ARGUMENT", cite: "test `vm_remap_zero`",
			run: func(t *testing.T, c *entryEnv) string {
				a := anywhereFrom(c.alloc(t, 1, 0), 1)
				a.size = ^uint64(1)
				return remap(t, c, a, free)
			}},
		{name: "source_wraps", what: "source 0xffff_ffff_ffff_f000, 2 pages",
			xnu: "KERN_INVALID_ARGUMENT", cite: "vm_sanitize.c `vm_sanitize_addr_size`",
			run: func(t *testing.T, c *entryEnv) string { return remap(t, c, anywhereFrom(lastPage, 2), free) }},
		{name: "source_above_map", what: "source 0xffff_ffff_ffff_e000, 1 page: a valid range above the map",
			xnu: "KERN_INVALID_ADDRESS", cite: srcExtract,
			run: func(t *testing.T, c *entryEnv) string { return remap(t, c, anywhereFrom(lastPage-page, 1), free) }},
		{name: "source_unmapped", what: "an unmapped source",
			xnu: "KERN_INVALID_ADDRESS", cite: srcExtract,
			run: func(t *testing.T, c *entryEnv) string { return remap(t, c, anywhereFrom(free, 1), free) }},
		{name: "source_hole", what: "a source with a hole",
			xnu: "KERN_INVALID_ADDRESS", cite: srcExtract,
			run: func(t *testing.T, c *entryEnv) string {
				a := c.alloc(t, 3, 0)
				c.m.Deallocate(a+page, page)
				return remap(t, c, anywhereFrom(a, 3), free)
			}},
		{name: "source_submap", what: "a source in a nested submap",
			xnu: "KERN_SUCCESS", cite: srcExtract + " (recurses into the submap)",
			differs: "tamach's nested maps are sealed shared regions; it does not remap from them",
			tamach:  "KERN_INVALID_ARGUMENT",
			run: func(t *testing.T, c *entryEnv) string {
				sub, err := c.env.VM.NewMap(nil, 0, 1<<30)
				if err != nil {
					t.Fatal(err)
				}
				if err := c.m.NestSubmap(free, 1<<21, sub, 0); err != nil {
					t.Fatal(err)
				}
				sub.Destroy()
				a := anywhereFrom(free, 1)
				a.addr = 0
				got := remap(t, c, a, 0)
				if len(got) > 12 && got[:12] == "KERN_SUCCESS" {
					return "KERN_SUCCESS"
				}
				return got
			}},
		{name: "inherit_none", what: "inheritance VM_INHERIT_NONE",
			xnu: "KERN_SUCCESS, rw-/rwx; 1 pages rw-/rwx none; at +0x0", cite: "vm_sanitize.c `vm_sanitize_inherit`",
			run: func(t *testing.T, c *entryEnv) string {
				a := anywhereFrom(c.alloc(t, 1, 0), 1)
				a.inherit = vm.InheritNone
				return remap(t, c, a, free)
			}},
		{name: "inherit_donate_copy", what: "inheritance VM_INHERIT_DONATE_COPY",
			xnu: "KERN_INVALID_ARGUMENT", cite: "vm_sanitize.c `vm_sanitize_inherit`",
			run: func(t *testing.T, c *entryEnv) string {
				a := anywhereFrom(c.alloc(t, 1, 0), 1)
				a.inherit = vm.InheritDonateCopy
				return remap(t, c, a, free)
			}},
		{name: "inherit_before_source", what: "inheritance 7 and size 0: the inheritance is checked first",
			xnu: "KERN_INVALID_ARGUMENT", cite: srcRemapSanitize,
			run: func(t *testing.T, c *entryEnv) string {
				a := anywhereFrom(free, 0)
				a.inherit = 7
				return remap(t, c, a, free)
			}},
		{name: "resilient_media_share", what: "VM_FLAGS_RESILIENT_MEDIA without copy",
			xnu: "KERN_INVALID_ARGUMENT", cite: srcRemap + " (\"must be copy-on-write\")",
			run: func(t *testing.T, c *entryEnv) string {
				a := anywhereFrom(c.alloc(t, 1, 0), 1)
				a.flags |= vm.FlagsResilientMedia
				return remap(t, c, a, free)
			}},
		{name: "resilient_media_copy", what: "VM_FLAGS_RESILIENT_MEDIA with copy",
			xnu: "KERN_SUCCESS, rw-/rwx; 1 pages rw-/rwx copy; at +0x0", cite: srcRemap,
			run: func(t *testing.T, c *entryEnv) string {
				a := anywhereFrom(c.alloc(t, 1, 0), 1)
				a.flags |= vm.FlagsResilientMedia
				a.copy = true
				return remap(t, c, a, free)
			}},
		{name: "resilient_codesign", what: "VM_FLAGS_RESILIENT_CODESIGN: the new mapping is read-only",
			xnu: "KERN_SUCCESS, r--/r--; 1 pages r--/r-- copy; at +0x0", cite: srcRemap + " (vmf_resilient_codesign)",
			run: func(t *testing.T, c *entryEnv) string {
				a := anywhereFrom(c.alloc(t, 1, 0), 1)
				a.flags |= vm.FlagsResilientCodesign
				return remap(t, c, a, free)
			}},
		{name: "wired_copy", what: "a copy of wired memory: made at once, later writes of the source do not show",
			xnu: "KERN_SUCCESS; copy reads 1", cite: srcExtract + " (vm_object_copy_slowly for wired entries)",
			run: func(t *testing.T, c *entryEnv) string {
				a := c.alloc(t, 1, 0)
				if err := c.m.Wire(a, page, vm.ProtDefault); err != nil {
					t.Fatal(err)
				}
				res, err := c.m.Remap(free, page, 0, vm.FlagsAnywhere, c.m, a, true, vm.InheritCopy)
				if err != nil {
					return kr(err)
				}
				c.store(t, c.m, a, 9)
				return fmt.Sprintf("KERN_SUCCESS; copy reads %d", c.load(t, c.m, res.Address))
			}},
	}
}

func remapNewRows() []entryRow {
	return []entryRow{
		{name: "share", what: "0x100 bytes at `src`+0x10 asking rw-/rw-: the address keeps the offset",
			xnu: "KERN_SUCCESS, rw-/rw-; 1 pages rw-/rw- copy; at +0x10", cite: srcRemapNew + " (VM_FLAGS_RETURN_DATA_ADDR)",
			run: func(t *testing.T, c *entryEnv) string {
				a := newFrom(c.alloc(t, 1, 0)+0x10, 1, vm.ProtDefault, vm.ProtDefault)
				a.size = 0x100
				return remap(t, c, a, free)
			}},
		{name: "unaligned_page", what: "1 page at `src`+0x10 of a 1-page allocation: the data's second page is not mapped",
			xnu: "KERN_INVALID_ADDRESS", cite: srcRemapSanitize + " (no REALIGN_START), " + srcExtract,
			run: func(t *testing.T, c *entryEnv) string {
				return remap(t, c, newFrom(c.alloc(t, 1, 0)+0x10, 1, vm.ProtDefault, vm.ProtDefault), free)
			}},
		{name: "requested_protections", what: "asking r--/r-- of rw-/rwx memory: the new mapping has what was asked",
			xnu: "KERN_SUCCESS, r--/r--; 1 pages r--/r-- copy; at +0x0", cite: srcExtract + " (new_entry->protection = *cur_protection)",
			run: func(t *testing.T, c *entryEnv) string {
				return remap(t, c, newFrom(c.alloc(t, 1, 0), 1, vm.ProtRead, vm.ProtRead), free)
			}},
		{name: "unaligned_span", what: "`src`+0xff0, 0x20 bytes: 2 pages",
			xnu: "KERN_SUCCESS, rw-/rw-; 2 pages rw-/rw- copy; at +0xff0", cite: srcRemapSanitize,
			run: func(t *testing.T, c *entryEnv) string {
				a := newFrom(c.alloc(t, 2, 0)+0xff0, 1, vm.ProtDefault, vm.ProtDefault)
				a.size = 0x20
				return remap(t, c, a, free)
			}},
		{name: "cur_above_max", what: "asking rw-/r--: no error compatibility for vm_remap_new",
			xnu: "KERN_INVALID_ARGUMENT", cite: "vm_sanitize_error_compat.c (\"vm_remap and vm_remap_new do not need cur/max error compat\")",
			run: func(t *testing.T, c *entryEnv) string {
				return remap(t, c, newFrom(c.alloc(t, 1, 0), 1, vm.ProtDefault, vm.ProtRead), free)
			}},
		{name: "cur_unknown_bit", what: "cur with bit 0x40 (VM_PROT_IS_MASK is not allowed here)",
			xnu: "KERN_INVALID_ARGUMENT", cite: "vm_sanitize.c `vm_sanitize_prot`",
			run: func(t *testing.T, c *entryEnv) string {
				return remap(t, c, newFrom(c.alloc(t, 1, 0), 1, pmap.Prot(vm.ProtRead|vm.ProtIsMask), vm.ProtDefault), free)
			}},
		{name: "max_write_execute", what: "asking r--/rwx",
			xnu: "KERN_PROTECTION_FAILURE", cite: srcRemapNew + " (\"enforce target's wx policies\")",
			run: func(t *testing.T, c *entryEnv) string {
				return remap(t, c, newFrom(c.alloc(t, 1, 0), 1, vm.ProtRead, vm.ProtAll), free)
			}},
		{name: "max_write_execute_before_inherit", what: "asking ---/-wx with inheritance 7: the protections are checked first",
			xnu: "KERN_PROTECTION_FAILURE", cite: srcRemapNew,
			run: func(t *testing.T, c *entryEnv) string {
				a := newFrom(c.alloc(t, 1, 0), 1, vm.ProtNone, vm.ProtWrite|vm.ProtExecute)
				a.inherit = 7
				return remap(t, c, a, free)
			}},
		{name: "flags_before_protections", what: "an alias tag and asking rw-/r--: the flags are checked first",
			xnu: "KERN_INVALID_ARGUMENT", cite: srcRemapNew,
			run: func(t *testing.T, c *entryEnv) string {
				a := newFrom(c.alloc(t, 1, 0), 1, vm.ProtRead, vm.ProtAll)
				a.flags |= 0x42 << 24
				return remap(t, c, a, free)
			}},
		{name: "share_needs_cur", what: "sharing read-only memory asking rw-/rw-",
			xnu: "KERN_PROTECTION_FAILURE", cite: srcExtract + " (required_cur_prot)",
			run: func(t *testing.T, c *entryEnv) string {
				a := c.alloc(t, 1, 0)
				c.m.Protect(a, page, false, vm.ProtRead)
				return remap(t, c, newFrom(a, 1, vm.ProtDefault, vm.ProtDefault), free)
			}},
		{name: "share_second_entry", what: "sharing 3 pages over two map entries (rw-, then r--) asking rw-/rw-",
			xnu: "KERN_PROTECTION_FAILURE", cite: srcExtract,
			run: func(t *testing.T, c *entryEnv) string {
				return remap(t, c, newFrom(c.twoEntries(t), 3, vm.ProtDefault, vm.ProtDefault), free)
			}},
		{name: "copy_needs_max_read", what: "copying memory with cur --- and max r--, asking rw-/rw-: a copy needs only max read",
			xnu: "KERN_SUCCESS, rw-/rw-; 1 pages rw-/rw- copy; at +0x0", cite: srcExtract + " (copy: required max VM_PROT_READ)",
			run: func(t *testing.T, c *entryEnv) string {
				a := c.alloc(t, 1, 0)
				c.m.Protect(a, page, true, vm.ProtRead)
				c.m.Protect(a, page, false, vm.ProtNone)
				args := newFrom(a, 1, vm.ProtDefault, vm.ProtDefault)
				args.copy = true
				return remap(t, c, args, free)
			}},
		{name: "copy_max_none", what: "copying memory with max ---",
			xnu: "KERN_PROTECTION_FAILURE", cite: srcExtract,
			run: func(t *testing.T, c *entryEnv) string {
				a := c.alloc(t, 1, 0)
				c.m.Protect(a, page, true, vm.ProtNone)
				args := newFrom(a, 1, vm.ProtRead, vm.ProtRead)
				args.copy = true
				return remap(t, c, args, free)
			}},
		{name: "size_zero", what: "size 0",
			xnu: "KERN_INVALID_ARGUMENT", cite: srcRemapSanitize,
			run: func(t *testing.T, c *entryEnv) string {
				a := newFrom(c.alloc(t, 1, 0), 1, vm.ProtDefault, vm.ProtDefault)
				a.size = 0
				return remap(t, c, a, free)
			}},
	}
}
