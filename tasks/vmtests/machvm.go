//go:build tamago

package main

import (
	"fmt"

	"github.com/tamach/tamach/tasks/mach"
)

// Tests of the vm calls of tasks/mach/vm.go: each checks what the call
// does (the bytes, states and dispositions it must produce), and that bad
// arguments come back with the KERN_* code XNU gives.

// nowhere is an address in page 0, which no task ever maps (the text is
// linked at 0x400000 on amd64 but at 0x10000 on arm64).
const nowhere = 0x10

// wantErr checks a call's error is want (nil for success).
func wantErr(what string, err error, want error) error {
	if err != want {
		return fmt.Errorf("%s: got %v, want %v", what, err, want)
	}
	return nil
}

// firstErr returns the first non-nil error.
func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// regionBeforeHole allocates n pages followed by an unmapped page (freed
// from an allocation of n+1, so nothing else was placed there).
func regionBeforeHole(n int) (uint64, error) {
	buf, err := region(n + 1)
	if err != nil {
		return 0, err
	}
	return buf, mach.Deallocate(buf+uint64(n)*mach.PageSize, mach.PageSize)
}

func testRemap() error {
	src, err := region(2)
	if err != nil {
		return err
	}
	defer mach.Deallocate(src, 2*mach.PageSize)
	*at(src), *at(src + mach.PageSize) = 0x1111, 0x2222
	alias, cur, max, err := mach.Remap(0, 2*mach.PageSize, 0, mach.FlagsAnywhere, src, false, mach.InheritCopy)
	if err != nil {
		return fmt.Errorf("shared: %v", err)
	}
	defer mach.Deallocate(alias, 2*mach.PageSize)
	if alias == src || *at(alias) != 0x1111 || *at(alias + mach.PageSize) != 0x2222 {
		return fmt.Errorf("remapped at %#x reads %#x, %#x; want the source's 0x1111, 0x2222", alias, *at(alias), *at(alias + mach.PageSize))
	}
	if cur != mach.ProtDefault || max != mach.ProtAll {
		return fmt.Errorf("protections %d/%d, want %d/%d", cur, max, mach.ProtDefault, mach.ProtAll)
	}
	*at(alias + 8) = 0x3333
	if v := *at(src + 8); v != 0x3333 {
		return fmt.Errorf("wrote 0x3333 through the shared remapping, source reads %#x", v)
	}
	cp, _, _, err := mach.Remap(0, mach.PageSize, 0, mach.FlagsAnywhere, src, true, mach.InheritCopy)
	if err != nil {
		return fmt.Errorf("copy: %v", err)
	}
	defer mach.Deallocate(cp, mach.PageSize)
	*at(cp) = 0x4444
	if *at(src) != 0x1111 || *at(cp + 8) != 0x3333 {
		return fmt.Errorf("copy: source reads %#x after a write to the copy, copy reads %#x", *at(src), *at(cp + 8))
	}
	d, _, _, err := mach.Remap(0, 16, 0, mach.FlagsAnywhere|mach.FlagsReturnDataAddr, src+0x108, false, mach.InheritCopy)
	if err != nil {
		return fmt.Errorf("RETURN_DATA_ADDR: %v", err)
	}
	defer mach.Deallocate(d, 16)
	if d%mach.PageSize != 0x108 || *at(d - 0x100) != 0x3333 {
		return fmt.Errorf("RETURN_DATA_ADDR: address %#x (want offset 0x108), reads %#x", d, *at(d - 0x100))
	}
	_, _, _, e1 := mach.Remap(0, mach.PageSize, 0, mach.FlagsAnywhere, nowhere, false, mach.InheritCopy)
	_, _, _, e2 := mach.Remap(0, mach.PageSize, 0, mach.FlagsAnywhere|mach.FlagsPurgable, src, false, mach.InheritCopy)
	_, _, _, e3 := mach.Remap(src, mach.PageSize, 0, mach.FlagsFixed, src, false, mach.InheritCopy)
	return firstErr(wantErr("unmapped source", e1, mach.KernInvalidAddress),
		wantErr("VM_FLAGS_PURGABLE", e2, mach.KernInvalidArgument),
		wantErr("fixed over memory in use", e3, mach.KernNoSpace))
}

