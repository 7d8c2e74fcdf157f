package vm

import "github.com/tamach/tamach/pmap"

// Argument checks of vm_map, vm_remap and mach_make_memory_entry, after
// XNU's osfmk/vm/vm_sanitize.c. They run before anything is looked up, in
// the order each call lists them, so that a call with several bad
// arguments returns the code XNU returns.

// sizeZero says what a zero size means to sanitizeAddrSize
// (VM_SANITIZE_FLAGS_SIZE_ZERO_*).
type sizeZero uint8

const (
	sizeZeroFails       sizeZero = iota // KERN_INVALID_ARGUMENT
	sizeZeroFallthrough                 // an empty range at the page of addr
)

// sanitizeAddrSize is vm_sanitize_addr_size: size 0 as zero says;
// otherwise addr+size must not wrap, and its end rounded up to a page must
// lie above addr truncated to a page (a range that ends in the last page
// of the address space rounds to 0 and fails), else
// KERN_INVALID_ARGUMENT. It returns the page range. With realign
// (VM_SANITIZE_FLAGS_REALIGN_START) the end is computed from the truncated
// start, as vm_map and legacy vm_remap do: 0x1ff0+0x20 covers one page,
// not two.
func sanitizeAddrSize(addr, size uint64, zero sizeZero, realign bool) (start, end uint64, err error) {
	start = truncPage(addr)
	if size == 0 {
		if zero == sizeZeroFails {
			return 0, 0, KernInvalidArgument
		}
		return start, start, nil
	}
	from := addr
	if realign {
		from = start
	}
	last := from + size
	if last < from {
		return 0, 0, KernInvalidArgument
	}
	end = roundPage(last)
	if end <= start {
		return 0, 0, KernInvalidArgument
	}
	return start, end, nil
}

// sanitizeSize is vm_sanitize_size for a size with no address: 0, or one
// that rounds up to 0, is KERN_INVALID_ARGUMENT. It returns the size
// rounded to pages.
func sanitizeSize(size uint64) (uint64, error) {
	if size == 0 || roundPage(size) == 0 {
		return 0, KernInvalidArgument
	}
	return roundPage(size), nil
}

// sanitizeProts is vm_sanitize_cur_and_max_prots: cur, then max, with a
// bit outside VM_PROT_ALL and extra is KERN_INVALID_ARGUMENT; cur above
// max is KERN_INVALID_ARGUMENT too, unless rewrite (vm_map's error
// compatibility, vm_sanitize_err_compat_cur_and_max_prots_vm_map) lowers
// cur to max instead.
func sanitizeProts(cur, max, extra pmap.Prot, rewrite bool) (pmap.Prot, pmap.Prot, error) {
	if cur&^(ProtAll|extra) != 0 || max&^(ProtAll|extra) != 0 {
		return 0, 0, KernInvalidArgument
	}
	if cur&max&ProtAll != cur&ProtAll {
		if !rewrite {
			return 0, 0, KernInvalidArgument
		}
		cur &= max
	}
	return cur, max, nil
}

// sanitizeInherit is vm_sanitize_inherit: above VM_INHERIT_LAST_VALID
// (VM_INHERIT_NONE) is KERN_INVALID_ARGUMENT, VM_INHERIT_DONATE_COPY
// included.
func sanitizeInherit(i Inherit) error {
	if i > InheritNone {
		return KernInvalidArgument
	}
	return nil
}

// dataOffsetIn is the offset of the data in its page that
// VM_FLAGS_RETURN_DATA_ADDR adds to the address returned (with
// VM_FLAGS_RETURN_4K_DATA_ADDR truncated to 4 KiB, which is 0 with 4 KiB
// pages), or 0 without either flag.
func dataOffsetIn(off uint64, flags Flags) uint64 {
	switch {
	case flags&FlagsReturn4KDataAddr != 0:
		return off & pmap.PageMask &^ 0xFFF
	case flags&FlagsReturnDataAddr != 0:
		return off & pmap.PageMask
	}
	return 0
}
