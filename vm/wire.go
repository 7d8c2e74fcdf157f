package vm

import (
	"errors"

	"github.com/tamach/tamach/pmap"
)

// Wiring. An entry's pages are wired once, when its first wiring (kernel or
// user) is taken, and unwired when its last goes: the wire counts of the
// entry count wirings, each page's wire count counts wired entries mapping
// it. A writable entry is wired with write access, so its pages are
// private copies and no copy-on-write fault can replace a wired page; a
// read-only entry is wired with protCopy, which brings each page into the
// entry's first object for the same reason.

// Wire is vm_wire (mach_vm_wire): with access other than ProtNone it adds
// a user wiring to every entry in the page range covering [addr,
// addr+size), faulting the pages in; with ProtNone it removes one. In
// XNU's order (osfmk/vm/vm_user.c mach_vm_wire_external, osfmk/vm/vm_map.c
// vm_map_wire_impl, vm_map_wire_nested, vm_map_unwire_impl,
// vm_map_unwire_nested):
//
//   - size 0 succeeds; a range that wraps or whose end rounds past the
//     last page is KERN_INVALID_ARGUMENT;
//   - wiring: access with bits other than ProtAll is
//     KERN_INVALID_ARGUMENT;
//   - the range is cut to the map (VM_MAP_RANGE_CHECK): a range wholly
//     outside it succeeds and does nothing;
//   - an unmapped start is KERN_INVALID_ADDRESS;
//   - wiring, entry by entry in address order: a submap is
//     KERN_INVALID_ARGUMENT (nested maps are sealed here; XNU wires
//     through them), a hole after the entry KERN_INVALID_ADDRESS, access
//     not allowed KERN_PROTECTION_FAILURE, a wire count at MaxWireCount
//     KERN_FAILURE; a failed wiring is undone;
//   - unwiring: entries that hold no user wiring (never wired, or wired
//     by the kernel only) are skipped, and so are holes after the start:
//     unwiring memory that was never wired succeeds.
func (m *Map) Wire(addr VAddr, size uint64, access Prot) error {
	return m.wireCall(addr, size, access, true)
}

// WireKernel is Wire with the kernel's wire count (vm_map_wire with
// user_wire false), for memory the kernel itself must not fault on.
func (m *Map) WireKernel(addr VAddr, size uint64, access Prot) error {
	return m.wireCall(addr, size, access, false)
}

func (m *Map) wireCall(addr VAddr, size uint64, access Prot, user bool) error {
	r, err := m.sanitizeRange(uint64(addr), size, callerNone, zeroSucceeds)
	if err != nil || r.done {
		return err
	}
	if access&^ProtAll != 0 {
		return KernInvalidArgument
	}
	m.sys.mu.Lock()
	defer m.sys.mu.Unlock()
	if m.pmap == nil || m.sealed() {
		return KernInvalidArgument
	}
	start, end := m.clampToMap(r.start, r.end)
	if start == end {
		return nil
	}
	if _, ok := m.lookup(start); !ok {
		return KernInvalidAddress
	}
	if access == ProtNone {
		m.unwireRange(start, end, user)
		return nil
	}
	if err := m.checkWire(start, end, access.access(), user); err != nil {
		return err
	}
	return m.wireRange(start, end, user)
}

// checkWire validates a wiring of [start, end), whose start is mapped,
// entry by entry as vm_map_wire_nested meets them.
func (m *Map) checkWire(start, end VAddr, access pmap.Prot, user bool) error {
	var err error
	m.entriesIn(start, end, func(e *Entry) bool {
		count := *e.count(user)
		hole := e.end < end && (e.next == &m.header || e.next.start != e.end)
		switch {
		case e.submap != nil:
			err = KernInvalidArgument
		case hole:
			err = KernInvalidAddress
		case !e.prot.Allows(access):
			err = KernProtectionFailure
		case count == MaxWireCount:
			err = KernFailure
		}
		return err == nil
	})
	return err
}

// count returns the wire counter of e that user selects.
func (e *Entry) count(user bool) *uint16 {
	if user {
		return &e.userWiredCount
	}
	return &e.wiredCount
}

// wireRange adds a wiring to every entry of the validated range; if a page
// cannot be brought in, the wirings made so far are undone.
func (m *Map) wireRange(start, end VAddr, user bool) error {
	for e := m.clipRange(start, end); e != &m.header && e.start < end; e = e.next {
		if !e.wired() {
			if err := m.wirePages(e); err != nil {
				m.unwireRange(start, e.start, user)
				m.simplifyRange(start, end)
				return err
			}
		}
		*e.count(user)++
		m.timestamp++
	}
	m.simplifyRange(start, end)
	return nil
}

// wirePages faults in and wires every page of e; on failure it unwires the
// pages it wired.
func (m *Map) wirePages(e *Entry) error {
	access := e.prot&(ProtRead|ProtWrite) | protCopy
	for va := e.start; va < e.end; va += pmap.PageSize {
		if _, err := m.fault(va, access, true); err != nil {
			m.unwirePageRange(e, e.start, va)
			return err
		}
	}
	return nil
}

// unwireRange drops a wiring from every entry of [start, end).
func (m *Map) unwireRange(start, end VAddr, user bool) {
	if start >= end {
		return
	}
	for e := m.clipRange(start, end); e != &m.header && e.start < end; e = e.next {
		c := e.count(user)
		if *c == 0 {
			continue
		}
		*c--
		if !e.wired() {
			m.unwirePages(e)
		}
		m.timestamp++
	}
	m.simplifyRange(start, end)
}

// unwirePages unwires the pages of e.
func (m *Map) unwirePages(e *Entry) { m.unwirePageRange(e, e.start, e.end) }

// unwirePageRange unwires the pages of e in [start, end). A wired page is
// always resident in e's first object (see wirePages), so it is found
// there, whatever the pmap holds (vm_fault_unwire).
func (m *Map) unwirePageRange(e *Entry, start, end VAddr) {
	for va := start; va < end; va += pmap.PageSize {
		p := e.object.lookup(e.offset + uint64(va-e.start))
		if p == nil {
			panic("vm: Map.unwirePageRange: wired page not resident")
		}
		m.sys.pool.unwire(p)
		if err := m.pmap.SetWired(va, false); err != nil && !errors.Is(err, pmap.ErrNotMapped) {
			panic("vm: Map.unwirePageRange: pmap refused to unwire")
		}
	}
}

// rewireForWrite makes the mappings of a wired entry that just became
// writable writable, so that a wired page never faults: its pages are
// already private to its first object, so faulting them for write copies
// nothing and the wiring stays put. It is best effort, and Protect
// succeeds whatever happens here, as XNU's vm_map_protect does
// (osfmk/vm/vm_map.c), which lowers pmap protections and faults nothing
// in: a page whose fault fails (a mapping Protect(ProtNone) removed, whose
// page table cannot be allocated again for lack of frames) stays unmapped,
// and its next access faults it in like any other page. The other pages
// are still tried, since their page tables may exist.
func (m *Map) rewireForWrite(e *Entry) {
	for va := e.start; va < e.end; va += pmap.PageSize {
		_, _ = m.fault(va, ProtWrite, false)
	}
}