func testRemapNew() error {
	src, err := region(1)
	if err != nil {
		return err
	}
	defer mach.Deallocate(src, mach.PageSize)
	*at(src + 0x10) = 0x5555
	n, cur, max, err := mach.RemapNew(0, 8, 0, mach.FlagsAnywhere, src+0x10, false, mach.ProtRead, mach.ProtRead, mach.InheritShare)
	if err != nil {
		return err
	}
	defer mach.Deallocate(n, 8)
	if cur != mach.ProtRead || max != mach.ProtRead {
		return fmt.Errorf("protections %d/%d, want read/read", cur, max)
	}
	if n%mach.PageSize != 0x10 || *at(n) != 0x5555 {
		return fmt.Errorf("address %#x (want offset 0x10: RETURN_DATA_ADDR is implied) reads %#x", n, *at(n))
	}
	r, err := mach.Region(n)
	if err != nil || r.Prot != mach.ProtRead || r.MaxProt != mach.ProtRead {
		return fmt.Errorf("vm_region of the new mapping: %+v, %v", r, err)
	}
	_, _, _, e1 := mach.RemapNew(0, 8, 0, mach.FlagsAnywhere, src, false, mach.ProtDefault, mach.ProtRead, mach.InheritCopy)
	_, _, _, e2 := mach.RemapNew(0, 8, 0, mach.FlagsAnywhere, src, false, mach.ProtAll, mach.ProtAll, mach.InheritCopy)
	return firstErr(wantErr("cur above max", e1, mach.KernInvalidArgument),
		wantErr("max write and execute", e2, mach.KernProtectionFailure))
}

// testMapReturnDataAddr: vm_map of a memory entry made at an unaligned
// offset with MAP_MEM_USE_DATA_ADDR returns the data's address.
func testMapReturnDataAddr() error {
	src, err := region(1)
	if err != nil {
		return err
	}
	defer mach.Deallocate(src, mach.PageSize)
	port, size, err := mach.MakeMemoryEntry(0x20, src+0x40, uint64(mach.ProtDefault)|mach.MapMemVMShare|mach.MapMemUseDataAddr)
	if err != nil {
		return fmt.Errorf("make memory entry: %v", err)
	}
	defer mach.PortDeallocate(port)
	m, err := mach.Map(0, size, mach.MapArgs{Flags: mach.FlagsAnywhere | mach.FlagsReturnDataAddr, Entry: port,
		Cur: mach.ProtDefault, Max: mach.ProtDefault})
	if err != nil {
		return fmt.Errorf("vm_map: %v", err)
	}
	defer mach.Deallocate(m, size)
	*at(src + 0x40) = 0x6666
	if m%mach.PageSize != 0x40 || *at(m) != 0x6666 {
		return fmt.Errorf("vm_map returned %#x (want offset 0x40), reads %#x", m, *at(m))
	}
	return nil
}

func testMsync() error {
	buf, err := regionBeforeHole(2)
	if err != nil {
		return err
	}
	defer mach.Deallocate(buf, 2*mach.PageSize)
	*at(buf), *at(buf + mach.PageSize) = 5, 6
	if err := mach.Msync(buf, mach.PageSize, mach.SyncKillPages); err != nil {
		return fmt.Errorf("KILLPAGES: %v", err)
	}
	if *at(buf) != 0 || *at(buf + mach.PageSize) != 6 {
		return fmt.Errorf("after KILLPAGES of the first page: %d, %d; want 0, 6", *at(buf), *at(buf + mach.PageSize))
	}
	return firstErr(wantErr("SYNCHRONOUS|ASYNCHRONOUS", mach.Msync(buf, mach.PageSize, mach.SyncSynchronous|mach.SyncAsynchronous), mach.KernInvalidArgument),
		wantErr("CONTIGUOUS over a hole", mach.Msync(buf+mach.PageSize, 2*mach.PageSize, mach.SyncContiguous), mach.KernInvalidAddress))
}

func testBehaviorSet() error {
	buf, err := regionBeforeHole(2)
	if err != nil {
		return err
	}
	defer mach.Deallocate(buf, 2*mach.PageSize)
	*at(buf) = 7
	if err := mach.BehaviorSet(buf, mach.PageSize, mach.BehaviorFree); err != nil {
		return fmt.Errorf("FREE: %v", err)
	}
	if *at(buf) != 0 {
		return fmt.Errorf("after BEHAVIOR_FREE the page reads %d, want 0", *at(buf))
	}
	if err := mach.BehaviorSet(buf, 2*mach.PageSize, mach.BehaviorRandom); err != nil {
		return fmt.Errorf("RANDOM: %v", err)
	}
	ri, err := mach.RegionRecurse(buf, 0)
	if err != nil || ri.Behavior != mach.BehaviorRandom {
		return fmt.Errorf("behavior %d (%v), want %d", ri.Behavior, err, mach.BehaviorRandom)
	}
	return firstErr(wantErr("behavior 13", mach.BehaviorSet(buf, mach.PageSize, 13), mach.KernInvalidArgument),
		wantErr("over a hole", mach.BehaviorSet(buf+mach.PageSize, 2*mach.PageSize, mach.BehaviorSequential), mach.KernInvalidAddress))
}

