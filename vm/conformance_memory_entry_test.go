package vm_test

import (
	"fmt"
	"testing"

	"github.com/tamach/tamach/vm"
)

// Rows of mach_make_memory_entry_64 and mach_memory_entry_purgable_control.
// Sources: osfmk/vm/vm_memory_entry.c (mach_make_memory_entry_internal and
// its _mem_only, _named_create, _copy, _share and _from_parent_entry
// flavors, memory_entry_purgeable_control_internal), osfmk/vm/vm_map.c
// (vm_map_copy_extract, vm_map_remap_extract, vm_map_copyin_internal),
// osfmk/vm/vm_sanitize.c (vm_sanitize_memory_entry_perm),
// osfmk/mach/memory_object_types.h (MAP_MEM_FLAGS_USER), and the tests
// tests/vm/vm_memory_entry_parent_test.c and tests/vm/mach_vm_map.c.

const (
	srcMMEInternal = "vm_memory_entry.c `mach_make_memory_entry_internal`"
	srcMMEShare    = "vm_memory_entry.c `mach_make_memory_entry_share`"
	srcMMECopy     = "vm_memory_entry.c `mach_make_memory_entry_copy`"
	srcMMECreate   = "vm_memory_entry.c `mach_make_memory_entry_named_create`"
	srcMMEOnly     = "vm_memory_entry.c `mach_make_memory_entry_mem_only`"
	srcMMEParent   = "vm_memory_entry.c `mach_make_memory_entry_from_parent_entry`"
	srcExtract     = "vm_map.c `vm_map_remap_extract`"
)

// makeEntry runs mach_make_memory_entry_64 and reports the code, and on
// success the size returned and the entry's size (or that there is none).
func makeEntry(t *testing.T, c *entryEnv, size uint64, offset vm.VAddr, flags vm.MemEntryFlags, parent *vm.MemoryEntry) string {
	me, n, err := c.m.MakeMemoryEntry(size, offset, flags, parent)
	if err != nil {
		return kr(err)
	}
	if me == nil {
		return fmt.Sprintf("KERN_SUCCESS, no entry, size %#x", n)
	}
	t.Cleanup(me.Release)
	return fmt.Sprintf("KERN_SUCCESS, size %#x, entry %d pages", n, me.Size()/page)
}

// entryReads maps me whole (anywhere, shared, read-only) and returns the
// first byte of each of its pages.
func entryReads(t *testing.T, c *entryEnv, me *vm.MemoryEntry) string {
	a, err := c.m.MapMemory(0, me.Size(), vm.MapOptions{Flags: vm.FlagsAnywhere, Entry: me, Cur: vm.ProtRead, Max: vm.ProtRead})
	if err != nil {
		return "map: " + kr(err)
	}
	s := "reads"
	for i := uint64(0); i < me.Size()/page; i++ {
		s += fmt.Sprintf(" %d", c.load(t, c.m, a+vm.VAddr(i)*page))
	}
	return s
}

// twoEntries allocates 3 pages and protects the last one read-only, so
// that they are two map entries.
func (c *entryEnv) twoEntries(t *testing.T) vm.VAddr {
	a := c.alloc(t, 3, 0)
	if err := c.m.Protect(a+2*page, page, false, vm.ProtRead); err != nil {
		t.Fatal(err)
	}
	return a
}

func init() {
	entryCalls = append(entryCalls, &entryCall{
		name: "mach_make_memory_entry_64",
		api:  "Map.MakeMemoryEntry",
		about: "The permission word is the protection (rw- unless the row says otherwise) and MAP_MEM_* flags. " +
			"Results are the code and, on success, the size returned (XNU's *size) and the entry's size in pages; " +
			"where the row says so, what a mapping of the entry reads (byte 0 of each page: page i of an allocation holds i+1).",
		rows: memoryEntryRows(),
	}, &entryCall{
		name:  "mach_memory_entry_purgable_control",
		api:   "MemoryEntry.PurgableControl",
		about: "vm_purgable_control on the object of a memory entry, without a mapping.",
		rows:  entryPurgableRows(),
	})
}

