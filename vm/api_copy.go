package vm

import "fmt"

// The calls that move data between maps through a Copy (vm_map_copy_t).
//
// Ownership of a Copy, the one rule: a Copy belongs to whoever holds it
// until it is handed to a call that takes a Copy (CopyOut, CopyOverwrite,
// Write) or discarded (Discard). A call that takes a Copy consumes it
// whatever it returns: on success its data is in place, on failure it is
// discarded for the caller. This is what a task sees of XNU's vm_write
// and of out-of-line data in a message: MIG destroys the request's copy
// when the call fails (XNU's internal vm_map_copy_overwrite and
// vm_map_copyout leave a failed copy to their caller, which discards it:
// vm_user.c mach_vm_copy, mach_vm_read_list). A Copy nobody consumed or
// discarded holds object references and pages: System.Check reports it as
// a leak, naming the call that made it.

// CopyIn is vm_map_copyin: it takes a copy of [addr, addr+size) (which
// must be mapped and readable), and with destroy removes the range from m.
// size 0 gives an empty copy. Range errors are KERN_INVALID_ADDRESS
// (vm_map_copyin's historical code, kept by XNU's
// vm_sanitize_err_compat_addr_size_vm_map_copyio), a range crossing 2^48
// included; an unmapped range is KERN_INVALID_ADDRESS, an unreadable one
// KERN_PROTECTION_FAILURE.
func (m *Map) CopyIn(addr VAddr, size uint64, destroy bool) (*Copy, error) {
	m.sys.mu.Lock()
	defer m.sys.mu.Unlock()
	if destroy && m.sealed() {
		return nil, KernInvalidArgument
	}
	return m.copyin(addr, size, destroy, "vm_map_copyin")
}

// CopyOut is vm_map_copyout: it inserts c anywhere in m and returns the
// address of the data (which keeps the copy's offset within its first
// page). It consumes c, whatever it returns.
func (m *Map) CopyOut(c *Copy) (VAddr, error) {
	if c == nil || c.sys != m.sys {
		return 0, KernInvalidArgument
	}
	m.sys.mu.Lock()
	defer m.sys.mu.Unlock()
	if m.sealed() {
		c.discard()
		return 0, KernInvalidArgument
	}
	at, err := m.copyout(c)
	if err != nil {
		c.discard()
	}
	return at, err
}

// CopyOverwrite is vm_map_copy_overwrite: it writes c over [addr,
// addr+c.Size()), which must be mapped and writable; only those bytes
// change. It consumes c, whatever it returns. An empty copy succeeds
// without looking at the destination, as XNU's null copy does.
func (m *Map) CopyOverwrite(addr VAddr, c *Copy) error {
	if c == nil || c.sys != m.sys {
		return KernInvalidArgument
	}
	m.sys.mu.Lock()
	defer m.sys.mu.Unlock()
	if m.sealed() {
		c.discard()
		return KernInvalidArgument
	}
	err := m.copyOverwrite(addr, c)
	if err != nil {
		c.discard()
	}
	return err
}

// Copy is vm_copy (mach_vm_copy): it copies [src, src+size) over [dst,
// dst+size) of the same map, copy-on-write where it can. As XNU does, the
// source is copied in first (its errors come first: KERN_INVALID_ADDRESS
// for a bad or unmapped range, KERN_PROTECTION_FAILURE for an unreadable
// one), then written over the destination (KERN_INVALID_ADDRESS,
// KERN_PROTECTION_FAILURE for an unwritable one); size 0 succeeds. The
// ranges may overlap. A failed call changes nothing visible.
func (m *Map) Copy(src VAddr, size uint64, dst VAddr) error {
	m.sys.mu.Lock()
	defer m.sys.mu.Unlock()
	if m.sealed() {
		return KernInvalidArgument
	}
	if err := m.precheckCopy(m, src, size, dst); err != nil {
		return err
	}
	c, err := m.copyin(src, size, false, "vm_copy")
	if err != nil {
		return err
	}
	if err := m.copyOverwrite(dst, c); err != nil {
		c.discard()
		return err
	}
	return nil
}