func testPurgableControl() error {
	buf, err := mach.Allocate(0, mach.PageSize, mach.FlagsAnywhere|mach.FlagsPurgable)
	if err != nil {
		return err
	}
	defer mach.Deallocate(buf, mach.PageSize)
	*at(buf) = 9
	steps := []struct {
		control, state, want int
	}{
		{mach.PurgableGetState, 0, mach.PurgableNonvolatile},
		{mach.PurgableSetState, mach.PurgableVolatile, mach.PurgableNonvolatile},
		{mach.PurgableGetState, 0, mach.PurgableVolatile},
		{mach.PurgableSetState, mach.PurgableNonvolatile, mach.PurgableVolatile},
	}
	for i, s := range steps {
		got, err := mach.PurgableControl(buf, s.control, s.state)
		if err != nil || got != s.want {
			return fmt.Errorf("step %d: control %d state %d returned %d, %v; want %d", i, s.control, s.state, got, err, s.want)
		}
	}
	if *at(buf) != 9 {
		return fmt.Errorf("made nonvolatile again before any purge, reads %d, want 9", *at(buf))
	}
	if old, err := mach.PurgableControl(buf, mach.PurgableSetState, mach.PurgableEmpty); err != nil || old != mach.PurgableNonvolatile {
		return fmt.Errorf("set empty: %d, %v", old, err)
	}
	if *at(buf) != 0 {
		return fmt.Errorf("purged memory reads %d, want 0", *at(buf))
	}
	_, e1 := mach.PurgableControl(buf, 7, 0)
	_, e2 := mach.PurgableControl(buf, mach.PurgableSetState, 0x80000)
	plain, err := region(1)
	if err != nil {
		return err
	}
	defer mach.Deallocate(plain, mach.PageSize)
	_, e3 := mach.PurgableControl(plain, mach.PurgableGetState, 0)
	return firstErr(wantErr("control 7", e1, mach.KernInvalidArgument), wantErr("unknown state bits", e2, mach.KernInvalidArgument),
		wantErr("memory that is not purgeable", e3, mach.KernInvalidArgument))
}

func testEntryPurgableControl() error {
	port, size, err := mach.MakeMemoryEntry(mach.PageSize, 0, uint64(mach.ProtDefault)|mach.MapMemNamedCreate|mach.MapMemPurgable)
	if err != nil {
		return fmt.Errorf("make memory entry: %v", err)
	}
	defer mach.PortDeallocate(port)
	m, err := mach.Map(0, size, mach.MapArgs{Flags: mach.FlagsAnywhere, Entry: port, Cur: mach.ProtDefault, Max: mach.ProtDefault})
	if err != nil {
		return fmt.Errorf("vm_map: %v", err)
	}
	defer mach.Deallocate(m, size)
	*at(m) = 5
	if old, err := mach.EntryPurgableControl(port, mach.PurgableSetState, mach.PurgableVolatile); err != nil || old != mach.PurgableNonvolatile {
		return fmt.Errorf("set volatile: %d, %v", old, err)
	}
	if st, err := mach.EntryPurgableControl(port, mach.PurgableGetState, 0); err != nil || st != mach.PurgableVolatile {
		return fmt.Errorf("get: %d, %v; want volatile", st, err)
	}
	if old, err := mach.EntryPurgableControl(port, mach.PurgableSetState, mach.PurgableEmpty); err != nil || old != mach.PurgableVolatile {
		return fmt.Errorf("set empty: %d, %v", old, err)
	}
	if *at(m) != 0 {
		return fmt.Errorf("the mapping of the purged entry reads %d, want 0", *at(m))
	}
	_, e1 := mach.EntryPurgableControl(port+100, mach.PurgableGetState, 0)
	_, e2 := mach.EntryPurgableControl(port, mach.PurgablePurgeAll, 0)
	return firstErr(wantErr("a name the task does not hold", e1, mach.KernInvalidName),
		wantErr("PURGE_ALL on an entry", e2, mach.KernInvalidArgument))
}

