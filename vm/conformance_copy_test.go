package vm_test

import (
	"bytes"

	"github.com/tamach/tamach/vm"
)

const (
	refCopyin    = "vm_map.c vm_map_copyin_sanitize, vm_map_copyin_internal"
	refCopyCompt = "vm_sanitize_error_compat.c vm_sanitize_err_compat_addr_size_vm_map_copyio"
	refOverwrite = "vm_map.c vm_map_copy_overwrite, vm_map_copy_overwrite_nested"
	refReadList  = "vm_user.c mach_vm_read_list"
)

// read is the common shape of a vm_read row: the copy is discarded.
func read(addr vm.VAddr, size uint64) func(*fx) error {
	return func(f *fx) error {
		c, err := f.m.Read(addr, size)
		if err == nil {
			c.Discard()
		}
		return err
	}
}

var _ = addTable(&confCall{call: "vm_read", api: "Map.Read", rows: []confRow{
	{name: "size0", what: "size 0: an empty copy", xnu: vm.KernSuccess, ref: refCopyin + " (size 0: VM_MAP_COPY_NULL)", run: read(hole, 0)},
	{name: "size-above-4g", what: "size 2^32 (does not fit mach_msg_type_number_t)", xnu: vm.KernInvalidArgument, ref: "vm_user.c mach_vm_read", run: read(base, 1<<32)},
	{name: "wraps", what: "address+size wraps", xnu: vm.KernInvalidAddress, ref: refCopyCompt, run: read(lastPage, 2*page)},
	{name: "end-in-last-page", what: "end in the last page", xnu: vm.KernInvalidAddress, ref: refCopyCompt, run: read(lastPage, 1)},
	{name: "crosses-2^48", what: "a range across 2^48", xnu: vm.KernInvalidAddress, ref: "vm_sanitize.c vm_sanitize_addr_size (CHECK_ADDR_RANGE)", run: read(1<<48-page, 2*page)},
	{name: "below-min", what: "page 0", xnu: vm.KernInvalidAddress, ref: refCopyin, run: read(0, page)},
	{name: "unmapped", what: "the hole", xnu: vm.KernInvalidAddress, ref: refCopyin, run: read(hole, page)},
	{name: "hole", what: "a range with a hole", xnu: vm.KernInvalidAddress, ref: refCopyin, run: read(base+7*page, 4*page)},
	{name: "unreadable", what: "an entry without read access", xnu: vm.KernProtectionFailure, ref: refCopyin,
		run: func(f *fx) error { f.ok(f.m.Protect(base, page, false, vm.ProtNone)); return read(base, page)(f) }},
	{name: "unreadable-then-hole", what: "an unreadable entry, then a hole: the entry is met first", xnu: vm.KernProtectionFailure, ref: refCopyin + " (entry order)",
		run: func(f *fx) error {
			f.ok(f.m.Protect(base+7*page, page, false, vm.ProtNone))
			return read(base+7*page, 3*page)(f)
		}},
	{name: "unaligned", what: "3 bytes at page+0xffe: the copy holds them", xnu: vm.KernSuccess, ref: refCopyin,
		run: func(f *fx) error {
			f.ok(f.cpu.Write(base+0xffe, []byte{7, 8, 9}))
			c, err := f.m.Read(base+0xffe, 3)
			f.ok(err)
			b := make([]byte, 3)
			f.ok(c.ReadAt(b, 0))
			c.Discard()
			f.expect(bytes.Equal(b, []byte{7, 8, 9}), "read %v", b)
			return nil
		}},
}})

