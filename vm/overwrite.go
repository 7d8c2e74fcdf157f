package vm

import (
	"fmt"

	"github.com/tamach/tamach/pmap"
)

// copyOverwrite writes c over [addr, addr+c.size) of m
// (vm_map_copy_overwrite). The range must be mapped (KERN_INVALID_ADDRESS)
// and writable (KERN_PROTECTION_FAILURE). Only the bytes of the range
// change: the unaligned head and tail of the destination, in pages shared
// with bytes outside the range, are copied byte by byte, as XNU's
// vm_map_copy_overwrite copies its head and tail copies separately
// (osfmk/vm/vm_map.c). The whole pages in between are replaced when the
// copy and the destination share their offset within a page and the
// destination holds only private, unwired memory: the destination entries
// are pointed at the copy's objects (copy-on-write, nothing is copied);
// otherwise their bytes are copied too. It consumes c on success.
func (m *Map) copyOverwrite(addr VAddr, c *Copy) error {
	if c.size == 0 {
		c.discard()
		return nil
	}
	r, err := m.sanitizeRange(uint64(addr), c.size, callerCopyIO, checkAddrRange)
	if err != nil {
		return err
	}
	start, end := r.start, r.end
	if start >= m.max {
		return KernInvalidAddress
	}
	if err := m.checkWritable(start, end); err != nil {
		return err
	}
	dataEnd := addr + VAddr(c.size)
	midStart, midEnd := VAddr(roundPage(uint64(addr))), dataEnd.Trunc()
	if uint64(addr-start) != c.offset || midStart >= midEnd || !m.replaceable(midStart, midEnd) {
		if err := m.overwriteBytes(addr, c, 0, c.size); err != nil {
			return err
		}
		c.discard()
		return nil
	}
	if err := m.overwriteBytes(addr, c, 0, uint64(midStart-addr)); err != nil {
		return err
	}
	if err := m.overwriteBytes(addr, c, uint64(midEnd-addr), c.size); err != nil {
		return err
	}
	m.replaceEntries(start, c, midStart, midEnd)
	c.discard()
	return nil
}

// checkWritable verifies that [start, end) is mapped and writable, entry
// by entry in address order as vm_map_copy_overwrite_nested's first pass
// does: the first hole (KERN_INVALID_ADDRESS) or unwritable entry
// (KERN_PROTECTION_FAILURE) met decides.
func (m *Map) checkWritable(start, end VAddr) error {
	return m.walkRange(start, end, func(e *Entry) error {
		if !e.prot.Allows(ProtWrite) {
			return KernProtectionFailure
		}
		if e.submap != nil {
			s, t := clampToEntry(e, start, end)
			return e.submap.checkWritable(s, t)
		}
		return nil
	})
}

// replaceable reports whether the entries of [start, end) may be replaced
// by a copy's entries: no submap, no sharing, no wiring.
func (m *Map) replaceable(start, end VAddr) bool {
	ok := true
	m.entriesIn(start, end, func(e *Entry) bool {
		ok = e.submap == nil && !e.isShared && !e.wired()
		return ok
	})
	return ok
}

// replaceEntries points the entries of [from, to), whole pages of the
// destination, at the copy's objects, keeping their protection and
// inheritance. start is the destination address of the copy's first page.
func (m *Map) replaceEntries(start VAddr, c *Copy, from, to VAddr) {
	for _, ce := range c.entries {
		cs, cend := start+VAddr(ce.start), start+VAddr(ce.end)
		lo, hi := max(cs, from), min(cend, to)
		if lo >= hi {
			continue
		}
		for e := m.clipRange(lo, hi); e != &m.header && e.start < hi; e = e.next {
			if m.pmap != nil {
				if err := m.pmap.Remove(e.start, e.end); err != nil {
					panic("vm: Map.replaceEntries: pmap refused a map range")
				}
			}
			m.releaseEntry(e)
			e.object, e.offset = ce.object, ce.offset+uint64(e.start-cs)
			e.needsCopy = ce.needsCopy
			if ce.object != nil {
				ce.object.reference()
				e.needsCopy = true
			}
			m.timestamp++
		}
	}
	m.simplifyRange(from, to)
}

