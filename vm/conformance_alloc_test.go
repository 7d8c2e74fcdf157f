package vm_test

import (
	"github.com/tamach/tamach/vm"
	"github.com/tamach/tamach/vm/vmtest"
)

const (
	refAllocUser   = "vm_user.c mach_vm_allocate_external (VM_FLAGS_USER_ALLOCATE)"
	refAllocKernel = "vm_kern.c mach_vm_allocate_kernel_sanitize"
	refAllocCompat = "vm_sanitize_error_compat.c vm_sanitize_err_compat_addr_size_vm_allocate_fixed"
	refAllocFixed  = "vm_map.c vm_map_locate_space_fixed"
	refAllocAny    = "vm_map.c vm_map_locate_space_anywhere"
	refDealloc     = "vm_user.c mach_vm_deallocate, vm_sanitize.c vm_sanitize_addr_size"
	refDelete      = "vm_map.c vm_map_delete (VMDS_FOUND_GAP: guard exception, nothing removed)"
)

// allocate is the common shape of a vm_allocate row.
func allocate(addr vm.VAddr, size uint64, flags vm.Flags) func(*fx) error {
	return func(f *fx) error {
		_, err := f.m.Allocate(addr, size, flags)
		return err
	}
}

var _ = addTable(&confCall{call: "vm_allocate", api: "Map.Allocate", rows: []confRow{
	{name: "flag-resilient-codesign", what: "VM_FLAGS_RESILIENT_CODESIGN (not a user flag)", xnu: vm.KernInvalidArgument, ref: refAllocUser,
		run: allocate(0, page, vm.FlagsAnywhere|vm.FlagsResilientCodesign)},
	{name: "flag-return-data-addr", what: "VM_FLAGS_RETURN_DATA_ADDR (vm_map only)", xnu: vm.KernInvalidArgument, ref: refAllocUser,
		run: allocate(0, page, vm.FlagsAnywhere|vm.FlagsReturnDataAddr)},
	{name: "flag-unknown-bit", what: "flag bit 0x200 (unassigned)", xnu: vm.KernInvalidArgument, ref: refAllocUser,
		run: allocate(0, page, vm.FlagsAnywhere|0x200)},
	{name: "fixed-size0", what: "FIXED, size 0", xnu: vm.KernSuccess, ref: refAllocKernel + " (SIZE_ZERO_SUCCEEDS, address 0 returned)",
		run: func(f *fx) error {
			a, err := f.m.Allocate(hole, 0, vm.FlagsFixed)
			f.expect(a == 0 && !mapped(f.m, hole), "size 0 returned %v and mapped %v", a, mapped(f.m, hole))
			return err
		}},
	{name: "fixed-size0-last-page", what: "FIXED, size 0 in the last page", xnu: vm.KernSuccess, ref: refAllocKernel,
		run: allocate(lastPage, 0, vm.FlagsFixed)},
	{name: "anywhere-size0", what: "ANYWHERE, size 0", xnu: vm.KernSuccess, ref: refAllocKernel + " (vm_sanitize_size)",
		run: allocate(0, 0, vm.FlagsAnywhere)},
	{name: "fixed-size-rounds-to-0", what: "FIXED, size 2^64-1 (rounds to 0)", xnu: vm.KernInvalidArgument, ref: refAllocCompat + " (no rewrite when the size rounds to 0)",
		run: allocate(base, ^uint64(0), vm.FlagsFixed)},
	{name: "fixed-wraps", what: "FIXED, address+size wraps", xnu: vm.KernInvalidAddress, ref: refAllocCompat,
		run: allocate(lastPage, 2*page, vm.FlagsFixed)},
	{name: "fixed-end-in-last-page", what: "FIXED, end in the last page (rounds to 0)", xnu: vm.KernInvalidAddress, ref: refAllocCompat,
		run: allocate(lastPage, 1, vm.FlagsFixed)},
	{name: "fixed-below-min", what: "FIXED at 0, below the map's minimum", xnu: vm.KernInvalidAddress, ref: refAllocFixed,
		run: allocate(0, page, vm.FlagsFixed)},
	{name: "fixed-above-max", what: "FIXED at the map's maximum", xnu: vm.KernInvalidAddress, ref: refAllocFixed,
		run: allocate(userMax, page, vm.FlagsFixed)},
	{name: "fixed-straddles-max", what: "FIXED, range across the maximum", xnu: vm.KernInvalidAddress, ref: refAllocFixed,
		run: allocate(userMax-page, 2*page, vm.FlagsFixed)},
	{name: "fixed-in-use", what: "FIXED over mapped memory", xnu: vm.KernNoSpace, ref: "vm_map.c vm_map_enter (KERN_MEMORY_PRESENT without vmkf_already)",
		run: allocate(base, page, vm.FlagsFixed)},
	{name: "fixed-overwrite", what: "FIXED|OVERWRITE over mapped memory replaces it", xnu: vm.KernSuccess, ref: refAllocFixed + " (vmf_overwrite)",
		run: func(f *fx) error {
			a, err := f.m.Allocate(base, page, vm.FlagsFixed|vm.FlagsOverwrite)
			f.expect(a == base && f.load(f.cpu, base) == 0, "overwrite at %v kept the old data", a)
			return err
		}},
	{name: "fixed-unaligned-start", what: "FIXED at page+0x800, size 0x1000: the start is truncated first, one page", xnu: vm.KernSuccess,
		ref: refAllocKernel + " (VM_SANITIZE_FLAGS_REALIGN_START)",
		run: func(f *fx) error {
			a, err := f.m.Allocate(hole+0x800, 0x1000, vm.FlagsFixed)
			f.expect(a == hole && mapped(f.m, hole) && !mapped(f.m, hole+page), "got %v, second page mapped %v", a, mapped(f.m, hole+page))
			return err
		}},
	{name: "anywhere-ignores-address", what: "ANYWHERE with an address: searched from the bottom of the map", xnu: vm.KernSuccess,
		ref: refAllocKernel + " (the address is set to 0; x86 then starts at vmmap_high_start, arm64 at the minimum)",
		run: func(f *fx) error {
			a, err := f.m.Allocate(0x7000_0000, page, vm.FlagsAnywhere)
			f.expect(a == vmtest.UserMin, "placed at %v, want the map's minimum", a)
			return err
		}},
	{name: "anywhere-overwrite", what: "ANYWHERE|OVERWRITE: OVERWRITE has no effect", xnu: vm.KernSuccess, ref: "vm_map.c vm_map_enter (overwrite is for fixed only)",
		run: func(f *fx) error {
			a, err := f.m.Allocate(base, page, vm.FlagsAnywhere|vm.FlagsOverwrite)
			f.expect(a != base && f.load(f.cpu, base) == 1, "anywhere|overwrite replaced mapped memory at %v", a)
			return err
		}},
	{name: "anywhere-random", what: "ANYWHERE|RANDOM_ADDR", xnu: vm.KernSuccess, ref: refAllocAny + ", vm_map_random_address_for_size",
		run: func(f *fx) error {
			a, err := f.m.Allocate(0, 4*page, vm.FlagsAnywhere|vm.FlagsRandomAddr)
			f.expect(err != nil || mapped(f.m, a) && mapped(f.m, a+3*page), "random allocation at %v not mapped", a)
			return err
		}},
	{name: "anywhere-size-rounds-to-0", what: "ANYWHERE, size 2^64-1", xnu: vm.KernInvalidArgument, ref: "vm_sanitize.c vm_sanitize_size",
		run: allocate(0, ^uint64(0), vm.FlagsAnywhere)},
	{name: "anywhere-too-big", what: "ANYWHERE, size above the map's", xnu: vm.KernNoSpace, ref: "vm_map.c vm_map_enter (vm_map_is_map_size_valid)",
		run: allocate(0, 1<<50, vm.FlagsAnywhere)},
	{name: "superpage", what: "VM_FLAGS_SUPERPAGE_SIZE_ANY", xnu: vm.KernInvalidArgument, ref: "vm_map.c vm_map_enter (superpage_size: arm64 has none; x86 maps 2 MiB pages)",
		run: allocate(0, page, vm.FlagsAnywhere|0x10000)},
	{name: "purgable", what: "ANYWHERE|PURGABLE makes a purgable object", xnu: vm.KernSuccess, ref: "vm_map.c vm_map_enter (vmf_purgeable)",
		run: func(f *fx) error {
			a, err := f.m.Allocate(0, page, vm.FlagsAnywhere|vm.FlagsPurgable)
			st, perr := f.m.PurgableControl(a, vm.PurgableGetState, 0)
			f.expect(perr == nil && st == vm.PurgableNonvolatile, "state %v, %v", st, perr)
			return err
		}},
	{name: "alias-tag", what: "VM_MAKE_TAG(0x42) is the region's user tag", xnu: vm.KernSuccess, ref: "vm_statistics.h VM_FLAGS_ALIAS_MASK",
		run: func(f *fx) error {
			a, err := f.m.Allocate(0, page, vm.FlagsAnywhere|0x42<<24)
			f.expect(f.region(f.m, a, vm.FlavorExtendedInfo).Extended.UserTag == 0x42, "user tag lost")
			return err
		}},
	{name: "accepted-flags", what: "4GB_CHUNK|NO_CACHE|PERMANENT|TPRO are accepted", xnu: vm.KernSuccess, ref: refAllocUser,
		run: allocate(0, page, vm.FlagsAnywhere|vm.Flags4GBChunk|vm.FlagsNoCache|vm.FlagsPermanent|vm.FlagsTPRO)},
}})