func memoryEntryRows() []entryRow {
	rw := vm.MemEntryFlags(vm.ProtDefault)
	return []entryRow{
		// The permission word.
		{name: "flag_unknown_0x100", what: "flag 0x100 (bits 8-23 outside MAP_MEM_FLAGS_USER)",
			xnu: "KERN_INVALID_VALUE", cite: "vm_sanitize.c `vm_sanitize_memory_entry_perm`",
			run: func(t *testing.T, c *entryEnv) string { return makeEntry(t, c, page, c.alloc(t, 1, 0), rw|0x100, nil) }},
		{name: "flag_unknown_0x1000", what: "flag 0x1000, with MAP_MEM_NAMED_CREATE",
			xnu: "KERN_INVALID_VALUE", cite: "vm_sanitize.c `vm_sanitize_memory_entry_perm`",
			run: func(t *testing.T, c *entryEnv) string {
				return makeEntry(t, c, page, 0, rw|vm.MapMemNamedCreate|0x1000, nil)
			}},
		{name: "prot_extra_bits", what: "protection byte 0x83 (rw- and bit 0x80): the extra bit is dropped",
			xnu: "KERN_SUCCESS, size 0x1000, entry 1 pages", cite: "vm_sanitize.c `vm_sanitize_memory_entry_perm`",
			run: func(t *testing.T, c *entryEnv) string { return makeEntry(t, c, page, c.alloc(t, 1, 0), 0x83, nil) }},
		{name: "caching_mode", what: "caching mode MAP_MEM_IO (2) in the top byte: no check",
			xnu: "KERN_SUCCESS, size 0x1000, entry 1 pages", cite: "vm_sanitize.c `vm_sanitize_memory_entry_perm` (\"No checks on access\")",
			run: func(t *testing.T, c *entryEnv) string { return makeEntry(t, c, page, c.alloc(t, 1, 0), rw|2<<24, nil) }},

		// Share (no flag, no parent): the first map entry only.
		{name: "share", what: "2 pages of a 2-page allocation",
			xnu: "KERN_SUCCESS, size 0x2000, entry 2 pages", cite: srcMMEShare,
			run: func(t *testing.T, c *entryEnv) string { return makeEntry(t, c, 2*page, c.alloc(t, 2, 0), rw, nil) }},
		{name: "share_writes_through", what: "the entry is the memory itself: a write through a mapping of it shows in the allocation",
			xnu: "KERN_SUCCESS; allocation reads 9", cite: srcMMEShare + " (shares the object)",
			run: func(t *testing.T, c *entryEnv) string {
				a := c.alloc(t, 1, 0)
				me, _, err := c.m.MakeMemoryEntry(page, a, rw, nil)
				if err != nil {
					return kr(err)
				}
				defer me.Release()
				b, err := c.m.MapMemory(0, page, vm.MapOptions{Flags: vm.FlagsAnywhere, Entry: me, Cur: vm.ProtDefault, Max: vm.ProtDefault})
				if err != nil {
					return kr(err)
				}
				c.store(t, c.m, b, 9)
				return fmt.Sprintf("KERN_SUCCESS; allocation reads %d", c.load(t, c.m, a))
			}},
		{name: "share_spans_entries", what: "3 pages over two map entries (rw-, then r--), asking r--: only the first entry",
			xnu: "KERN_SUCCESS, size 0x2000, entry 2 pages", cite: srcMMEShare + " (vmkf_copy_single_object), " + srcExtract,
			run: func(t *testing.T, c *entryEnv) string {
				return makeEntry(t, c, 3*page, c.twoEntries(t), vm.MemEntryFlags(vm.ProtRead), nil)
			}},
		{name: "share_longer_than_mapping", what: "4 pages from a 2-page allocation followed by unmapped space: only what is mapped",
			xnu: "KERN_SUCCESS, size 0x2000, entry 2 pages", cite: srcExtract + " (single object: stops after the first entry)",
			run: func(t *testing.T, c *entryEnv) string {
				a, _ := c.m.Allocate(free, 2*page, vm.FlagsFixed)
				return makeEntry(t, c, 4*page, a, rw, nil)
			}},
		{name: "share_unmapped", what: "an unmapped address",
			xnu: "KERN_INVALID_ADDRESS", cite: srcExtract,
			run: func(t *testing.T, c *entryEnv) string { return makeEntry(t, c, page, free, rw, nil) }},
		{name: "share_address_zero", what: "address 0, below the map",
			xnu: "KERN_INVALID_ADDRESS", cite: srcExtract,
			run: func(t *testing.T, c *entryEnv) string { return makeEntry(t, c, page, 0, rw, nil) }},
		{name: "share_size_zero", what: "size 0",
			xnu: "KERN_INVALID_ARGUMENT", cite: srcMMEShare,
			run: func(t *testing.T, c *entryEnv) string { return makeEntry(t, c, 0, c.alloc(t, 1, 0), rw, nil) }},
		{name: "share_wraps", what: "offset 0xffff_ffff_ffff_f000, 2 pages",
			xnu: "KERN_INVALID_ARGUMENT", cite: "vm_sanitize.c `vm_sanitize_addr_size`",
			run: func(t *testing.T, c *entryEnv) string { return makeEntry(t, c, 2*page, lastPage, rw, nil) }},
		{name: "share_rounds_to_zero", what: "offset 0xffff_ffff_ffff_e000, 0x1001 bytes: the end rounds to 0",
			xnu: "KERN_INVALID_ARGUMENT", cite: "vm_sanitize.c `vm_sanitize_addr_size`",
			run: func(t *testing.T, c *entryEnv) string { return makeEntry(t, c, page+1, lastPage-page, rw, nil) }},
		{name: "share_above_map", what: "offset 0xffff_ffff_ffff_e000, 1 page: a valid range above the map",
			xnu: "KERN_INVALID_ADDRESS", cite: srcExtract,
			run: func(t *testing.T, c *entryEnv) string { return makeEntry(t, c, page, lastPage-page, rw, nil) }},
		{name: "share_unaligned", what: "offset +0x10, 1 page: the page range, 2 pages",
			xnu: "KERN_SUCCESS, size 0x2000, entry 2 pages", cite: srcMMEShare,
			run: func(t *testing.T, c *entryEnv) string { return makeEntry(t, c, page, c.alloc(t, 2, 0)+0x10, rw, nil) }},
		{name: "share_use_data_addr", what: "offset +0x10, 1 page, MAP_MEM_USE_DATA_ADDR: the size counts from the data",
			xnu: "KERN_SUCCESS, size 0x1ff0, entry 2 pages", cite: srcMMEShare + " (data_offset); test `mach_vm_map_unaligned`",
			run: func(t *testing.T, c *entryEnv) string {
				return makeEntry(t, c, page, c.alloc(t, 2, 0)+0x10, rw|vm.MapMemUseDataAddr, nil)
			}},
		{name: "share_4k_data_addr", what: "offset +0x10, 1 page, MAP_MEM_4K_DATA_ADDR: the data offset truncated to 4 KiB, 0",
			xnu: "KERN_SUCCESS, size 0x2000, entry 2 pages", cite: "vm_memory_entry.c `vm_memory_entry_get_offset_in_page`",
			run: func(t *testing.T, c *entryEnv) string {
				return makeEntry(t, c, page, c.alloc(t, 2, 0)+0x10, rw|vm.MapMem4KDataAddr, nil)
			}},
		{name: "share_prot_above", what: "rw- of read-only memory",
			xnu: "KERN_PROTECTION_FAILURE", cite: srcExtract + " (required_cur_prot)",
			run: func(t *testing.T, c *entryEnv) string {
				a := c.alloc(t, 1, 0)
				c.m.Protect(a, page, false, vm.ProtRead)
				return makeEntry(t, c, page, a, rw, nil)
			}},
		{name: "share_max_below", what: "r-- of memory whose maximum protection is --- (current ---)",
			xnu: "KERN_PROTECTION_FAILURE", cite: srcExtract + " (required_max_prot)",
			run: func(t *testing.T, c *entryEnv) string {
				a := c.alloc(t, 1, 0)
				c.m.Protect(a, page, true, vm.ProtNone)
				return makeEntry(t, c, page, a, vm.MemEntryFlags(vm.ProtRead), nil)
			}},
		{name: "share_is_mask", what: "rw- with VM_PROT_IS_MASK of read-only memory: an r-- entry (vm_map with rw- then fails)",
			xnu: "KERN_SUCCESS, size 0x1000, entry 1 pages; vm_map rw-: KERN_INVALID_RIGHT", cite: srcMMEShare + " (mask_protections)",
			run: func(t *testing.T, c *entryEnv) string {
				a := c.alloc(t, 1, 0)
				c.m.Protect(a, page, false, vm.ProtRead)
				me, n, err := c.m.MakeMemoryEntry(page, a, rw|vm.MemEntryFlags(vm.ProtIsMask), nil)
				if err != nil {
					return kr(err)
				}
				defer me.Release()
				_, err = c.m.MapMemory(0, page, vm.MapOptions{Flags: vm.FlagsAnywhere, Entry: me, Cur: vm.ProtDefault, Max: vm.ProtDefault})
				return fmt.Sprintf("KERN_SUCCESS, size %#x, entry %d pages; vm_map rw-: %s", n, me.Size()/page, kr(err))
			}},
		{name: "share_is_mask_none", what: "rw- with VM_PROT_IS_MASK of memory protected ---",
			xnu: "KERN_PROTECTION_FAILURE", cite: srcMMEShare + " (\"no access at all: fail\")",
			run: func(t *testing.T, c *entryEnv) string {
				a := c.alloc(t, 1, 0)
				c.m.Protect(a, page, false, vm.ProtNone)
				return makeEntry(t, c, page, a, rw|vm.MemEntryFlags(vm.ProtIsMask), nil)
			}},
		{name: "share_submap", what: "memory in a nested submap",
			xnu: "KERN_SUCCESS, size 0x1000, entry 1 pages", cite: srcExtract + " (recurses into the submap)",
			differs: "tamach's nested maps are sealed shared regions whose entries a memory entry could change; it refuses them",
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
				return makeEntry(t, c, page, free, vm.MemEntryFlags(vm.ProtRead), nil)
			}},

		// MAP_MEM_VM_SHARE: the whole range, over several map entries.
		{name: "vm_share_spans_entries", what: "MAP_MEM_VM_SHARE, 3 pages over two map entries, r--",
			xnu: "KERN_SUCCESS, size 0x3000, entry 3 pages; reads 1 2 3", cite: srcMMEShare + " (is_copy)",
			run: func(t *testing.T, c *entryEnv) string {
				me, n, err := c.m.MakeMemoryEntry(3*page, c.twoEntries(t), vm.MapMemVMShare|vm.MemEntryFlags(vm.ProtRead), nil)
				if err != nil {
					return kr(err)
				}
				defer me.Release()
				return fmt.Sprintf("KERN_SUCCESS, size %#x, entry %d pages; %s", n, me.Size()/page, entryReads(t, c, me))
			}},
		{name: "vm_share_prot_second_entry", what: "MAP_MEM_VM_SHARE, rw- over two map entries whose second is r--",
			xnu: "KERN_PROTECTION_FAILURE", cite: srcExtract + " (\"VM range extraction\")",
			run: func(t *testing.T, c *entryEnv) string {
				return makeEntry(t, c, 3*page, c.twoEntries(t), vm.MapMemVMShare|rw, nil)
			}},
		{name: "vm_share_hole", what: "MAP_MEM_VM_SHARE over a hole",
			xnu: "KERN_INVALID_ADDRESS", cite: srcExtract,
			run: func(t *testing.T, c *entryEnv) string {
				a, _ := c.m.Allocate(free, 3*page, vm.FlagsFixed)
				c.m.Deallocate(a+page, page)
				return makeEntry(t, c, 3*page, a, vm.MapMemVMShare|rw, nil)
			}},
		{name: "vm_share_longer_than_mapping", what: "MAP_MEM_VM_SHARE, 4 pages from a 2-page allocation",
			xnu: "KERN_INVALID_ADDRESS", cite: srcExtract,
			run: func(t *testing.T, c *entryEnv) string {
				a, _ := c.m.Allocate(free, 2*page, vm.FlagsFixed)
				return makeEntry(t, c, 4*page, a, vm.MapMemVMShare|rw, nil)
			}},

		// MAP_MEM_VM_COPY.
		{name: "vm_copy", what: "MAP_MEM_VM_COPY of 2 pages, then the allocation is written: the entry keeps the old data",
			xnu: "KERN_SUCCESS, size 0x2000, entry 2 pages; reads 1 2", cite: srcMMECopy + " (vm_map_copyin_internal)",
			run: func(t *testing.T, c *entryEnv) string {
				a := c.alloc(t, 2, 0)
				me, n, err := c.m.MakeMemoryEntry(2*page, a, vm.MapMemVMCopy|rw, nil)
				if err != nil {
					return kr(err)
				}
				defer me.Release()
				c.store(t, c.m, a, 7)
				return fmt.Sprintf("KERN_SUCCESS, size %#x, entry %d pages; %s", n, me.Size()/page, entryReads(t, c, me))
			}},
		{name: "vm_copy_spans_entries", what: "MAP_MEM_VM_COPY, 3 pages over two map entries: the whole range",
			xnu: "KERN_SUCCESS, size 0x3000, entry 3 pages; reads 1 2 3", cite: srcMMECopy + " (entry-list copy)",
			run: func(t *testing.T, c *entryEnv) string {
				me, n, err := c.m.MakeMemoryEntry(3*page, c.twoEntries(t), vm.MapMemVMCopy|rw, nil)
				if err != nil {
					return kr(err)
				}
				defer me.Release()
				return fmt.Sprintf("KERN_SUCCESS, size %#x, entry %d pages; %s", n, me.Size()/page, entryReads(t, c, me))
			}},
		{name: "vm_copy_untouched", what: "MAP_MEM_VM_COPY of memory never touched, mapped shared twice: each mapping is new memory",
			xnu: "KERN_SUCCESS; second mapping reads 0", cite: "vm_map.c `vm_map_copyin_internal` (no object), " + srcEnterMemObj + " (is_copy, copy_object NULL)",
			differs: "tamach gives untouched memory in a MAP_MEM_VM_COPY entry an object too, so that every mapping of an entry " +
				"shares all of it; whether memory was touched is not something a task sees otherwise",
			tamach: "KERN_SUCCESS; second mapping reads 9",
			run: func(t *testing.T, c *entryEnv) string {
				a, _ := c.m.Allocate(0, page, vm.FlagsAnywhere)
				me, _, err := c.m.MakeMemoryEntry(page, a, vm.MapMemVMCopy|rw, nil)
				if err != nil {
					return kr(err)
				}
				defer me.Release()
				o := vm.MapOptions{Flags: vm.FlagsAnywhere, Entry: me, Cur: vm.ProtDefault, Max: vm.ProtDefault}
				b1, _ := c.m.MapMemory(0, page, o)
				b2, _ := c.m.MapMemory(0, page, o)
				c.store(t, c.m, b1, 9)
				return fmt.Sprintf("KERN_SUCCESS; second mapping reads %d", c.load(t, c.m, b2))
			}},
		{name: "vm_copy_shared_mappings", what: "MAP_MEM_VM_COPY of written memory, mapped shared twice: the mappings share the copy",
			xnu: "KERN_SUCCESS; second mapping reads 9", cite: srcEnterMemObj + " (is_copy: the copy entry's object is shadowed once and shared)",
			run: func(t *testing.T, c *entryEnv) string {
				a := c.alloc(t, 1, 0)
				me, _, err := c.m.MakeMemoryEntry(page, a, vm.MapMemVMCopy|rw, nil)
				if err != nil {
					return kr(err)
				}
				defer me.Release()
				o := vm.MapOptions{Flags: vm.FlagsAnywhere, Entry: me, Cur: vm.ProtDefault, Max: vm.ProtDefault}
				b1, _ := c.m.MapMemory(0, page, o)
				b2, _ := c.m.MapMemory(0, page, o)
				c.store(t, c.m, b1, 9)
				return fmt.Sprintf("KERN_SUCCESS; second mapping reads %d", c.load(t, c.m, b2))
			}},
		{name: "vm_copy_hole", what: "MAP_MEM_VM_COPY over a hole",
			xnu: "KERN_INVALID_ADDRESS", cite: "vm_map.c `vm_map_copyin_internal`",
			run: func(t *testing.T, c *entryEnv) string {
				a, _ := c.m.Allocate(free, 3*page, vm.FlagsFixed)
				c.m.Deallocate(a+page, page)
				return makeEntry(t, c, 3*page, a, vm.MapMemVMCopy|rw, nil)
			}},
		{name: "vm_copy_unreadable", what: "MAP_MEM_VM_COPY of memory protected ---",
			xnu: "KERN_PROTECTION_FAILURE", cite: "vm_map.c `vm_map_copyin_internal` (VM_PROT_READ)",
			run: func(t *testing.T, c *entryEnv) string {
				a := c.alloc(t, 1, 0)
				c.m.Protect(a, page, false, vm.ProtNone)
				return makeEntry(t, c, page, a, vm.MapMemVMCopy|rw, nil)
			}},
		{name: "vm_copy_any_prot", what: "MAP_MEM_VM_COPY with rwx of read-only memory: a copy may have any protection",
			xnu: "KERN_SUCCESS, size 0x1000, entry 1 pages", cite: srcMMECopy + " (no protection check)",
			run: func(t *testing.T, c *entryEnv) string {
				a := c.alloc(t, 1, 0)
				c.m.Protect(a, page, false, vm.ProtRead)
				return makeEntry(t, c, page, a, vm.MapMemVMCopy|vm.MemEntryFlags(vm.ProtAll), nil)
			}},
		{name: "vm_copy_size_zero", what: "MAP_MEM_VM_COPY, size 0",
			xnu: "KERN_INVALID_ARGUMENT", cite: srcMMECopy,
			run: func(t *testing.T, c *entryEnv) string {
				return makeEntry(t, c, 0, c.alloc(t, 1, 0), vm.MapMemVMCopy|rw, nil)
			}},
		{name: "vm_copy_use_data_addr", what: "MAP_MEM_VM_COPY|MAP_MEM_USE_DATA_ADDR at +0x800, 0x1000 bytes",
			xnu: "KERN_SUCCESS, size 0x1800, entry 2 pages", cite: srcMMECopy + " (data_offset)",
			run: func(t *testing.T, c *entryEnv) string {
				return makeEntry(t, c, page, c.alloc(t, 2, 0)+0x800, vm.MapMemVMCopy|vm.MapMemUseDataAddr|rw, nil)
			}},

		// MAP_MEM_NAMED_CREATE.
		{name: "named_create", what: "MAP_MEM_NAMED_CREATE of 1 byte: one page",
			xnu: "KERN_SUCCESS, size 0x1000, entry 1 pages", cite: srcMMECreate,
			run: func(t *testing.T, c *entryEnv) string { return makeEntry(t, c, 1, 0, vm.MapMemNamedCreate|rw, nil) }},
		{name: "named_create_size_zero", what: "MAP_MEM_NAMED_CREATE, size 0: success with no entry",
			xnu: "KERN_SUCCESS, no entry, size 0x0", cite: srcMMECreate + " (VM_SANITIZE_UNSAFE_IS_ZERO)",
			run: func(t *testing.T, c *entryEnv) string { return makeEntry(t, c, 0, 0, vm.MapMemNamedCreate|rw, nil) }},
		{name: "named_create_unaligned", what: "MAP_MEM_NAMED_CREATE at offset 0x800, 0x1000 bytes: the page range, 2 pages",
			xnu: "KERN_SUCCESS, size 0x2000, entry 2 pages", cite: srcMMECreate + " (map_size from the range)",
			run: func(t *testing.T, c *entryEnv) string {
				return makeEntry(t, c, page, 0x800, vm.MapMemNamedCreate|rw, nil)
			}},
		{name: "named_create_wraps", what: "MAP_MEM_NAMED_CREATE at offset 0xffff_ffff_ffff_f000, 2 pages",
			xnu: "KERN_INVALID_ARGUMENT", cite: "vm_sanitize.c `vm_sanitize_addr_size`",
			run: func(t *testing.T, c *entryEnv) string {
				return makeEntry(t, c, 2*page, lastPage, vm.MapMemNamedCreate|rw, nil)
			}},
		{name: "named_create_too_large", what: "MAP_MEM_NAMED_CREATE of 2^45 bytes, above ANON_MAX_SIZE",
			xnu: "KERN_FAILURE", cite: srcMMECreate + " (ANON_MAX_SIZE)",
			run: func(t *testing.T, c *entryEnv) string { return makeEntry(t, c, 1<<45, 0, vm.MapMemNamedCreate|rw, nil) }},
		{name: "named_create_data_addr", what: "MAP_MEM_NAMED_CREATE|MAP_MEM_USE_DATA_ADDR",
			xnu: "KERN_INVALID_ARGUMENT", cite: srcMMECreate,
			run: func(t *testing.T, c *entryEnv) string {
				return makeEntry(t, c, page, 0, vm.MapMemNamedCreate|vm.MapMemUseDataAddr|rw, nil)
			}},
		{name: "named_create_over_vm_copy", what: "MAP_MEM_NAMED_CREATE|MAP_MEM_VM_COPY at an unmapped offset: create wins",
			xnu: "KERN_SUCCESS, size 0x1000, entry 1 pages", cite: srcMMEInternal + " (dispatch order)",
			run: func(t *testing.T, c *entryEnv) string {
				return makeEntry(t, c, page, free, vm.MapMemNamedCreate|vm.MapMemVMCopy|rw, nil)
			}},
		{name: "named_create_purgable", what: "MAP_MEM_NAMED_CREATE|MAP_MEM_PURGABLE: a purgeable object",
			xnu: "KERN_SUCCESS, VM_PURGABLE_NONVOLATILE", cite: srcMMECreate,
			run: func(t *testing.T, c *entryEnv) string {
				me, _, err := c.m.MakeMemoryEntry(page, 0, vm.MapMemNamedCreate|vm.MapMemPurgable|rw, nil)
				if err != nil {
					return kr(err)
				}
				defer me.Release()
				st, err := me.PurgableControl(vm.PurgableGetState, 0)
				if err != nil {
					return kr(err)
				}
				return "KERN_SUCCESS, " + st.String()
			}},
		{name: "named_create_purgable_read_only", what: "MAP_MEM_NAMED_CREATE|MAP_MEM_PURGABLE with r--",
			xnu: "KERN_INVALID_ARGUMENT", cite: srcMMECreate + " (\"if we can't write, we can't purge\")",
			run: func(t *testing.T, c *entryEnv) string {
				return makeEntry(t, c, page, 0, vm.MapMemNamedCreate|vm.MapMemPurgable|vm.MemEntryFlags(vm.ProtRead), nil)
			}},

		// MAP_MEM_ONLY.
		{name: "mem_only_no_parent", what: "MAP_MEM_ONLY without a parent",
			xnu: "KERN_INVALID_ARGUMENT", cite: srcMMEOnly,
			run: func(t *testing.T, c *entryEnv) string { return makeEntry(t, c, page, 0, vm.MapMemOnly|rw, nil) }},
		{name: "mem_only", what: "MAP_MEM_ONLY with caching mode MAP_MEM_IO on a rw- parent: no entry, size unchanged",
			xnu: "KERN_SUCCESS, no entry, size 0x1234", cite: srcMMEOnly + "; vm_parameter_validation.c (\"should not change it\")",
			run: func(t *testing.T, c *entryEnv) string {
				return makeEntry(t, c, 0x1234, 0, vm.MapMemOnly|rw|2<<24, c.namedEntry(t, 1, vm.ProtDefault))
			}},
		{name: "mem_only_read_only_parent", what: "MAP_MEM_ONLY with a new caching mode on an r-- parent",
			xnu: "KERN_INVALID_RIGHT", cite: srcMMEOnly,
			run: func(t *testing.T, c *entryEnv) string {
				return makeEntry(t, c, page, 0, vm.MapMemOnly|vm.MemEntryFlags(vm.ProtRead)|2<<24, c.namedEntry(t, 1, vm.ProtRead))
			}},
		{name: "mem_only_data_addr", what: "MAP_MEM_ONLY|MAP_MEM_USE_DATA_ADDR with a parent",
			xnu: "KERN_INVALID_ARGUMENT", cite: srcMMEOnly,
			run: func(t *testing.T, c *entryEnv) string {
				return makeEntry(t, c, page, 0, vm.MapMemOnly|vm.MapMemUseDataAddr|rw, c.namedEntry(t, 1, vm.ProtDefault))
			}},
		{name: "mem_only_wraps", what: "MAP_MEM_ONLY, offset 0xffff_ffff_ffff_f000 and 2 pages: the range is still checked",
			xnu: "KERN_INVALID_ARGUMENT", cite: srcMMEOnly + " (\"backward compatibility\")",
			run: func(t *testing.T, c *entryEnv) string {
				return makeEntry(t, c, 2*page, lastPage, vm.MapMemOnly|rw, c.namedEntry(t, 1, vm.ProtDefault))
			}},

		// Parents.
		{name: "parent_range_backed", what: "a parent made with MAP_MEM_VM_COPY",
			xnu: "KERN_INVALID_ARGUMENT", cite: srcMMEInternal + "; test `vm_memory_entry_parent_copy`",
			run: func(t *testing.T, c *entryEnv) string {
				a := c.alloc(t, 1, 0)
				parent, _, err := c.m.MakeMemoryEntry(page, a, vm.MapMemVMCopy|rw, nil)
				if err != nil {
					t.Fatal(err)
				}
				defer parent.Release()
				return makeEntry(t, c, page, a, vm.MapMemVMCopy|rw, parent)
			}},
		{name: "parent_sub_range", what: "page 1 of a 3-page parent",
			xnu: "KERN_SUCCESS, size 0x1000, entry 1 pages; reads 2", cite: srcMMEParent,
			run: func(t *testing.T, c *entryEnv) string {
				me, n, err := c.m.MakeMemoryEntry(page, page, rw, c.namedEntry(t, 3, vm.ProtDefault))
				if err != nil {
					return kr(err)
				}
				defer me.Release()
				return fmt.Sprintf("KERN_SUCCESS, size %#x, entry %d pages; %s", n, me.Size()/page, entryReads(t, c, me))
			}},
		{name: "parent_beyond", what: "2 pages at offset 0x2000 of a 3-page parent",
			xnu: "KERN_INVALID_ARGUMENT", cite: srcMMEParent + "_sanitize (map_end > parent_entry->size)",
			run: func(t *testing.T, c *entryEnv) string {
				return makeEntry(t, c, 2*page, 2*page, rw, c.namedEntry(t, 3, vm.ProtDefault))
			}},
		{name: "parent_size_zero", what: "size 0 of a parent: an empty entry",
			xnu: "KERN_SUCCESS, size 0x0, entry 0 pages", cite: srcMMEParent + "_sanitize (SIZE_ZERO_FALLTHROUGH)",
			run: func(t *testing.T, c *entryEnv) string {
				return makeEntry(t, c, 0, page, rw, c.namedEntry(t, 3, vm.ProtDefault))
			}},
		{name: "parent_prot_above", what: "rw- of an r-- parent",
			xnu: "KERN_PROTECTION_FAILURE", cite: "test `vm_memory_entry_from_parent_entry_insufficient_permissions`",
			run: func(t *testing.T, c *entryEnv) string {
				return makeEntry(t, c, page, 0, rw, c.namedEntry(t, 1, vm.ProtRead))
			}},
		{name: "parent_is_mask", what: "rw- with VM_PROT_IS_MASK of an r-- parent: an r-- entry (vm_map with rw- then fails)",
			xnu: "KERN_SUCCESS; vm_map rw-: KERN_INVALID_RIGHT", cite: "test `vm_memory_entry_from_parent_entry_insufficient_permissions`",
			run: func(t *testing.T, c *entryEnv) string {
				me, _, err := c.m.MakeMemoryEntry(page, 0, rw|vm.MemEntryFlags(vm.ProtIsMask), c.namedEntry(t, 1, vm.ProtRead))
				if err != nil {
					return kr(err)
				}
				defer me.Release()
				_, err = c.m.MapMemory(0, page, vm.MapOptions{Flags: vm.FlagsAnywhere, Entry: me, Cur: vm.ProtDefault, Max: vm.ProtDefault})
				return "KERN_SUCCESS; vm_map rw-: " + kr(err)
			}},
		{name: "parent_data_addr", what: "a child at 0x3000 (MAP_MEM_USE_DATA_ADDR) of a parent made at page 2 of an allocation: it maps page 5",
			xnu: "KERN_SUCCESS; reads 6", cite: "test `vm_memory_entry_parent` (x86_64: src + parent_offset + child_offset)",
			run: func(t *testing.T, c *entryEnv) string {
				a := c.alloc(t, 8, 0)
				parent, _, err := c.m.MakeMemoryEntry(6*page, a+2*page, rw, nil)
				if err != nil {
					t.Fatal(err)
				}
				defer parent.Release()
				me, _, err := c.m.MakeMemoryEntry(page, 3*page, rw|vm.MapMemUseDataAddr, parent)
				if err != nil {
					return kr(err)
				}
				defer me.Release()
				return "KERN_SUCCESS; " + entryReads(t, c, me)
			}},
		{name: "named_reuse", what: "MAP_MEM_NAMED_REUSE of a mapping of the whole parent: the parent itself",
			xnu: "KERN_SUCCESS, the parent", cite: srcMMEShare + " (\"re-use parent_entry\"); test `vm_memory_entry_named_reuse_parent`",
			run: func(t *testing.T, c *entryEnv) string { return namedReuse(t, c, 2, 0) }},
		{name: "named_reuse_other_range", what: "MAP_MEM_NAMED_REUSE of page 1 of a mapping of a 2-page parent: a new entry",
			xnu: "KERN_SUCCESS, a new entry", cite: srcMMEShare,
			run: func(t *testing.T, c *entryEnv) string { return namedReuse(t, c, 1, page) }},
		{name: "vm_share_ignores_parent", what: "MAP_MEM_VM_SHARE with a parent: the range of the map, not of the parent",
			xnu: "KERN_SUCCESS; reads 1", cite: srcMMEInternal + " (dispatch to _share)",
			run: func(t *testing.T, c *entryEnv) string {
				a := c.alloc(t, 1, 0)
				me, _, err := c.m.MakeMemoryEntry(page, a, vm.MapMemVMShare|rw, c.namedEntry(t, 2, vm.ProtDefault))
				if err != nil {
					return kr(err)
				}
				defer me.Release()
				return "KERN_SUCCESS; " + entryReads(t, c, me)
			}},
	}
}