var _ = addTable(&confCall{call: "vm_read_list", api: "Map.ReadList", rows: []confRow{
	{name: "too-many", what: "257 elements (VM_MAP_ENTRY_MAX is 256)", xnu: vm.KernInvalidArgument, ref: refReadList,
		run: func(f *fx) error { return f.m.ReadList(make([]vm.ReadListEntry, vm.MaxReadList+1), f.other) }},
	{name: "all-good", what: "two good elements: both copied", xnu: vm.KernSuccess, ref: refReadList,
		run: func(f *fx) error {
			l := []vm.ReadListEntry{{base, page}, {after, page}}
			err := f.m.ReadList(l, f.other)
			f.expect(l[0].Address != 0 && l[1].Address != 0 && f.load(f.ocpu, l[0].Address) == 1, "list %+v", l)
			return err
		}},
	{name: "middle-fails", what: "a failing element between good ones: zeroed, the others copied, the last result returned", xnu: vm.KernSuccess, ref: refReadList + " (the loop goes on)",
		run: func(f *fx) error {
			l := []vm.ReadListEntry{{base, page}, {hole, page}, {after, page}}
			err := f.m.ReadList(l, f.other)
			f.expect(l[0].Address != 0 && l[1] == (vm.ReadListEntry{}) && l[2].Address != 0, "list %+v", l)
			return err
		}},
	{name: "last-fails", what: "the last element fails: its error is the result, the others stay copied", xnu: vm.KernInvalidAddress, ref: refReadList,
		run: func(f *fx) error {
			l := []vm.ReadListEntry{{base, page}, {hole, page}}
			err := f.m.ReadList(l, f.other)
			f.expect(l[0].Address != 0 && l[1] == (vm.ReadListEntry{}), "list %+v", l)
			return err
		}},
	{name: "size0-element", what: "an element of size 0 is zeroed and skipped", xnu: vm.KernSuccess, ref: refReadList,
		run: func(f *fx) error {
			l := []vm.ReadListEntry{{base, page}, {after, 0}}
			err := f.m.ReadList(l, f.other)
			f.expect(l[0].Address != 0 && l[1] == (vm.ReadListEntry{}), "list %+v", l)
			return err
		}},
	{name: "size0-after-failure", what: "a failure, then an element of size 0: the failure is the result", xnu: vm.KernInvalidAddress, ref: refReadList + " (size 0 keeps error)",
		run: func(f *fx) error { return f.m.ReadList([]vm.ReadListEntry{{hole, page}, {base, 0}}, f.other) }},
	{name: "empty", what: "no elements", xnu: vm.KernSuccess, ref: refReadList, run: func(f *fx) error { return f.m.ReadList(nil, f.other) }},
}})

// readOverwrite is the common shape of a vm_read_overwrite row: from m
// into other.
func readOverwrite(addr vm.VAddr, size uint64, data vm.VAddr) func(*fx) error {
	return func(f *fx) error {
		_, err := f.m.ReadOverwrite(addr, size, f.other, data)
		return err
	}
}

var _ = addTable(&confCall{call: "vm_read_overwrite", api: "Map.ReadOverwrite", rows: []confRow{
	{name: "size0", what: "size 0, bad destination", xnu: vm.KernSuccess, ref: refOverwrite + " (null copy)", run: readOverwrite(base, 0, 0)},
	{name: "source-first", what: "unmapped source and destination: the source's error", xnu: vm.KernInvalidAddress, ref: "vm_user.c mach_vm_read_overwrite (copyin first)", run: readOverwrite(hole, page, 0)},
	{name: "unreadable-source", what: "unreadable source, unmapped destination", xnu: vm.KernProtectionFailure, ref: "vm_user.c mach_vm_read_overwrite (copyin first)",
		run: func(f *fx) error {
			f.ok(f.m.Protect(base, page, false, vm.ProtNone))
			return readOverwrite(base, page, 0)(f)
		}},
	{name: "destination-unmapped", what: "unmapped destination", xnu: vm.KernInvalidAddress, ref: refOverwrite, run: readOverwrite(base, page, otherBase+8*page)},
	{name: "destination-readonly", what: "read-only destination", xnu: vm.KernProtectionFailure, ref: refOverwrite,
		run: func(f *fx) error {
			f.ok(f.other.Protect(otherBase, page, false, vm.ProtRead))
			return readOverwrite(base, page, otherBase)(f)
		}},
	{name: "destination-wraps", what: "destination wraps", xnu: vm.KernInvalidAddress, ref: refCopyCompt, run: readOverwrite(base, 2*page, lastPage)},
	{name: "destination-crosses-2^48", what: "destination across 2^48", xnu: vm.KernInvalidAddress, ref: "vm_map.c vm_map_copy_addr_size_sanitize (CHECK_ADDR_RANGE)", run: readOverwrite(base, 2*page, 1<<48-page)},
	{name: "partial-page", what: "100 bytes at page+0x10: the rest of the page kept (issue 11, 1a)", xnu: vm.KernSuccess, ref: refOverwrite + " (head and tail copied separately)",
		run: func(f *fx) error {
			f.ok(f.ocpu.Store8(otherBase, 0x5a))
			f.ok(f.ocpu.Store8(otherBase+0x10+100, 0x5b))
			err := readOverwrite(base, 100, otherBase+0x10)(f)
			f.expect(f.load(f.ocpu, otherBase) == 0x5a && f.load(f.ocpu, otherBase+0x10+100) == 0x5b, "bytes outside the range changed")
			return err
		}},
}})

// write is the common shape of a vm_write row: n bytes of 0xEE at addr.
func write(addr vm.VAddr, n int) func(*fx) error {
	return func(f *fx) error {
		c, err := f.env.VM.CopyFromBytes(bytes.Repeat([]byte{0xEE}, n))
		f.ok(err)
		return f.m.Write(addr, c) // consumed either way: Check would report it
	}
}

