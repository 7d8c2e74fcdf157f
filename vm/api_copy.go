package vm

// CopyIn is vm_map_copyin: it takes a copy of [addr, addr+size) (which
// must be mapped and readable), and with destroy removes the range from m.
// size 0 gives an empty copy.
func (m *Map) CopyIn(addr VAddr, size uint64, destroy bool) (*Copy, error) {
	m.sys.mu.Lock()
	defer m.sys.mu.Unlock()
	if destroy && m.sealed() {
		return nil, KernInvalidArgument
	}
	return m.copyin(addr, size, destroy)
}

// CopyOut is vm_map_copyout: it inserts c anywhere in m and returns the
// address of the data (which keeps the copy's offset within its first
// page). It consumes c on success.
func (m *Map) CopyOut(c *Copy) (VAddr, error) {
	if c == nil || c.sys != m.sys {
		return 0, KernInvalidArgument
	}
	m.sys.mu.Lock()
	defer m.sys.mu.Unlock()
	if m.sealed() {
		return 0, KernInvalidArgument
	}
	return m.copyout(c)
}

// CopyOverwrite is vm_map_copy_overwrite: it writes c over [addr,
// addr+c.Size()), which must be mapped and writable. It consumes c on
// success.
func (m *Map) CopyOverwrite(addr VAddr, c *Copy) error {
	if c == nil || c.sys != m.sys {
		return KernInvalidArgument
	}
	m.sys.mu.Lock()
	defer m.sys.mu.Unlock()
	if m.sealed() {
		return KernInvalidArgument
	}
	return m.copyOverwrite(addr, c)
}

// Copy is vm_copy: it copies [src, src+size) over [dst, dst+size) of the
// same map, copy-on-write when both are page-aligned alike. The source
// must be readable and the destination writable; the ranges may overlap.
// A failed call changes nothing visible.
func (m *Map) Copy(src VAddr, size uint64, dst VAddr) error {
	m.sys.mu.Lock()
	defer m.sys.mu.Unlock()
	if m.sealed() {
		return KernInvalidArgument
	}
	ds, de, err := m.pageRange(dst, size)
	if err != nil {
		return err
	}
	if ds != de {
		if err := m.checkWritable(ds, de); err != nil {
			return err
		}
	}
	c, err := m.copyin(src, size, false)
	if err != nil {
		return err
	}
	if err := m.copyOverwrite(dst, c); err != nil {
		c.discard()
		return err
	}
	return nil
}

// Read is vm_read: it returns a copy of [addr, addr+size) of m, which the
// caller inserts in its own map with CopyOut (the out-of-line data of
// Mach's reply) or reads with Copy.ReadAt.
func (m *Map) Read(addr VAddr, size uint64) (*Copy, error) {
	return m.CopyIn(addr, size, false)
}

// ReadOverwrite is vm_read_overwrite: it copies [addr, addr+size) of m over
// [data, data+size) of dst, the caller's map, and returns the bytes copied.
func (m *Map) ReadOverwrite(addr VAddr, size uint64, dst *Map, data VAddr) (uint64, error) {
	if dst == nil || dst.sys != m.sys {
		return 0, KernInvalidArgument
	}
	m.sys.mu.Lock()
	defer m.sys.mu.Unlock()
	if dst.sealed() {
		return 0, KernInvalidArgument
	}
	ds, de, err := dst.pageRange(data, size)
	if err != nil {
		return 0, err
	}
	if ds != de {
		if err := dst.checkWritable(ds, de); err != nil {
			return 0, err
		}
	}
	c, err := m.copyin(addr, size, false)
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

// ReadList is vm_read_list: each element's range of m is copied into dst
// (the caller's map) and the element's Address replaced by where the copy
// now is. On an error the element that failed and those after it are
// zeroed and the error returned; earlier elements stay copied, as in Mach.
func (m *Map) ReadList(list []ReadListEntry, dst *Map) error {
	if dst == nil || dst.sys != m.sys {
		return KernInvalidArgument
	}
	m.sys.mu.Lock()
	defer m.sys.mu.Unlock()
	if dst.sealed() {
		return KernInvalidArgument
	}
	for i := range list {
		if err := m.readOne(&list[i], dst); err != nil {
			for j := i; j < len(list); j++ {
				list[j] = ReadListEntry{}
			}
			return err
		}
	}
	return nil
}

func (m *Map) readOne(el *ReadListEntry, dst *Map) error {
	c, err := m.copyin(el.Address, el.Size, false)
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

// Write is vm_write: it writes the copy data over [addr, addr+data.Size())
// of m, which must be mapped and writable. data is consumed on success.
func (m *Map) Write(addr VAddr, data *Copy) error { return m.CopyOverwrite(addr, data) }