// deallocate is the common shape of a vm_deallocate row.
func deallocate(addr vm.VAddr, size uint64) func(*fx) error {
	return func(f *fx) error { return f.m.Deallocate(addr, size) }
}

var _ = addTable(&confCall{call: "vm_deallocate", api: "Map.Deallocate", rows: []confRow{
	{name: "size0", what: "size 0", xnu: vm.KernSuccess, ref: refDealloc + " (SIZE_ZERO_SUCCEEDS)", run: deallocate(base, 0)},
	{name: "size0-last-page", what: "size 0 in the last page", xnu: vm.KernSuccess, ref: refDealloc, run: deallocate(lastPage, 0)},
	{name: "wraps", what: "address+size wraps", xnu: vm.KernInvalidArgument, ref: refDealloc + " (compat only telemeters)", run: deallocate(base, ^uint64(0))},
	{name: "end-in-last-page", what: "end in the last page (rounds to 0)", xnu: vm.KernInvalidArgument, ref: refDealloc, run: deallocate(lastPage, 1)},
	{name: "hole-inside", what: "a range with a hole: the mapped parts go", xnu: vm.KernSuccess, ref: "vm_map.c vm_map_delete",
		run: func(f *fx) error {
			err := f.m.Deallocate(base+7*page, 4*page)
			f.expect(!mapped(f.m, base+7*page) && !mapped(f.m, after) && mapped(f.m, after+page), "wrong pages removed")
			return err
		}},
	{name: "below-min", what: "a range starting below the map's minimum: nothing removed", xnu: vm.KernSuccess, ref: refDelete,
		run: func(f *fx) error {
			err := f.m.Deallocate(0, uint64(base)+page)
			f.expect(mapped(f.m, base), "memory removed")
			return err
		}},
	{name: "above-max", what: "a range across the map's maximum: nothing removed", xnu: vm.KernSuccess, ref: refDelete,
		run: func(f *fx) error {
			f.must(f.m.Allocate(userMax-page, page, vm.FlagsFixed))
			err := f.m.Deallocate(userMax-page, 2*page)
			f.expect(mapped(f.m, userMax-page), "memory removed")
			return err
		}},
	{name: "outside-map", what: "a range wholly above the map", xnu: vm.KernSuccess, ref: refDelete, run: deallocate(userMax, page)},
	{name: "unaligned", what: "0x10 bytes at page+0x10 remove the page", xnu: vm.KernSuccess, ref: "vm_sanitize.c vm_sanitize_addr_size (trunc/round)",
		run: func(f *fx) error {
			err := f.m.Deallocate(base+0x10, 0x10)
			f.expect(!mapped(f.m, base) && mapped(f.m, base+page), "page not removed")
			return err
		}},
}})