// namedReuse maps a 2-page parent whole and asks for an entry with
// MAP_MEM_NAMED_REUSE of pages pages of the mapping from off.
func namedReuse(t *testing.T, c *entryEnv, pages int, off uint64) string {
	parent := c.namedEntry(t, 2, vm.ProtDefault)
	a, err := c.m.MapMemory(0, 2*page, vm.MapOptions{Flags: vm.FlagsAnywhere, Entry: parent, Cur: vm.ProtDefault, Max: vm.ProtDefault})
	if err != nil {
		t.Fatal(err)
	}
	me, _, err := c.m.MakeMemoryEntry(uint64(pages)*page, a+vm.VAddr(off), vm.MapMemNamedReuse|vm.MemEntryFlags(vm.ProtDefault), parent)
	if err != nil {
		return kr(err)
	}
	defer me.Release()
	if me == parent {
		return "KERN_SUCCESS, the parent"
	}
	return "KERN_SUCCESS, a new entry"
}

// entryPurgable runs mach_memory_entry_purgable_control and formats the
// result as purgable does.
func entryPurgable(me *vm.MemoryEntry, control vm.PurgableControl, state vm.PurgableState) string {
	st, err := me.PurgableControl(control, state)
	if err != nil {
		return kr(err)
	}
	return "KERN_SUCCESS, " + st.String()
}