func testTaskPurgableInfo() error {
	before, err := mach.TaskPurgableInfo()
	if err != nil {
		return err
	}
	buf, err := mach.Allocate(0, 2*mach.PageSize, mach.FlagsAnywhere|mach.FlagsPurgable)
	if err != nil {
		return err
	}
	defer mach.Deallocate(buf, 2*mach.PageSize)
	*at(buf) = 1
	*at(buf + mach.PageSize) = 1
	const lifoGroup2 = 0x40 | 2<<8 // VM_PURGABLE_BEHAVIOR_LIFO, group 2
	if _, err := mach.PurgableControl(buf, mach.PurgableSetState, mach.PurgableVolatile|lifoGroup2); err != nil {
		return err
	}
	after, err := mach.TaskPurgableInfo()
	if err != nil {
		return err
	}
	if after.LIFO[2].Count != before.LIFO[2].Count+1 || after.LIFO[2].Size < before.LIFO[2].Size+2*mach.PageSize {
		return fmt.Errorf("LIFO group 2: %+v before, %+v after a two-page object went volatile there", before.LIFO[2], after.LIFO[2])
	}
	return nil
}

func testMachineAttribute() error {
	buf, err := regionBeforeHole(1)
	if err != nil {
		return err
	}
	defer mach.Deallocate(buf, mach.PageSize)
	copy(bytesAt(buf, 4), retInsn[goarch])
	val, err := mach.MachineAttribute(buf, mach.PageSize, mach.MattrCache, mach.MattrValCacheSync)
	if err != nil || val != mach.MattrValCacheSync {
		return fmt.Errorf("MATTR_CACHE: %d, %v", val, err)
	}
	_, e1 := mach.MachineAttribute(buf, mach.PageSize, mach.MattrMigrate, 0)
	_, e2 := mach.MachineAttribute(buf, 2*mach.PageSize, mach.MattrCache, mach.MattrValCacheFlush)
	return firstErr(wantErr("MATTR_MIGRATE", e1, mach.KernInvalidAddress), wantErr("over a hole", e2, mach.KernFailure))
}

func testReadOverwrite() error {
	src, err := region(1)
	if err != nil {
		return err
	}
	defer mach.Deallocate(src, mach.PageSize)
	dst, err := region(1)
	if err != nil {
		return err
	}
	defer mach.Deallocate(dst, mach.PageSize)
	s := bytesAt(src, mach.PageSize)
	for i := range s {
		s[i] = pattern(i)
	}
	n, err := mach.ReadOverwrite(src+8, 100, dst+3)
	if err != nil || n != 100 {
		return fmt.Errorf("%d bytes, %v", n, err)
	}
	d := bytesAt(dst, 200)
	for i := 0; i < 100; i++ {
		if d[3+i] != pattern(8+i) {
			return fmt.Errorf("byte %d is %#x, want %#x", i, d[3+i], pattern(8+i))
		}
	}
	if d[2] != 0 || d[103] != 0 {
		return fmt.Errorf("bytes around the copy changed: %#x, %#x", d[2], d[103])
	}
	_, e1 := mach.ReadOverwrite(nowhere, 8, dst)
	return wantErr("unmapped source", e1, mach.KernInvalidAddress)
}

func testReadList() error {
	src, err := region(2)
	if err != nil {
		return err
	}
	defer mach.Deallocate(src, 2*mach.PageSize)
	*at(src), *at(src + mach.PageSize) = 0x77, 0x88
	list := []mach.ReadEntry{{Address: src + mach.PageSize, Size: 8}, {Address: src}, {Address: src, Size: mach.PageSize}}
	if err := mach.ReadList(list); err != nil {
		return err
	}
	defer mach.Deallocate(list[0].Address, 8)
	defer mach.Deallocate(list[2].Address, mach.PageSize)
	if list[0].Address == src+mach.PageSize || *at(list[0].Address) != 0x88 || *at(list[2].Address) != 0x77 {
		return fmt.Errorf("copies at %#x, %#x read %#x, %#x; want 0x88, 0x77", list[0].Address, list[2].Address, *at(list[0].Address), *at(list[2].Address))
	}
	if list[1] != (mach.ReadEntry{}) {
		return fmt.Errorf("empty element came back %+v", list[1])
	}
	*at(src) = 0x99 // the copy is a copy
	if *at(list[2].Address) != 0x77 {
		return fmt.Errorf("the copy changed with the source")
	}
	bad := []mach.ReadEntry{{Address: src, Size: 8}, {Address: nowhere, Size: 8}}
	err = mach.ReadList(bad)
	if bad[0].Address != 0 {
		mach.Deallocate(bad[0].Address, 8)
	}
	return firstErr(wantErr("last element unmapped", err, mach.KernInvalidAddress),
		wantErr("257 elements", mach.ReadList(make([]mach.ReadEntry, 257)), mach.KernInvalidArgument))
}