// overwriteBytes copies bytes [from, to) of the copy's data into m at
// addr+from, a page at a time, faulting each destination page in for
// writing.
func (m *Map) overwriteBytes(addr VAddr, c *Copy, from, to uint64) error {
	var buf [pmap.PageSize]byte
	for done := from; done < to; {
		va := addr + VAddr(done)
		n := min(uint64(pmap.PageSize)-uint64(va&pmap.PageMask), to-done)
		if err := c.readAt(buf[:n], c.offset+done); err != nil {
			return err
		}
		if err := m.writeKernel(va, buf[:n]); err != nil {
			return err
		}
		done += n
	}
	return nil
}

// writeKernel stores buf (within one page) at va of m through the kernel's
// view of memory, faulting the page in for writing.
func (m *Map) writeKernel(va VAddr, buf []byte) error {
	p, err := m.faultKernel(va.Trunc(), ProtWrite)
	if err != nil {
		return err
	}
	copy(m.sys.frame(p)[va&pmap.PageMask:], buf)
	p.dirty = true
	return nil
}

// faultKernel faults va in for access on behalf of the kernel (copyin and
// copyout of a task's memory): the page is resident and mapped when it
// returns.
func (m *Map) faultKernel(va VAddr, access pmap.Prot) (*Page, error) {
	m.sys.stats.Faults++
	return m.fault(va, access, false)
}

// readAt reads len(buf) bytes at offset off of the page-aligned copy.
func (c *Copy) readAt(buf []byte, off uint64) error {
	for len(buf) > 0 {
		pg := truncPage(off)
		ce := c.entryAt(pg)
		var p *Page
		var err error
		if ce != nil && ce.object != nil {
			p, err = c.sys.chainPage(ce.object, ce.offset+pg-ce.start)
			if err != nil {
				return err
			}
		}
		in := off - pg
		n := int(min(uint64(len(buf)), pmap.PageSize-in))
		if p == nil {
			clear(buf[:n])
		} else {
			copy(buf[:n], c.sys.frame(p)[in:])
		}
		buf, off = buf[n:], off+uint64(n)
	}
	return nil
}

// entryAt returns the copy entry holding page offset off.
func (c *Copy) entryAt(off uint64) *copyEntry {
	for i := range c.entries {
		if off >= c.entries[i].start && off < c.entries[i].end {
			return &c.entries[i]
		}
	}
	return nil
}

// ReadAt reads len(buf) bytes of the copy's data starting at byte off, for
// the kernel (a message's out-of-line data, a test).
func (c *Copy) ReadAt(buf []byte, off uint64) error {
	if c == nil || c.sys == nil || off+uint64(len(buf)) < off || off+uint64(len(buf)) > c.size {
		return KernInvalidArgument
	}
	c.sys.mu.Lock()
	defer c.sys.mu.Unlock()
	return c.readAt(buf, c.offset+off)
}

// CopyFromBytes makes a copy holding data (VM_MAP_COPY_KERNEL_BUFFER: data
// the kernel has, to be written into a map with Map.Write or inserted with
// Map.CopyOut).
func (s *System) CopyFromBytes(data []byte) (*Copy, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.newCopy(0, uint64(len(data)), fmt.Sprintf("CopyFromBytes of %#x bytes", len(data)))
	if len(data) == 0 {
		return c, nil
	}
	size := roundPage(uint64(len(data)))
	o := s.newObject(size, nil)
	c.entries = []copyEntry{{start: 0, end: size, object: o}}
	for off := uint64(0); off < uint64(len(data)); off += pmap.PageSize {
		p, err := s.zeroFill(o, off)
		if err != nil {
			c.discard()
			return nil, err
		}
		copy(s.frame(p)[:], data[off:])
	}
	return c, nil
}