// precheckCopy returns the first error copying [src, src+size) of m over
// [dst, dst+size) of to would meet, in XNU's order (the source's, then
// the destination's), without changing anything: taking the copy marks
// the source copy-on-write and may split its entries, which a call that
// then fails on its destination must not leave behind.
func (m *Map) precheckCopy(to *Map, src VAddr, size uint64, dst VAddr) error {
	if size == 0 {
		return nil
	}
	r, err := m.sanitizeRange(uint64(src), size, callerCopyIO, checkAddrRange)
	if err != nil {
		return err
	}
	if err := m.checkReadable(r.start, r.end); err != nil {
		return err
	}
	d, err := to.sanitizeRange(uint64(dst), size, callerCopyIO, checkAddrRange)
	if err != nil {
		return err
	}
	if d.start >= to.max {
		return KernInvalidAddress
	}
	return to.checkWritable(d.start, d.end)
}

// maxReadSize is the largest vm_read: its size travels in a
// mach_msg_type_number_t (vm_user.c mach_vm_read).
const maxReadSize = 1<<32 - 1

// Read is vm_read (mach_vm_read): it returns a copy of [addr, addr+size)
// of m, which the caller inserts in its own map with CopyOut (the
// out-of-line data of Mach's reply) or reads with Copy.ReadAt. A size
// that does not fit in 32 bits is KERN_INVALID_ARGUMENT; otherwise as
// CopyIn.
func (m *Map) Read(addr VAddr, size uint64) (*Copy, error) {
	if size > maxReadSize {
		return nil, KernInvalidArgument
	}
	m.sys.mu.Lock()
	defer m.sys.mu.Unlock()
	return m.copyin(addr, size, false, "vm_read")
}

// ReadOverwrite is vm_read_overwrite: it copies [addr, addr+size) of m
// over [data, data+size) of dst, the caller's map, and returns the bytes
// copied. The source is copied in first, as in XNU (its errors come
// first), then written over the destination; size 0 succeeds.
func (m *Map) ReadOverwrite(addr VAddr, size uint64, dst *Map, data VAddr) (uint64, error) {
	if dst == nil || dst.sys != m.sys {
		return 0, KernInvalidArgument
	}
	m.sys.mu.Lock()
	defer m.sys.mu.Unlock()
	if dst.sealed() {
		return 0, KernInvalidArgument
	}
	if err := m.precheckCopy(dst, addr, size, data); err != nil {
		return 0, err
	}
	c, err := m.copyin(addr, size, false, "vm_read_overwrite")
	if err != nil {
		return 0, err
	}
	if err := dst.copyOverwrite(data, c); err != nil {
		c.discard()
		return 0, err
	}
	return size, nil
}

// ReadListEntry is one element of vm_read_list's list.
type ReadListEntry struct {
	Address VAddr
	Size    uint64
}

// ReadList is vm_read_list (mach_vm_read_list): each element's range of m
// is copied into dst (the caller's map) and the element's Address
// replaced by where the copy now is. As XNU does, every element is tried:
// one of size 0, or whose copy fails, is zeroed (Address and Size 0) and
// the others go on; the result is that of the last element of non-zero
// size (KERN_SUCCESS if there is none). More than MaxReadList elements is
// KERN_INVALID_ARGUMENT.
func (m *Map) ReadList(list []ReadListEntry, dst *Map) error {
	if dst == nil || dst.sys != m.sys || len(list) > MaxReadList {
		return KernInvalidArgument
	}
	m.sys.mu.Lock()
	defer m.sys.mu.Unlock()
	if dst.sealed() {
		return KernInvalidArgument
	}
	var last error
	for i := range list {
		el := &list[i]
		if el.Size != 0 {
			last = m.readOne(el, dst)
			if last == nil {
				continue
			}
		}
		*el = ReadListEntry{}
	}
	return last
}

func (m *Map) readOne(el *ReadListEntry, dst *Map) error {
	c, err := m.copyin(el.Address, el.Size, false, "vm_read_list")
	if err != nil {
		return err
	}
	addr, err := dst.copyout(c)
	if err != nil {
		c.discard()
		return err
	}
	el.Address = addr
	return nil
}

// Write is vm_write: it writes the copy data over [addr,
// addr+data.Size()) of m, which must be mapped and writable. data is
// consumed, whatever Write returns.
func (m *Map) Write(addr VAddr, data *Copy) error { return m.CopyOverwrite(addr, data) }

// copyMadeBy describes the call that made a copy, for leak reports.
func copyMadeBy(call string, addr VAddr, size uint64) string {
	return fmt.Sprintf("%s of %#x bytes at %v", call, size, addr)
}
