package vm_test

import (
	"fmt"
	"testing"

	"github.com/tamach/tamach/pmap"
	"github.com/tamach/tamach/vm"
	"github.com/tamach/tamach/vm/vmtest"
)

// Rows of mach_vm_map. Sources: osfmk/vm/vm_user.c (mach_vm_map_external),
// osfmk/vm/vm_map.c (vm_map_enter_mem_object, _sanitize,
// vm_map_enter_adjust_offset, vm_map_enter, vm_map_locate_space_anywhere,
// vm_map_locate_space_fixed), osfmk/vm/vm_sanitize.c,
// osfmk/vm/vm_sanitize_error_compat.c, osfmk/mach/vm_statistics.h, and the
// tests tests/vm/mach_vm_map.c and tests/vm/vm_parameter_validation.c.

const (
	srcMapExternal = "vm_user.c `mach_vm_map_external` (VM_FLAGS_USER_MAP)"
	srcMapSanitize = "vm_map.c `vm_map_enter_mem_object_sanitize`"
	srcEnterMemObj = "vm_map.c `vm_map_enter_mem_object`"
	srcEnter       = "vm_map.c `vm_map_enter`"
	srcFixed       = "vm_map.c `vm_map_locate_space_fixed`"
	srcAnywhere    = "vm_map.c `vm_map_locate_space_anywhere`"
	srcAddrSize    = "vm_sanitize.c `vm_sanitize_addr_size`"
)

// free is an address in the map that nothing the rows allocate uses (the
// last page of the address space, lastPage, is conformance_test.go's).
const free vm.VAddr = 0x4000_0000

// vmMap runs vm_map and reports the code, and on success the region
// mapped there (its size, protections and inheritance).
func vmMap(t *testing.T, c *entryEnv, addr vm.VAddr, size uint64, o vm.MapOptions) string {
	at, err := c.m.MapMemory(addr, size, o)
	if err != nil {
		return kr(err)
	}
	return "KERN_SUCCESS; " + c.region(t, at)
}

// vmMapAt runs vm_map and reports the code, and on success where the
// memory went relative to ref.
func vmMapAt(t *testing.T, c *entryEnv, addr vm.VAddr, size uint64, o vm.MapOptions, ref vm.VAddr) string {
	at, err := c.m.MapMemory(addr, size, o)
	if err != nil {
		return kr(err)
	}
	return fmt.Sprintf("KERN_SUCCESS at %+#x", int64(at-ref))
}

// anon is anonymous read-write memory options with flags.
func anon(flags vm.Flags) vm.MapOptions {
	return vm.MapOptions{Flags: flags, Cur: vm.ProtDefault, Max: vm.ProtAll}
}

// namedEntry makes a named-create memory entry of n pages with
// protection prot and writes byte i+1 at the start of page i through a
// shared mapping, which it removes again.
func (c *entryEnv) namedEntry(t *testing.T, n int, prot pmap.Prot) *vm.MemoryEntry {
	t.Helper()
	me, _, err := c.m.MakeMemoryEntry(uint64(n)*page, 0, vm.MapMemNamedCreate|vm.MemEntryFlags(vm.ProtDefault), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(me.Release)
	a, err := c.m.MapMemory(0, uint64(n)*page, vm.MapOptions{Flags: vm.FlagsAnywhere, Entry: me,
		Cur: vm.ProtDefault, Max: vm.ProtDefault})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		c.store(t, c.m, a+vm.VAddr(i)*page, byte(i+1))
	}
	c.m.Deallocate(a, uint64(n)*page)
	if prot == vm.ProtDefault {
		return me
	}
	child, _, err := c.m.MakeMemoryEntry(uint64(n)*page, 0, vm.MemEntryFlags(prot), me)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(child.Release)
	return child
}

// mapEntry maps n pages of me at offset anywhere with o's remaining
// options and reports the code, and on success the region and the byte at
// the address returned.
func mapEntry(t *testing.T, c *entryEnv, size uint64, o vm.MapOptions) string {
	if o.Flags&vm.FlagsAnywhere == 0 {
		o.Flags |= vm.FlagsAnywhere
	}
	at, err := c.m.MapMemory(0, size, o)
	if err != nil {
		return kr(err)
	}
	return fmt.Sprintf("KERN_SUCCESS; %s; offset in page %#x, reads %d", c.region(t, at), uint64(at)&pmap.PageMask,
		c.load(t, c.m, at))
}

func init() {
	entryCalls = append(entryCalls, &entryCall{
		name: "mach_vm_map",
		api:  "Map.MapMemory",
		about: "Anonymous read-write memory (cur rw-, max rwx) unless the row says otherwise; `free` is an unused " +
			"address of the map. Results are the code and, on success, the region mapped (pages, cur/max, inheritance), " +
			"or where the memory went relative to the address given.",
		rows: mapRows(),
	})
}