// purgeableEntry makes a MAP_MEM_NAMED_CREATE|MAP_MEM_PURGABLE entry of n
// pages with extra flags.
func (c *entryEnv) purgeableEntry(t *testing.T, n int, extra vm.MemEntryFlags) *vm.MemoryEntry {
	me, _, err := c.m.MakeMemoryEntry(uint64(n)*page, 0, vm.MapMemNamedCreate|vm.MapMemPurgable|vm.MemEntryFlags(vm.ProtDefault)|extra, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(me.Release)
	return me
}

func entryPurgableRows() []entryRow {
	const src = "vm_memory_entry.c `memory_entry_purgeable_control_internal`"
	return []entryRow{
		{name: "get", what: "GET on a MAP_MEM_PURGABLE entry",
			xnu: "KERN_SUCCESS, VM_PURGABLE_NONVOLATILE", cite: src,
			run: func(t *testing.T, c *entryEnv) string {
				return entryPurgable(c.purgeableEntry(t, 2, 0), vm.PurgableGetState, 0)
			}},
		{name: "set_volatile", what: "SET VOLATILE, then GET",
			xnu: "KERN_SUCCESS, VM_PURGABLE_NONVOLATILE; KERN_SUCCESS, VM_PURGABLE_VOLATILE", cite: src,
			run: func(t *testing.T, c *entryEnv) string {
				me := c.purgeableEntry(t, 2, 0)
				return entryPurgable(me, vm.PurgableSetState, vm.PurgableVolatile) + "; " + entryPurgable(me, vm.PurgableGetState, 0)
			}},
		{name: "read_only_entry", what: "SET VOLATILE through an r-- entry of a whole purgeable allocation: no write right needed",
			xnu: "KERN_SUCCESS, VM_PURGABLE_NONVOLATILE", cite: src + " (no protection check)",
			run: func(t *testing.T, c *entryEnv) string {
				a := c.alloc(t, 2, vm.FlagsPurgable)
				me, _, err := c.m.MakeMemoryEntry(2*page, a, vm.MemEntryFlags(vm.ProtRead), nil)
				if err != nil {
					t.Fatal(err)
				}
				defer me.Release()
				return entryPurgable(me, vm.PurgableSetState, vm.PurgableVolatile)
			}},
		{name: "part_of_object", what: "an entry of 1 page of a 2-page purgeable allocation",
			xnu: "KERN_INVALID_ARGUMENT", cite: src + " (\"check that named entry covers entire object\")",
			run: func(t *testing.T, c *entryEnv) string {
				a := c.alloc(t, 2, vm.FlagsPurgable)
				me, _, err := c.m.MakeMemoryEntry(page, a, vm.MemEntryFlags(vm.ProtDefault), nil)
				if err != nil {
					t.Fatal(err)
				}
				defer me.Release()
				return entryPurgable(me, vm.PurgableGetState, 0)
			}},
		{name: "range_backed", what: "a MAP_MEM_VM_SHARE entry of a whole purgeable allocation",
			xnu: "KERN_INVALID_ARGUMENT", cite: src + " (is_copy)",
			run: func(t *testing.T, c *entryEnv) string {
				a := c.alloc(t, 2, vm.FlagsPurgable)
				me, _, err := c.m.MakeMemoryEntry(2*page, a, vm.MapMemVMShare|vm.MemEntryFlags(vm.ProtDefault), nil)
				if err != nil {
					t.Fatal(err)
				}
				defer me.Release()
				return entryPurgable(me, vm.PurgableGetState, 0)
			}},
		{name: "not_purgeable", what: "GET on an ordinary MAP_MEM_NAMED_CREATE entry",
			xnu: "KERN_INVALID_ARGUMENT", cite: "vm_object.c `vm_object_purgable_control`",
			run: func(t *testing.T, c *entryEnv) string {
				return entryPurgable(c.namedEntry(t, 1, vm.ProtDefault), vm.PurgableGetState, 0)
			}},
		{name: "purge_all", what: "control VM_PURGABLE_PURGE_ALL",
			xnu: "KERN_INVALID_ARGUMENT", cite: src,
			run: func(t *testing.T, c *entryEnv) string {
				return entryPurgable(c.purgeableEntry(t, 1, 0), vm.PurgablePurgeAll, 0)
			}},
		{name: "from_kernel", what: "control VM_PURGABLE_SET_STATE_FROM_KERNEL",
			xnu: "KERN_INVALID_ARGUMENT", cite: "vm_memory_entry.c `mach_memory_entry_purgable_control`",
			run: func(t *testing.T, c *entryEnv) string {
				return entryPurgable(c.purgeableEntry(t, 1, 0), vm.PurgableSetStateFromKernel, vm.PurgableVolatile)
			}},
		{name: "state_unknown_bit", what: "SET with state bit 0x80",
			xnu: "KERN_INVALID_ARGUMENT", cite: src,
			run: func(t *testing.T, c *entryEnv) string {
				return entryPurgable(c.purgeableEntry(t, 1, 0), vm.PurgableSetState, vm.PurgableVolatile|0x80)
			}},
		{name: "kernel_only", what: "SET on a MAP_MEM_PURGABLE_KERNEL_ONLY entry, then GET",
			xnu: "KERN_PROTECTION_FAILURE; KERN_SUCCESS, VM_PURGABLE_NONVOLATILE", cite: "vm_object.c `vm_object_purgable_control` (purgeable_only_by_kernel)",
			run: func(t *testing.T, c *entryEnv) string {
				me := c.purgeableEntry(t, 1, vm.MapMemPurgableKernelOnly)
				return entryPurgable(me, vm.PurgableSetState, vm.PurgableVolatile) + "; " + entryPurgable(me, vm.PurgableGetState, 0)
			}},
		{name: "empty_mapping_reads_zero", what: "SET EMPTY through the entry: a mapping of it reads 0",
			xnu: "KERN_SUCCESS, VM_PURGABLE_NONVOLATILE; reads 0", cite: "vm_object.c `vm_object_purge`",
			run: func(t *testing.T, c *entryEnv) string {
				me := c.purgeableEntry(t, 1, 0)
				a, err := c.m.MapMemory(0, page, vm.MapOptions{Flags: vm.FlagsAnywhere, Entry: me, Cur: vm.ProtDefault, Max: vm.ProtDefault})
				if err != nil {
					t.Fatal(err)
				}
				c.store(t, c.m, a, 5)
				return entryPurgable(me, vm.PurgableSetState, vm.PurgableEmpty) + fmt.Sprintf("; reads %d", c.load(t, c.m, a))
			}},
	}
}