var _ = addTable(&confCall{call: "vm_write", api: "Map.Write", rows: []confRow{
	{name: "empty", what: "no data, unmapped destination", xnu: vm.KernSuccess, ref: refOverwrite + " (null copy)", run: write(hole, 0)},
	{name: "unmapped", what: "unmapped destination (the copy is consumed)", xnu: vm.KernInvalidAddress, ref: refOverwrite, run: write(hole, 10)},
	{name: "readonly", what: "read-only destination", xnu: vm.KernProtectionFailure, ref: refOverwrite, run: write(roPage, 10)},
	{name: "hole", what: "a destination with a hole", xnu: vm.KernInvalidAddress, ref: refOverwrite, run: write(base+7*page, 2*page)},
	{name: "end-in-last-page", what: "destination ending in the last page", xnu: vm.KernInvalidAddress, ref: refCopyCompt, run: write(lastPage+0x10, 0x10)},
	{name: "partial-page", what: "100 bytes: the rest of the page kept (issue 11, 1a)", xnu: vm.KernSuccess, ref: refOverwrite,
		run: func(f *fx) error {
			f.ok(f.cpu.Store8(base+100, 0x33))
			err := write(base, 100)(f)
			f.expect(f.load(f.cpu, base) == 0xEE && f.load(f.cpu, base+100) == 0x33, "write changed bytes past its end")
			return err
		}},
}})

func vmcopy(src vm.VAddr, size uint64, dst vm.VAddr) func(*fx) error {
	return func(f *fx) error { return f.m.Copy(src, size, dst) }
}

var _ = addTable(&confCall{call: "vm_copy", api: "Map.Copy", rows: []confRow{
	{name: "size0", what: "size 0, bad ranges", xnu: vm.KernSuccess, ref: "vm_user.c mach_vm_copy, vm_map.c vm_map_copyin_internal (size 0)", run: vmcopy(hole, 0, hole)},
	{name: "source-first", what: "unmapped source, read-only destination: the source's error", xnu: vm.KernInvalidAddress, ref: "vm_user.c mach_vm_copy (copyin first)", run: vmcopy(hole, page, roPage)},
	{name: "unreadable-source", what: "unreadable source, unmapped destination", xnu: vm.KernProtectionFailure, ref: "vm_user.c mach_vm_copy (copyin first)",
		run: func(f *fx) error {
			f.ok(f.m.Protect(base, page, false, vm.ProtNone))
			return vmcopy(base, page, hole)(f)
		}},
	{name: "destination-readonly", what: "read-only destination", xnu: vm.KernProtectionFailure, ref: refOverwrite,
		run: func(f *fx) error {
			err := f.m.Copy(base, page, roPage)
			f.expect(f.region(f.m, base, vm.FlavorTopInfo).Top.ShareMode == vm.SMPrivate, "failed copy left the source copy-on-write")
			return err
		}},
	{name: "destination-unmapped", what: "unmapped destination", xnu: vm.KernInvalidAddress, ref: refOverwrite, run: vmcopy(base, page, hole)},
	{name: "source-wraps", what: "source wraps", xnu: vm.KernInvalidAddress, ref: refCopyCompt, run: vmcopy(lastPage, 2*page, base)},
	{name: "overlap", what: "overlapping ranges copy the source as it was", xnu: vm.KernSuccess, ref: "vm_user.c mach_vm_copy (copyin, then overwrite)",
		run: func(f *fx) error {
			f.ok(f.m.Protect(roPage, page, false, vm.ProtDefault))
			f.ok(f.cpu.Store8(base+page, 2))
			err := f.m.Copy(base, 2*page, base+page)
			f.expect(f.load(f.cpu, base+page) == 1 && f.load(f.cpu, base+2*page) == 2, "overlap copied wrongly")
			return err
		}},
	{name: "unaligned", what: "0x1800 bytes between pages at the same offset: only they change (issue 11, 1a)", xnu: vm.KernSuccess, ref: refOverwrite,
		run: func(f *fx) error {
			f.ok(f.m.Protect(roPage, page, false, vm.ProtDefault))
			f.ok(f.cpu.Store8(base+4*page+0x7ff, 0x44))
			f.ok(f.cpu.Store8(base+5*page+0x800+0x1800, 0x45))
			f.ok(f.cpu.Store8(base+0x800, 0x46))
			err := f.m.Copy(base+0x800, 0x1800, base+4*page+0x800)
			f.expect(f.load(f.cpu, base+4*page+0x7ff) == 0x44 && f.load(f.cpu, base+4*page+0x800) == 0x46, "head wrong")
			f.expect(f.load(f.cpu, base+5*page+0x800+0x1800) == 0x45, "tail overwritten")
			return err
		}},
}})