func mapRows() []entryRow {
	return []entryRow{
		// The zero MapOptions and flags.
		{name: "zero_options", what: "MapOptions{} (VM_FLAGS_FIXED, anonymous, cur and max VM_PROT_NONE, inheritance left out) at `free`",
			xnu: "KERN_SUCCESS; 1 pages ---/--- copy", cite: "vm_inherit.h (VM_INHERIT_DEFAULT is VM_INHERIT_COPY)",
			run: func(t *testing.T, c *entryEnv) string { return vmMap(t, c, free, page, vm.MapOptions{}) }},
		{name: "flag_unknown", what: "flag 0x100, not in VM_FLAGS_USER_MAP",
			xnu: "KERN_INVALID_ARGUMENT", cite: srcMapExternal,
			run: func(t *testing.T, c *entryEnv) string { return vmMap(t, c, 0, page, anon(vm.FlagsAnywhere|0x100)) }},
		{name: "flag_resilient_codesign", what: "VM_FLAGS_RESILIENT_CODESIGN (vm_remap only)",
			xnu: "KERN_INVALID_ARGUMENT", cite: srcMapExternal,
			run: func(t *testing.T, c *entryEnv) string {
				return vmMap(t, c, 0, page, anon(vm.FlagsAnywhere|vm.FlagsResilientCodesign))
			}},
		{name: "flag_resilient_media", what: "VM_FLAGS_RESILIENT_MEDIA (vm_remap only)",
			xnu: "KERN_INVALID_ARGUMENT", cite: srcMapExternal,
			run: func(t *testing.T, c *entryEnv) string {
				return vmMap(t, c, 0, page, anon(vm.FlagsAnywhere|vm.FlagsResilientMedia))
			}},
		{name: "flag_random_addr", what: "VM_FLAGS_ANYWHERE with VM_FLAGS_RANDOM_ADDR and hint `free`",
			xnu: "KERN_SUCCESS at a random address", cite: srcAnywhere + " (`vm_map_random_address_for_size`)",
			differs: "tamach has no address randomization: the flag is accepted and the memory goes where it would without it",
			tamach:  "KERN_SUCCESS at +0x0",
			run: func(t *testing.T, c *entryEnv) string {
				return vmMapAt(t, c, free, page, anon(vm.FlagsAnywhere|vm.FlagsRandomAddr), free)
			}},
		{name: "flag_no_cache_4gb_permanent", what: "VM_FLAGS_NO_CACHE, VM_FLAGS_4GB_CHUNK, VM_FLAGS_PERMANENT and an alias tag",
			xnu: "KERN_SUCCESS; 1 pages rw-/rwx copy", cite: srcMapExternal,
			run: func(t *testing.T, c *entryEnv) string {
				return vmMap(t, c, 0, page, anon(vm.FlagsAnywhere|vm.FlagsNoCache|vm.Flags4GBChunk|vm.FlagsPermanent|0x42<<24))
			}},
		{name: "flag_superpage", what: "VM_FLAGS_SUPERPAGE_SIZE_ANY (0x10000)",
			xnu: "KERN_INVALID_ARGUMENT", cite: srcEnter + " (arm64: no superpage size; x86_64 maps 2 MiB pages)",
			run: func(t *testing.T, c *entryEnv) string { return vmMap(t, c, 0, page, anon(vm.FlagsAnywhere|0x10000)) }},
		{name: "flag_tpro", what: "VM_FLAGS_TPRO, cur rw-, max rw-: mapped read-only",
			xnu: "KERN_SUCCESS; 1 pages r--/rw- copy", cite: srcEnter + " (entry_for_tpro)",
			run: func(t *testing.T, c *entryEnv) string {
				return vmMap(t, c, 0, page, vm.MapOptions{Flags: vm.FlagsAnywhere | vm.FlagsTPRO, Cur: vm.ProtDefault, Max: vm.ProtDefault})
			}},
		{name: "flag_tpro_max_read", what: "VM_FLAGS_TPRO with max r--",
			xnu: "KERN_PROTECTION_FAILURE", cite: srcEnter + " (entry_for_tpro)",
			run: func(t *testing.T, c *entryEnv) string {
				return vmMap(t, c, 0, page, vm.MapOptions{Flags: vm.FlagsAnywhere | vm.FlagsTPRO, Cur: vm.ProtRead, Max: vm.ProtRead})
			}},
		{name: "fixed_in_use", what: "VM_FLAGS_FIXED over allocated memory",
			xnu: "KERN_NO_SPACE", cite: srcFixed,
			run: func(t *testing.T, c *entryEnv) string { return vmMap(t, c, c.alloc(t, 1, 0), page, anon(0)) }},
		{name: "fixed_overwrite", what: "VM_FLAGS_FIXED|VM_FLAGS_OVERWRITE over allocated memory: replaced, reads 0",
			xnu: "KERN_SUCCESS at +0x0, reads 0", cite: srcFixed + " (vmf_overwrite)",
			run: func(t *testing.T, c *entryEnv) string {
				a := c.alloc(t, 1, 0)
				got := vmMapAt(t, c, a, page, anon(vm.FlagsOverwrite), a)
				return got + fmt.Sprintf(", reads %d", c.load(t, c.m, a))
			}},
		{name: "anywhere_overwrite", what: "VM_FLAGS_ANYWHERE|VM_FLAGS_OVERWRITE with the hint on allocated memory: overwrite is ignored",
			xnu: "KERN_SUCCESS at +0x1000, old memory reads 1", cite: srcAnywhere + " (vmf_overwrite is only read for fixed)",
			run: func(t *testing.T, c *entryEnv) string {
				a := c.alloc(t, 1, 0)
				got := vmMapAt(t, c, a, page, anon(vm.FlagsAnywhere|vm.FlagsOverwrite), a)
				return got + fmt.Sprintf(", old memory reads %d", c.load(t, c.m, a))
			}},
		{name: "purgable_anonymous", what: "VM_FLAGS_PURGABLE: a purgeable object",
			xnu: "KERN_SUCCESS, VM_PURGABLE_NONVOLATILE", cite: srcEnter + " (purgable)",
			run: func(t *testing.T, c *entryEnv) string {
				a, err := c.m.MapMemory(0, 2*page, anon(vm.FlagsAnywhere|vm.FlagsPurgable))
				if err != nil {
					return kr(err)
				}
				return purgable(c, a, vm.PurgableGetState, 0)
			}},
		{name: "purgable_entry_not_purgeable", what: "VM_FLAGS_PURGABLE with a memory entry of an ordinary object",
			xnu: "KERN_INVALID_ARGUMENT", cite: srcEnter + " (\"Only zero-fill objects are allowed to be purgable\")",
			run: func(t *testing.T, c *entryEnv) string {
				me := c.namedEntry(t, 2, vm.ProtDefault)
				return mapEntry(t, c, 2*page, vm.MapOptions{Flags: vm.FlagsPurgable, Entry: me, Cur: vm.ProtDefault, Max: vm.ProtDefault})
			}},
		{name: "purgable_entry_whole", what: "VM_FLAGS_PURGABLE with a memory entry of a whole purgeable object (MAP_MEM_PURGABLE)",
			xnu: "KERN_SUCCESS, VM_PURGABLE_NONVOLATILE", cite: srcEnter + " (purgable)",
			run: func(t *testing.T, c *entryEnv) string {
				me, _, err := c.m.MakeMemoryEntry(2*page, 0, vm.MapMemNamedCreate|vm.MapMemPurgable|vm.MemEntryFlags(vm.ProtDefault), nil)
				if err != nil {
					t.Fatal(err)
				}
				defer me.Release()
				a, err := c.m.MapMemory(0, 2*page, vm.MapOptions{Flags: vm.FlagsAnywhere | vm.FlagsPurgable, Entry: me,
					Cur: vm.ProtDefault, Max: vm.ProtDefault})
				if err != nil {
					return kr(err)
				}
				return purgable(c, a, vm.PurgableGetState, 0)
			}},
		{name: "purgable_entry_part", what: "VM_FLAGS_PURGABLE with 1 page of a 2-page purgeable memory entry",
			xnu: "KERN_INVALID_ARGUMENT", cite: srcEnter + " (object->vo_size != size)",
			run: func(t *testing.T, c *entryEnv) string {
				me, _, err := c.m.MakeMemoryEntry(2*page, 0, vm.MapMemNamedCreate|vm.MapMemPurgable|vm.MemEntryFlags(vm.ProtDefault), nil)
				if err != nil {
					t.Fatal(err)
				}
				defer me.Release()
				return vmMap(t, c, 0, page, vm.MapOptions{Flags: vm.FlagsAnywhere | vm.FlagsPurgable, Entry: me,
					Cur: vm.ProtDefault, Max: vm.ProtDefault})
			}},
		{name: "return_data_addr_anonymous", what: "VM_FLAGS_RETURN_DATA_ADDR for anonymous memory at `free`+0x10: the page's address",
			xnu: "KERN_SUCCESS at -0x10", cite: srcEnterMemObj + " (offset_in_mapping only for entries)",
			run: func(t *testing.T, c *entryEnv) string {
				return vmMapAt(t, c, free+0x10, page, anon(vm.FlagsReturnDataAddr), free+0x10)
			}},

		// Protections and inheritance.
		{name: "cur_above_max", what: "cur rw-, max r--: cur is lowered to max",
			xnu: "KERN_SUCCESS; 1 pages r--/r-- copy", cite: "vm_sanitize_error_compat.c `vm_sanitize_err_compat_cur_and_max_prots_vm_map`",
			run: func(t *testing.T, c *entryEnv) string {
				return vmMap(t, c, 0, page, vm.MapOptions{Flags: vm.FlagsAnywhere, Cur: vm.ProtDefault, Max: vm.ProtRead})
			}},
		{name: "cur_execute_only", what: "cur --x, max rwx",
			xnu: "KERN_SUCCESS; 1 pages r-x/rwx copy", cite: srcEnterMemObj + " (arm64: execute implies read; x86_64 keeps --x)",
			differs: "tamach keeps the protection asked for, as XNU on x86_64 does (adding read could also lift cur above a max of --x)",
			tamach:  "KERN_SUCCESS; 1 pages --x/rwx copy",
			run: func(t *testing.T, c *entryEnv) string {
				return vmMap(t, c, 0, page, vm.MapOptions{Flags: vm.FlagsAnywhere, Cur: vm.ProtExecute, Max: vm.ProtAll})
			}},
		{name: "cur_unknown_bit", what: "cur with bit 0x8 (VM_PROT_UEXEC outside x86_64)",
			xnu: "KERN_INVALID_ARGUMENT", cite: "vm_sanitize.c `vm_sanitize_prot`",
			run: func(t *testing.T, c *entryEnv) string {
				return vmMap(t, c, 0, page, vm.MapOptions{Flags: vm.FlagsAnywhere, Cur: 0x8, Max: vm.ProtAll})
			}},
		{name: "max_unknown_bit", what: "max with bit 0x80",
			xnu: "KERN_INVALID_ARGUMENT", cite: "vm_sanitize.c `vm_sanitize_prot`",
			run: func(t *testing.T, c *entryEnv) string {
				return vmMap(t, c, 0, page, vm.MapOptions{Flags: vm.FlagsAnywhere, Cur: vm.ProtRead, Max: 0x80 | vm.ProtAll})
			}},
		{name: "is_mask_anonymous", what: "cur and max rw- with VM_PROT_IS_MASK, anonymous memory",
			xnu: "KERN_SUCCESS; 1 pages rw-/rw- copy", cite: srcEnterMemObj + " (mask_cur_protection)",
			run: func(t *testing.T, c *entryEnv) string {
				return vmMap(t, c, 0, page, vm.MapOptions{Flags: vm.FlagsAnywhere, Cur: pmap.Prot(vm.ProtDefault | vm.ProtIsMask),
					Max: pmap.Prot(vm.ProtDefault | vm.ProtIsMask)})
			}},
		{name: "entry_max_above", what: "memory entry rw-, shared, max rwx",
			xnu: "KERN_INVALID_RIGHT", cite: srcEnterMemObj + " (named_entry->protection)",
			run: func(t *testing.T, c *entryEnv) string {
				return mapEntry(t, c, page, vm.MapOptions{Entry: c.namedEntry(t, 1, vm.ProtDefault), Cur: vm.ProtDefault, Max: vm.ProtAll})
			}},
		{name: "entry_max_above_copy", what: "memory entry rw-, copy, max rwx: the entry's protection bounds copies too",
			xnu: "KERN_INVALID_RIGHT", cite: srcEnterMemObj + " (checked before copy is looked at)",
			run: func(t *testing.T, c *entryEnv) string {
				return mapEntry(t, c, page, vm.MapOptions{Entry: c.namedEntry(t, 1, vm.ProtDefault), Copy: true,
					Cur: vm.ProtDefault, Max: vm.ProtAll})
			}},
		{name: "entry_cur_above", what: "memory entry r--, copy, cur rw-, max r--: cur lowered to max, then allowed",
			xnu: "KERN_SUCCESS; 1 pages r--/r-- copy; offset in page 0x0, reads 1", cite: srcMapSanitize + ", " + srcEnterMemObj,
			run: func(t *testing.T, c *entryEnv) string {
				return mapEntry(t, c, page, vm.MapOptions{Entry: c.namedEntry(t, 1, vm.ProtRead), Copy: true,
					Cur: vm.ProtDefault, Max: vm.ProtRead})
			}},
		{name: "entry_is_mask", what: "memory entry r--, cur and max rw- with VM_PROT_IS_MASK: what the entry allows",
			xnu: "KERN_SUCCESS; 1 pages r--/r-- copy; offset in page 0x0, reads 1", cite: srcEnterMemObj + " (mask_max_protection)",
			run: func(t *testing.T, c *entryEnv) string {
				return mapEntry(t, c, page, vm.MapOptions{Entry: c.namedEntry(t, 1, vm.ProtRead),
					Cur: pmap.Prot(vm.ProtDefault | vm.ProtIsMask), Max: pmap.Prot(vm.ProtDefault | vm.ProtIsMask)})
			}},
		{name: "inherit_share", what: "inheritance VM_INHERIT_SHARE",
			xnu: "KERN_SUCCESS; 1 pages rw-/rwx share", cite: "vm_sanitize.c `vm_sanitize_inherit`",
			run: func(t *testing.T, c *entryEnv) string {
				o := anon(vm.FlagsAnywhere)
				o.Inherit = new(vm.InheritShare)
				return vmMap(t, c, 0, page, o)
			}},
		{name: "inherit_none", what: "inheritance VM_INHERIT_NONE",
			xnu: "KERN_SUCCESS; 1 pages rw-/rwx none", cite: "vm_sanitize.c `vm_sanitize_inherit`",
			run: func(t *testing.T, c *entryEnv) string {
				o := anon(vm.FlagsAnywhere)
				o.Inherit = new(vm.InheritNone)
				return vmMap(t, c, 0, page, o)
			}},
		{name: "inherit_donate_copy", what: "inheritance VM_INHERIT_DONATE_COPY (3), above VM_INHERIT_LAST_VALID",
			xnu: "KERN_INVALID_ARGUMENT", cite: "vm_sanitize.c `vm_sanitize_inherit`; vm_inherit.h",
			run: func(t *testing.T, c *entryEnv) string {
				o := anon(vm.FlagsAnywhere)
				o.Inherit = new(vm.InheritDonateCopy)
				return vmMap(t, c, 0, page, o)
			}},
		{name: "inherit_0x12345", what: "inheritance 0x45 (a byte of 0x12345)",
			xnu: "KERN_INVALID_ARGUMENT", cite: "vm_sanitize.c `vm_sanitize_inherit`",
			run: func(t *testing.T, c *entryEnv) string {
				o := anon(vm.FlagsAnywhere)
				o.Inherit = new(vm.Inherit(0x45))
				return vmMap(t, c, 0, page, o)
			}},

		// Address and size.
		{name: "size_zero_anywhere", what: "size 0, anywhere",
			xnu: "KERN_INVALID_ARGUMENT", cite: "vm_sanitize.c `vm_sanitize_size` (SIZE_ZERO_FAILS)",
			run: func(t *testing.T, c *entryEnv) string { return vmMap(t, c, 0, 0, anon(vm.FlagsAnywhere)) }},
		{name: "size_zero_fixed", what: "size 0 at `free`",
			xnu: "KERN_INVALID_ARGUMENT", cite: srcAddrSize + " (SIZE_ZERO_FAILS)",
			run: func(t *testing.T, c *entryEnv) string { return vmMap(t, c, free, 0, anon(0)) }},
		{name: "size_zero_last_page", what: "size 0 at the last page of the address space",
			xnu: "KERN_INVALID_ARGUMENT", cite: srcAddrSize + " (SIZE_ZERO_FAILS)",
			run: func(t *testing.T, c *entryEnv) string { return vmMap(t, c, lastPage, 0, anon(0)) }},
		{name: "size_rounds_to_zero", what: "size 0xffff_ffff_ffff_ffff, anywhere",
			xnu: "KERN_INVALID_ARGUMENT", cite: "vm_sanitize.c `vm_sanitize_size`",
			run: func(t *testing.T, c *entryEnv) string { return vmMap(t, c, 0, ^uint64(0), anon(vm.FlagsAnywhere)) }},
		{name: "size_page_minus_one_top", what: "size 0xffff_ffff_ffff_f001, anywhere (rounds to 0)",
			xnu: "KERN_INVALID_ARGUMENT", cite: "vm_sanitize.c `vm_sanitize_size`",
			run: func(t *testing.T, c *entryEnv) string {
				return vmMap(t, c, 0, uint64(lastPage)+1, anon(vm.FlagsAnywhere))
			}},
		{name: "fixed_wraps", what: "fixed at 0xffff_ffff_ffff_f000, 2 pages: address+size wraps",
			xnu: "KERN_INVALID_ARGUMENT", cite: srcAddrSize,
			run: func(t *testing.T, c *entryEnv) string { return vmMap(t, c, lastPage, 2*page, anon(0)) }},
		{name: "fixed_ends_in_last_page", what: "fixed at 0xffff_ffff_ffff_e000, 0x1001 bytes: the end rounds to 0",
			xnu: "KERN_INVALID_ARGUMENT", cite: srcAddrSize,
			run: func(t *testing.T, c *entryEnv) string { return vmMap(t, c, lastPage-page, page+1, anon(0)) }},
		{name: "fixed_last_page", what: "fixed at the last page of the address space, 1 page: address+size is 2^64, which wraps",
			xnu: "KERN_INVALID_ARGUMENT", cite: srcAddrSize,
			run: func(t *testing.T, c *entryEnv) string { return vmMap(t, c, lastPage, page, anon(0)) }},
		{name: "fixed_above_map", what: "fixed at 0xffff_ffff_ffff_e000, 1 page: a valid range above the map",
			xnu: "KERN_INVALID_ADDRESS", cite: srcFixed,
			run: func(t *testing.T, c *entryEnv) string { return vmMap(t, c, lastPage-page, page, anon(0)) }},
		{name: "fixed_below_min", what: "fixed at 0, below the map's minimum",
			xnu: "KERN_INVALID_ADDRESS", cite: srcFixed,
			run: func(t *testing.T, c *entryEnv) string { return vmMap(t, c, 0, page, anon(0)) }},
		{name: "fixed_at_max", what: "fixed at the map's maximum",
			xnu: "KERN_INVALID_ADDRESS", cite: srcFixed,
			run: func(t *testing.T, c *entryEnv) string { return vmMap(t, c, vmtest.UserMax, page, anon(0)) }},
		{name: "fixed_across_max", what: "fixed at the map's last page, 2 pages",
			xnu: "KERN_INVALID_ADDRESS", cite: srcFixed,
			run: func(t *testing.T, c *entryEnv) string { return vmMap(t, c, vmtest.UserMax-page, 2*page, anon(0)) }},
		{name: "fixed_larger_than_map", what: "fixed at `free`, 2^60 bytes",
			xnu: "KERN_INVALID_ADDRESS", cite: srcFixed,
			run: func(t *testing.T, c *entryEnv) string { return vmMap(t, c, free, 1<<60, anon(0)) }},
		{name: "fixed_unaligned_start", what: "fixed at `free`+1, 1 page: the start is truncated, the end computed from it",
			xnu: "KERN_SUCCESS at -0x1; 1 pages", cite: srcAddrSize + " (REALIGN_START)",
			run: func(t *testing.T, c *entryEnv) string {
				at, err := c.m.MapMemory(free+1, page, anon(0))
				if err != nil {
					return kr(err)
				}
				ri, _ := c.m.Region(at, vm.FlavorBasicInfo64)
				return fmt.Sprintf("KERN_SUCCESS at %+#x; %d pages", int64(at-free-1), ri.Size/page)
			}},
		{name: "fixed_unaligned_end", what: "fixed at `free`, 0x1001 bytes: rounded up to 2 pages",
			xnu: "KERN_SUCCESS; 2 pages rw-/rwx copy", cite: srcAddrSize,
			run: func(t *testing.T, c *entryEnv) string { return vmMap(t, c, free, page+1, anon(0)) }},
		{name: "fixed_mask", what: "fixed at `free`+0x1000 with mask 0xffff",
			xnu: "KERN_NO_SPACE", cite: srcFixed + " (start & mask)",
			run: func(t *testing.T, c *entryEnv) string {
				o := anon(0)
				o.Mask = 0xffff
				return vmMap(t, c, free+page, page, o)
			}},
		{name: "fixed_mask_before_range", what: "fixed at the map's maximum + 0x1000 (outside the map) with mask 0xffff: the mask is checked before the range",
			xnu: "KERN_NO_SPACE", cite: srcFixed,
			run: func(t *testing.T, c *entryEnv) string {
				o := anon(0)
				o.Mask = 0xffff
				return vmMap(t, c, vmtest.UserMax+page, page, o)
			}},
		{name: "anywhere_hint_below_min", what: "anywhere with hint 0: from the map's minimum",
			xnu: "KERN_SUCCESS at +0x1000", cite: srcAnywhere + " (hint < min_address)",
			run: func(t *testing.T, c *entryEnv) string { return vmMapAt(t, c, 0, page, anon(vm.FlagsAnywhere), 0) }},
		{name: "anywhere_hint_unaligned", what: "anywhere with hint `free`+0x10: at the hint's page",
			xnu: "KERN_SUCCESS at -0x10", cite: "vm_sanitize.c `vm_sanitize_addr` (truncates the hint)",
			run: func(t *testing.T, c *entryEnv) string {
				return vmMapAt(t, c, free+0x10, page, anon(vm.FlagsAnywhere), free+0x10)
			}},
		{name: "anywhere_hint_in_use", what: "anywhere with the hint on allocated memory: just after it",
			xnu: "KERN_SUCCESS at +0x2000", cite: "vm_map_store.c `vm_map_store_find_space_forward`",
			run: func(t *testing.T, c *entryEnv) string {
				a := c.alloc(t, 2, 0)
				return vmMapAt(t, c, a, page, anon(vm.FlagsAnywhere), a)
			}},
		{name: "anywhere_hint_at_max", what: "anywhere with the hint at the map's maximum",
			xnu: "KERN_NO_SPACE", cite: srcAnywhere + " (max_address <= hint)",
			run: func(t *testing.T, c *entryEnv) string {
				return vmMap(t, c, vmtest.UserMax, page, anon(vm.FlagsAnywhere))
			}},
		{name: "anywhere_hint_top", what: "anywhere with hint 0xffff_ffff_ffff_f000",
			xnu: "KERN_NO_SPACE", cite: srcAnywhere,
			run: func(t *testing.T, c *entryEnv) string { return vmMap(t, c, lastPage, page, anon(vm.FlagsAnywhere)) }},
		{name: "anywhere_mask", what: "anywhere with hint `free`+0x1000 and mask 0xffff: the next 64 KiB boundary",
			xnu: "KERN_SUCCESS at +0xf000", cite: "vm_map_store.c `vm_map_store_find_space_forward`",
			run: func(t *testing.T, c *entryEnv) string {
				o := anon(vm.FlagsAnywhere)
				o.Mask = 0xffff
				return vmMapAt(t, c, free+page, page, o, free+page)
			}},
		{name: "anywhere_too_large", what: "anywhere, 2^60 bytes",
			xnu: "KERN_NO_SPACE", cite: srcAnywhere,
			run: func(t *testing.T, c *entryEnv) string { return vmMap(t, c, 0, 1<<60, anon(vm.FlagsAnywhere)) }},

		// Memory entries.
		{name: "entry_share", what: "2 pages of a 2-page memory entry, shared: writes reach the entry's other mappings",
			xnu: "KERN_SUCCESS; 2 pages rw-/rw- copy; offset in page 0x0, reads 1; other mapping reads 9", cite: srcEnterMemObj,
			run: func(t *testing.T, c *entryEnv) string {
				me := c.namedEntry(t, 2, vm.ProtDefault)
				o := vm.MapOptions{Flags: vm.FlagsAnywhere, Entry: me, Cur: vm.ProtDefault, Max: vm.ProtDefault}
				got := mapEntry(t, c, 2*page, o)
				a, _ := c.m.MapMemory(0, 2*page, o)
				b, _ := c.m.MapMemory(0, 2*page, o)
				c.store(t, c.m, a, 9)
				return got + fmt.Sprintf("; other mapping reads %d", c.load(t, c.m, b))
			}},
		{name: "entry_copy", what: "a memory entry mapped with copy: writes stay private",
			xnu: "KERN_SUCCESS; entry reads 1", cite: srcEnterMemObj + " (vm_object_copy_strategically)",
			run: func(t *testing.T, c *entryEnv) string {
				me := c.namedEntry(t, 1, vm.ProtDefault)
				a, err := c.m.MapMemory(0, page, vm.MapOptions{Flags: vm.FlagsAnywhere, Entry: me, Copy: true, Cur: vm.ProtDefault, Max: vm.ProtDefault})
				if err != nil {
					return kr(err)
				}
				c.store(t, c.m, a, 9)
				b, _ := c.m.MapMemory(0, page, vm.MapOptions{Flags: vm.FlagsAnywhere, Entry: me, Cur: vm.ProtDefault, Max: vm.ProtDefault})
				return fmt.Sprintf("KERN_SUCCESS; entry reads %d", c.load(t, c.m, b))
			}},
		{name: "entry_offset", what: "1 page at offset 0x1000 of a 2-page entry",
			xnu: "KERN_SUCCESS; 1 pages rw-/rw- copy; offset in page 0x0, reads 2", cite: srcEnterMemObj,
			run: func(t *testing.T, c *entryEnv) string {
				return mapEntry(t, c, page, vm.MapOptions{Entry: c.namedEntry(t, 2, vm.ProtDefault), Offset: page, Cur: vm.ProtDefault, Max: vm.ProtDefault})
			}},
		{name: "entry_offset_unaligned", what: "offset 0x10 of an object-backed entry, without VM_FLAGS_RETURN_DATA_ADDR",
			xnu: "KERN_INVALID_ARGUMENT", cite: srcEnter + " (offset & PAGE_MASK); test `mach_vm_map_unaligned`",
			run: func(t *testing.T, c *entryEnv) string {
				return mapEntry(t, c, page, vm.MapOptions{Entry: c.namedEntry(t, 2, vm.ProtDefault), Offset: 0x10, Cur: vm.ProtDefault, Max: vm.ProtDefault})
			}},
		{name: "entry_offset_unaligned_data_addr", what: "offset 0x1010 of a 2-page entry with VM_FLAGS_RETURN_DATA_ADDR: the address keeps the offset",
			xnu: "KERN_SUCCESS; 1 pages rw-/rw- copy; offset in page 0x10, reads 0", cite: srcEnterMemObj + " (offset_in_mapping); test `mach_vm_map_unaligned`",
			run: func(t *testing.T, c *entryEnv) string {
				return mapEntry(t, c, 0x100, vm.MapOptions{Flags: vm.FlagsReturnDataAddr, Entry: c.namedEntry(t, 2, vm.ProtDefault),
					Offset: page + 0x10, Cur: vm.ProtDefault, Max: vm.ProtDefault})
			}},
		{name: "entry_beyond", what: "2 pages at offset 0x1000 of a 2-page entry",
			xnu: "KERN_INVALID_ARGUMENT", cite: srcEnterMemObj + " (named_entry->size < obj_offs + initial_size)",
			run: func(t *testing.T, c *entryEnv) string {
				return mapEntry(t, c, 2*page, vm.MapOptions{Entry: c.namedEntry(t, 2, vm.ProtDefault), Offset: page, Cur: vm.ProtDefault, Max: vm.ProtDefault})
			}},
		{name: "entry_larger", what: "3 pages of a 2-page entry",
			xnu: "KERN_INVALID_ARGUMENT", cite: srcEnterMemObj,
			run: func(t *testing.T, c *entryEnv) string {
				return mapEntry(t, c, 3*page, vm.MapOptions{Entry: c.namedEntry(t, 2, vm.ProtDefault), Cur: vm.ProtDefault, Max: vm.ProtDefault})
			}},
		{name: "entry_offset_wraps", what: "offset 0xffff_ffff_ffff_f000, 2 pages",
			xnu: "KERN_INVALID_ARGUMENT", cite: srcMapSanitize + " (offset + obj_size)",
			run: func(t *testing.T, c *entryEnv) string {
				return mapEntry(t, c, 2*page, vm.MapOptions{Entry: c.namedEntry(t, 2, vm.ProtDefault), Offset: uint64(lastPage), Cur: vm.ProtDefault, Max: vm.ProtDefault})
			}},
		{name: "range_entry_whole", what: "1 page of a 3-page MAP_MEM_VM_COPY entry: mapped whole",
			xnu: "KERN_SUCCESS; 3 pages rw-/rw- copy; offset in page 0x0, reads 1", cite: srcEnterMemObj + " (is_copy); test `mach_vm_map_unaligned` (\"only does full objects\")",
			run: func(t *testing.T, c *entryEnv) string {
				a := c.alloc(t, 3, 0)
				me, _, err := c.m.MakeMemoryEntry(3*page, a, vm.MapMemVMCopy|vm.MemEntryFlags(vm.ProtDefault), nil)
				if err != nil {
					t.Fatal(err)
				}
				defer me.Release()
				return mapEntry(t, c, page, vm.MapOptions{Entry: me, Cur: vm.ProtDefault, Max: vm.ProtDefault})
			}},
		{name: "range_entry_offset", what: "1 page at offset 0x1010 of a 3-page MAP_MEM_VM_COPY entry: mapped whole, from its start",
			xnu: "KERN_SUCCESS; 3 pages rw-/rw- copy; offset in page 0x0, reads 1", cite: srcEnterMemObj + " (is_copy)",
			run: func(t *testing.T, c *entryEnv) string {
				a := c.alloc(t, 3, 0)
				me, _, err := c.m.MakeMemoryEntry(3*page, a, vm.MapMemVMCopy|vm.MemEntryFlags(vm.ProtDefault), nil)
				if err != nil {
					t.Fatal(err)
				}
				defer me.Release()
				return mapEntry(t, c, page, vm.MapOptions{Entry: me, Offset: page + 0x10, Cur: vm.ProtDefault, Max: vm.ProtDefault})
			}},
		{name: "range_entry_flags", what: "a MAP_MEM_VM_COPY entry with VM_FLAGS_NO_CACHE",
			xnu: "KERN_INVALID_ARGUMENT", cite: srcEnterMemObj + " (is_copy: allowed_flags)",
			run: func(t *testing.T, c *entryEnv) string {
				a := c.alloc(t, 1, 0)
				me, _, err := c.m.MakeMemoryEntry(page, a, vm.MapMemVMCopy|vm.MemEntryFlags(vm.ProtDefault), nil)
				if err != nil {
					t.Fatal(err)
				}
				defer me.Release()
				return mapEntry(t, c, page, vm.MapOptions{Flags: vm.FlagsNoCache, Entry: me, Cur: vm.ProtDefault, Max: vm.ProtDefault})
			}},
		{name: "range_entry_data_addr", what: "a MAP_MEM_VM_COPY|MAP_MEM_USE_DATA_ADDR entry made at +0x800, mapped with VM_FLAGS_RETURN_DATA_ADDR",
			xnu: "KERN_SUCCESS; 2 pages rw-/rw- copy; offset in page 0x800, reads 0", cite: srcEnterMemObj + " (data_offset, offset_in_mapping)",
			run: func(t *testing.T, c *entryEnv) string {
				a := c.alloc(t, 2, 0)
				me, n, err := c.m.MakeMemoryEntry(page, a+0x800, vm.MapMemVMCopy|vm.MapMemUseDataAddr|vm.MemEntryFlags(vm.ProtDefault), nil)
				if err != nil {
					t.Fatal(err)
				}
				defer me.Release()
				return mapEntry(t, c, n, vm.MapOptions{Flags: vm.FlagsReturnDataAddr, Entry: me, Cur: vm.ProtDefault, Max: vm.ProtDefault})
			}},
		{name: "overflow_size", what: "size 0xffff_ffff_ffff_ffff of a MAP_MEM_VM_COPY|USE_DATA_ADDR entry",
			xnu: "KERN_INVALID_ARGUMENT", cite: "test `vm_map_enter_mem_object_overflow` (obj_size overflow)",
			run: func(t *testing.T, c *entryEnv) string { return overflowCase(t, c, ^uint64(0), 0, 0) }},
		{name: "overflow_offset", what: "offset 0xffff_ffff_ffff_ffff with VM_FLAGS_RETURN_DATA_ADDR, same entry",
			xnu: "KERN_INVALID_ARGUMENT", cite: "test `vm_map_enter_mem_object_overflow` (obj_offs overflow)",
			run: func(t *testing.T, c *entryEnv) string {
				return overflowCase(t, c, page, ^uint64(0), vm.FlagsReturnDataAddr)
			}},
		{name: "overflow_end", what: "offset -(0x1001) with VM_FLAGS_RETURN_DATA_ADDR, same entry",
			xnu: "KERN_INVALID_ARGUMENT", cite: "test `vm_map_enter_mem_object_overflow` (obj_end overflow)",
			run: func(t *testing.T, c *entryEnv) string {
				return overflowCase(t, c, page, ^uint64(page), vm.FlagsReturnDataAddr)
			}},
		{name: "overflow_round_to_zero", what: "offset -(0x2000) with VM_FLAGS_RETURN_DATA_ADDR: the end plus the data offset rounds to 0",
			xnu: "KERN_INVALID_ARGUMENT", cite: "test `vm_map_enter_mem_object_overflow` (round-to-0); " + "vm_map.c `vm_map_enter_adjust_offset`",
			run: func(t *testing.T, c *entryEnv) string {
				return overflowCase(t, c, page, ^uint64(2*page-1), vm.FlagsReturnDataAddr)
			}},
	}
}

// overflowCase is tests/vm/mach_vm_map.c vm_map_enter_mem_object_overflow:
// a MAP_MEM_VM_COPY|MAP_MEM_USE_DATA_ADDR entry of a page made half a page
// into an allocation, mapped anywhere with size, offset and flags.
func overflowCase(t *testing.T, c *entryEnv, size, offset uint64, flags vm.Flags) string {
	a := c.alloc(t, 2, 0)
	me, _, err := c.m.MakeMemoryEntry(page, a+page/2, vm.MapMemVMCopy|vm.MapMemUseDataAddr|vm.MemEntryFlags(vm.ProtAll), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer me.Release()
	return vmMap(t, c, 0, size, vm.MapOptions{Flags: vm.FlagsAnywhere | flags, Entry: me, Offset: offset,
		Cur: vm.ProtAll, Max: vm.ProtAll})
}