func testRegionRecurse() error {
	buf, err := region(4)
	if err != nil {
		return err
	}
	defer mach.Deallocate(buf, 4*mach.PageSize)
	*at(buf) = 1
	*at(buf + 2*mach.PageSize) = 1
	// Advice on exactly these pages makes them an entry of their own,
	// whatever the allocator put next to them.
	if err := mach.BehaviorSet(buf, 4*mach.PageSize, mach.BehaviorSequential); err != nil {
		return err
	}
	ri, err := mach.RegionRecurse(buf+mach.PageSize, 0)
	switch {
	case err != nil:
		return err
	case ri.Start != buf || ri.Size != 4*mach.PageSize || ri.Depth != 0:
		return fmt.Errorf("region %#x+%#x depth %d, want %#x+%#x depth 0", ri.Start, ri.Size, ri.Depth, buf, 4*mach.PageSize)
	case ri.Prot != mach.ProtDefault || ri.MaxProt != mach.ProtAll || ri.Inherit != mach.InheritCopy:
		return fmt.Errorf("protections %d/%d inheritance %d", ri.Prot, ri.MaxProt, ri.Inherit)
	case ri.PagesResident != 2 || ri.RefCount != 1 || ri.ShareMode != mach.SMPrivate || ri.ObjectID == 0:
		return fmt.Errorf("%d pages resident, %d refs, share mode %d, object %#x; want 2, 1, private", ri.PagesResident, ri.RefCount, ri.ShareMode, ri.ObjectID)
	}
	_, err = mach.RegionRecurse(^uint64(0)&^(mach.PageSize-1)-mach.PageSize, 0)
	return wantErr("above every region", err, mach.KernInvalidAddress)
}

func testPageRangeQuery() error {
	buf, err := region(4)
	if err != nil {
		return err
	}
	defer mach.Deallocate(buf, 4*mach.PageSize)
	*at(buf) = 1
	sink = *at(buf + 2*mach.PageSize)
	*at(buf + 3*mach.PageSize) = 1
	disp := make([]int32, 6)
	for i := range disp {
		disp[i] = -1
	}
	n, err := mach.PageRangeQuery(buf, 4*mach.PageSize, disp)
	if err != nil || n != 4 {
		return fmt.Errorf("%d dispositions, %v; want 4", n, err)
	}
	const pd = mach.PageQueryPresent | mach.PageQueryDirty
	if disp[0]&pd != pd || disp[1] != 0 || disp[2]&mach.PageQueryPresent == 0 || disp[3]&pd != pd || disp[4] != -1 {
		return fmt.Errorf("dispositions %#x, want present+dirty, none, present, present+dirty", disp[:5])
	}
	if err := mach.Msync(buf, mach.PageSize, mach.SyncKillPages); err != nil {
		return err
	}
	n, err = mach.PageRangeQuery(buf, 4*mach.PageSize, disp[:1])
	if err != nil || n != 1 || disp[0] != 0 {
		return fmt.Errorf("after KILLPAGES: %d dispositions %#x, %v; want one 0", n, disp[0], err)
	}
	_, err = mach.PageRangeQuery(^uint64(0)-0xff, mach.PageSize, disp)
	return wantErr("wrapping range", err, mach.KernInvalidArgument)
}

func testPageInfo() error {
	buf, err := region(2)
	if err != nil {
		return err
	}
	defer mach.Deallocate(buf, 2*mach.PageSize)
	*at(buf + mach.PageSize + 16) = 1
	pi, err := mach.VMPageInfo(buf + mach.PageSize + 16)
	if err != nil {
		return err
	}
	const pd = mach.PageQueryPresent | mach.PageQueryDirty
	if pi.Disposition&pd != pd || pi.RefCount != 1 || pi.ObjectID == 0 || pi.Offset != mach.PageSize+16 || pi.Depth != 0 {
		return fmt.Errorf("written page: %+v", pi)
	}
	pi, err = mach.VMPageInfo(buf)
	if err != nil || pi.Disposition != 0 {
		return fmt.Errorf("untouched page: %+v, %v", pi, err)
	}
	return nil
}
