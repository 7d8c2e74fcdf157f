package vm

// Argument checks of the Mach VM calls, after XNU's vm_sanitize layer
// (osfmk/vm/vm_sanitize.c vm_sanitize_addr_size) and the per-call error
// rewrites that keep the codes each call returned before that layer
// existed (osfmk/vm/vm_sanitize_error_compat.c). Every call that takes an
// address and a size runs sanitizeRange first; what it does with the page
// range afterwards (look the entries up, clamp it to the map, ...) is the
// call's own, in api_*.go, with the XNU function it follows named beside
// each rule. docs/vm-conformance.md tabulates the results.

// rangeCaller names a call for the error rewrites of
// vm_sanitize_error_compat.c.
type rangeCaller uint8

const (
	callerNone             rangeCaller = iota // no rewrite
	callerAllocateFixed                       // VM_SANITIZE_CALLER_VM_ALLOCATE_FIXED
	callerProtect                             // VM_SANITIZE_CALLER_VM_MAP_PROTECT
	callerBehaviorSet                         // VM_SANITIZE_CALLER_VM_BEHAVIOR_SET
	callerMsync                               // VM_SANITIZE_CALLER_VM_MAP_MSYNC
	callerMachineAttribute                    // VM_SANITIZE_CALLER_VM_MAP_MACHINE_ATTRIBUTE
	callerCopyIO                              // vm_map_copyin, vm_map_copy_overwrite, vm_read, vm_write
	callerPageRangeInfo                       // VM_SANITIZE_CALLER_VM_MAP_PAGE_RANGE_INFO
)

// rangeFlags say how sanitizeRange treats a size of zero and whether it
// checks the 48-bit virtual address range (VM_SANITIZE_FLAGS_*).
type rangeFlags uint8

const (
	zeroSucceeds   rangeFlags = 1 << iota // size 0: the call succeeds at once
	zeroFails                             // size 0: KERN_INVALID_ARGUMENT
	checkAddrRange                        // the range may not cross bit 48 of the address
)

// vaRangeTop is the top of the 48-bit virtual address range
// (VM_SANITIZE_FLAGS_CHECK_ADDR_RANGE).
const vaRangeTop = 1 << 48

// sanitized is the outcome of sanitizeRange: the page range and, for a
// size of zero under zeroSucceeds, done (the call returns success now).
type sanitized struct {
	start, end VAddr
	done       bool
}

// sanitizeRange is vm_sanitize_addr_size: it validates [addr, addr+size)
// and widens it to whole pages. In order:
//
//   - size 0: done (zeroSucceeds), KERN_INVALID_ARGUMENT (zeroFails), or
//     the empty range at trunc_page(addr);
//   - addr+size wraps past 2^64: KERN_INVALID_ARGUMENT;
//   - round_page(addr+size) <= trunc_page(addr), which happens when the
//     end lies in the last page of the address space and rounds to 0:
//     KERN_INVALID_ARGUMENT;
//   - with checkAddrRange, a range crossing 2^48: KERN_INVALID_ADDRESS.
//
// An error is then rewritten as the caller's historical code (compat).
// Whether the range lies inside the map is the caller's question.
func (m *Map) sanitizeRange(addr, size uint64, caller rangeCaller, flags rangeFlags) (sanitized, error) {
	start := truncPage(addr)
	if size == 0 {
		switch {
		case flags&zeroSucceeds != 0:
			return sanitized{done: true}, nil
		case flags&zeroFails != 0:
			return sanitized{}, m.rangeCompat(KernInvalidArgument, addr, size, caller)
		}
		return sanitized{start: VAddr(start), end: VAddr(start)}, nil
	}
	end := addr + size
	if end < addr {
		return sanitized{}, m.rangeCompat(KernInvalidArgument, addr, size, caller)
	}
	rend := roundPage(end) // 0 when end is in the last page
	if rend <= start {
		return sanitized{}, m.rangeCompat(KernInvalidArgument, addr, size, caller)
	}
	if flags&checkAddrRange != 0 && addr/vaRangeTop != end/vaRangeTop && end != vaRangeTop {
		return sanitized{}, m.rangeCompat(KernInvalidAddress, addr, size, caller)
	}
	return sanitized{start: VAddr(start), end: VAddr(rend)}, nil
}

// rangeOverflows is vm_sanitize_range_overflows_allow_zero: the range
// wraps, or its page-rounded end is not above its truncated start.
func rangeOverflows(addr, size uint64) bool {
	if size == 0 {
		return false
	}
	end := addr + size
	return end < addr || roundPage(end) <= truncPage(addr)
}

// rangeCompat rewrites the error kr of sanitizeRange as XNU's
// vm_sanitize_error_compat.c does for caller.
func (m *Map) rangeCompat(kr KernReturn, addr, size uint64, caller rangeCaller) error {
	wraps := addr+size < addr
	switch caller {
	case callerAllocateFixed:
		// vm_allocate(VM_FLAGS_FIXED) historically returned
		// KERN_INVALID_ADDRESS for some invalid ranges.
		if rangeOverflows(addr, size) && roundPage(size) != 0 {
			return KernInvalidAddress
		}
	case callerProtect:
		// vm_protect: KERN_INVALID_ADDRESS unless the range wraps or
		// its page-aligned form overflows too (which, with one page
		// size, it always does: the rewrite never fires here).
		if rangeOverflows(addr, size) && !wraps {
			s, e := truncPage(addr), roundPage(addr+size)
			if !rangeOverflows(s, e-s) {
				return KernInvalidAddress
			}
		}
	case callerBehaviorSet:
		// vm_behavior_set: KERN_NO_SPACE for a range that leaves the
		// map (or whose rounded end wrapped), else KERN_INVALID_ADDRESS.
		if rangeOverflows(addr, size) && !wraps {
			s, e := VAddr(truncPage(addr)), VAddr(roundPage(addr+size))
			if s > e || s < m.min || e > m.max {
				return KernNoSpace
			}
			return KernInvalidAddress
		}
	case callerMachineAttribute:
		if rangeOverflows(addr, size) && !wraps {
			return KernInvalidAddress
		}
	case callerMsync, callerCopyIO, callerPageRangeInfo:
		// vm_msync, vm_map_copyin/copyout and vm_map_page_range_info
		// historically returned KERN_INVALID_ADDRESS.
		if rangeOverflows(addr, size) && kr == KernInvalidArgument {
			return KernInvalidAddress
		}
	}
	return kr
}

// clampToMap is VM_MAP_RANGE_CHECK (osfmk/vm/vm_map.c): the range cut to
// [min, max); a range wholly outside the map becomes empty.
func (m *Map) clampToMap(start, end VAddr) (VAddr, VAddr) {
	start, end = max(start, m.min), min(end, m.max)
	if start > end {
		start = end
	}
	return start, end
}

// rangeCheck is vm_map_range_check: start is mapped and the entries from
// there are contiguous up to end.
func (m *Map) rangeCheck(start, end VAddr) bool {
	if start < m.min || end > m.max || start > end {
		return false
	}
	return m.covered(start, end)
}
