//go:build tamago

package mach

import (
	"encoding/binary"
	"runtime"
	"unsafe"
)

// The rest of the vm calls: remapping, msync and advice, purgeable memory,
// cache attributes, the copying reads and the region and page queries
// (kernel/task/mach_vm.go serves them; docs/tasks.md lists their
// arguments).

// Trap numbers (kernel/task/mach.go).
const (
	TrapVMPurgableControl = -11
	TrapVMRemap           = -50
	TrapVMRemapNew        = -51
	TrapVMMsync           = -52
	TrapVMBehaviorSet     = -53
	TrapMemEntryPurgable  = -54
	TrapVMMachineAttr     = -55
	TrapVMReadList        = -56
	TrapVMReadOverwrite   = -57
	TrapVMRegionRecurse   = -58
	TrapVMPageRangeQuery  = -59
	TrapTaskPurgableInfo  = -64
	TrapVMPageInfo        = -70
)

// More flags of vm_allocate, vm_map and vm_remap
// (osfmk/mach/vm_statistics.h).
const (
	FlagsPurgable       = 0x2      // VM_FLAGS_PURGABLE: purgeable memory (vm_allocate, vm_map)
	FlagsReturnDataAddr = 0x100000 // VM_FLAGS_RETURN_DATA_ADDR: the address returned keeps the data's offset in its page
)

// More memory entry flags (osfmk/mach/memory_object_types.h).
const (
	MapMemPurgable    = 0x040000 // with MapMemNamedCreate: purgeable memory
	MapMemUseDataAddr = 0x100000 // the entry remembers the data's offset in its page
)

// Remap is vm_remap: it maps [src, src+size) of this task again at addr
// (or anywhere at or above it with FlagsAnywhere), shared or, with copy,
// as a copy, and returns the address and the protections the new mapping
// got.
func Remap(addr, size, mask, flags, src uint64, copy bool, inherit Inherit) (uint64, Prot, Prot, error) {
	return remap(TrapVMRemap, addr, size, mask, flags, src, copy, 0, 0, inherit)
}

// RemapNew is mach_vm_remap_new: Remap with the protections cur and max
// asked for, and FlagsReturnDataAddr implied.
func RemapNew(addr, size, mask, flags, src uint64, copy bool, cur, max Prot, inherit Inherit) (uint64, Prot, Prot, error) {
	return remap(TrapVMRemapNew, addr, size, mask, flags, src, copy, cur, max, inherit)
}

func remap(nr int64, addr, size, mask, flags, src uint64, copy bool, cur, max Prot, inherit Inherit) (uint64, Prot, Prot, error) {
	w := word()
	*w = addr
	block := new([3]uint64)
	block[0] = uint64(cur)<<8 | uint64(max)<<16 | uint64(inherit)<<24
	if copy {
		block[0] |= 1
	}
	err := result(trap(nr, p(w), uintptr(size), uintptr(mask), uintptr(flags), uintptr(src), uintptr(unsafe.Pointer(block))))
	runtime.KeepAlive(w)
	runtime.KeepAlive(block)
	return *w, Prot(block[1]), Prot(block[2]), err
}

// Msync flags (osfmk/mach/vm_sync.h).
const (
	SyncAsynchronous = 0x01
	SyncSynchronous  = 0x02
	SyncInvalidate   = 0x04
	SyncKillPages    = 0x08 // discard the contents of private memory: it reads zeros after
	SyncDeactivate   = 0x10
	SyncContiguous   = 0x20 // a hole in the range is KernInvalidAddress
)

// Msync is vm_msync.
func Msync(addr, size uint64, flags uint64) error {
	return result(trap(TrapVMMsync, uintptr(addr), uintptr(size), uintptr(flags), 0, 0, 0))
}

// Behaviors of BehaviorSet (osfmk/mach/vm_behavior.h).
const (
	BehaviorDefault    = 0
	BehaviorRandom     = 1
	BehaviorSequential = 2
	BehaviorWillNeed   = 4
	BehaviorDontNeed   = 5
	BehaviorFree       = 6 // discard the contents now
	BehaviorReusable   = 8
	BehaviorReuse      = 9
)

// BehaviorSet is vm_behavior_set.
func BehaviorSet(addr, size uint64, behavior int) error {
	return result(trap(TrapVMBehaviorSet, uintptr(addr), uintptr(size), uintptr(uint32(behavior)), 0, 0, 0))
}

// Purgeable controls and states (osfmk/mach/vm_purgable.h).
const (
	PurgableSetState = 0
	PurgableGetState = 1
	PurgablePurgeAll = 2

	PurgableNonvolatile = 0
	PurgableVolatile    = 1
	PurgableEmpty       = 2 // volatile and purged: the data is gone
)

// PurgableControl is vm_purgable_control on the purgeable memory at addr:
// it returns the state before the call (PurgableGetState: the state).
func PurgableControl(addr uint64, control int, state int) (int, error) {
	w := word()
	*w = uint64(uint32(state))
	err := result(trap(TrapVMPurgableControl, uintptr(addr), uintptr(control), p(w), 0, 0, 0))
	runtime.KeepAlive(w)
	return int(int32(*w)), err
}

// EntryPurgableControl is mach_memory_entry_purgable_control: as
// PurgableControl, on the memory of an entry.
func EntryPurgableControl(entry Port, control int, state int) (int, error) {
	w := word()
	*w = uint64(uint32(state))
	err := result(trap(TrapMemEntryPurgable, uintptr(entry), uintptr(control), p(w), 0, 0, 0))
	runtime.KeepAlive(w)
	return int(int32(*w)), err
}

// PurgeableStat counts volatile objects and their resident bytes.
type PurgeableStat struct{ Count, Size uint64 }

// PurgeableInfo is struct vm_purgeable_info: the volatile memory on each
// queue.
type PurgeableInfo struct {
	FIFO     [8]PurgeableStat
	Obsolete PurgeableStat
	LIFO     [8]PurgeableStat
}

// TaskPurgableInfo is task_purgable_info: the task's volatile memory.
func TaskPurgableInfo() (PurgeableInfo, error) {
	info := new(PurgeableInfo)
	err := result(trap(TrapTaskPurgableInfo, uintptr(unsafe.Pointer(info)), 0, 0, 0, 0, 0))
	return *info, err
}

// Machine attributes (osfmk/mach/vm_attributes.h).
const (
	MattrCache          = 1
	MattrMigrate        = 2
	MattrValCacheFlush  = 6
	MattrValDCacheFlush = 7
	MattrValICacheFlush = 8
	MattrValCacheSync   = 9
)

// MachineAttribute is vm_machine_attribute; it returns the value.
func MachineAttribute(addr, size uint64, attr, val int) (int, error) {
	w := word()
	*w = uint64(uint32(val))
	err := result(trap(TrapVMMachineAttr, uintptr(addr), uintptr(size), uintptr(attr), p(w), 0, 0))
	runtime.KeepAlive(w)
	return int(int32(*w)), err
}

// ReadEntry is an element of ReadList: a range going in, the copy's
// address coming out.
type ReadEntry struct{ Address, Size uint64 }

// ReadList is vm_read_list: each range is copied and placed anywhere in
// the task, its Address replaced by the copy's; empty and failed elements
// come back zero.
func ReadList(list []ReadEntry) error {
	if len(list) == 0 {
		return result(trap(TrapVMReadList, 0, 0, 0, 0, 0, 0))
	}
	err := result(trap(TrapVMReadList, uintptr(unsafe.Pointer(&list[0])), uintptr(len(list)), 0, 0, 0, 0))
	runtime.KeepAlive(list)
	return err
}

// ReadOverwrite is vm_read_overwrite: [addr, addr+size) copied over
// [data, data+size); it returns the bytes copied.
func ReadOverwrite(addr, size, data uint64) (uint64, error) {
	w := word()
	err := result(trap(TrapVMReadOverwrite, uintptr(addr), uintptr(size), uintptr(data), p(w), 0, 0))
	runtime.KeepAlive(w)
	return *w, err
}

// SubmapInfo is vm_region_submap_info_64, decoded.
type SubmapInfo struct {
	Start, Size           uint64
	Depth                 uint64
	Prot, MaxProt         Prot
	Inherit               Inherit
	Offset                uint64
	UserTag               uint32
	PagesResident         uint32
	PagesSharedNowPrivate uint32
	PagesSwappedOut       uint32
	PagesDirtied          uint32
	RefCount              uint32
	ShadowDepth           uint16
	ExternalPager         bool
	ShareMode             uint8 // SM_*: 1 COW, 2 private, 3 empty, 4 shared, 5 true shared, ...
	IsSubmap              bool
	Behavior              int32
	UserWiredCount        uint16
	PagesReusable         uint32
	ObjectID              uint64
}

// Share modes (osfmk/mach/vm_region.h).
const (
	SMCOW        = 1
	SMPrivate    = 2
	SMEmpty      = 3
	SMShared     = 4
	SMTrueShared = 5
)

// submapInfoCount is VM_REGION_SUBMAP_INFO_V2_COUNT_64, in 32-bit units.
const submapInfoCount = 19

// RegionRecurse is vm_region_recurse_64: the region at or above addr,
// descending into submaps down to depth levels.
func RegionRecurse(addr uint64, depth uint64) (SubmapInfo, error) {
	a, sz, d, cnt := word(), word(), word(), word()
	*a, *d, *cnt = addr, depth, submapInfoCount
	buf := make([]byte, 4*submapInfoCount)
	err := result(trap(TrapVMRegionRecurse, p(a), p(sz), p(d), uintptr(unsafe.Pointer(&buf[0])), p(cnt), 0))
	runtime.KeepAlive(a)
	runtime.KeepAlive(sz)
	runtime.KeepAlive(d)
	runtime.KeepAlive(cnt)
	if err != nil {
		return SubmapInfo{}, err
	}
	le := binary.LittleEndian
	return SubmapInfo{Start: *a, Size: *sz, Depth: *d,
		Prot: Prot(le.Uint32(buf[0:])), MaxProt: Prot(le.Uint32(buf[4:])), Inherit: Inherit(le.Uint32(buf[8:])),
		Offset: le.Uint64(buf[12:]), UserTag: le.Uint32(buf[20:]), PagesResident: le.Uint32(buf[24:]),
		PagesSharedNowPrivate: le.Uint32(buf[28:]), PagesSwappedOut: le.Uint32(buf[32:]),
		PagesDirtied: le.Uint32(buf[36:]), RefCount: le.Uint32(buf[40:]), ShadowDepth: le.Uint16(buf[44:]),
		ExternalPager: buf[46] != 0, ShareMode: buf[47], IsSubmap: le.Uint32(buf[48:]) != 0,
		Behavior: int32(le.Uint32(buf[52:])), UserWiredCount: le.Uint16(buf[60:]),
		PagesReusable: le.Uint32(buf[64:]), ObjectID: le.Uint64(buf[68:])}, nil
}

// Page dispositions (osfmk/mach/vm_statistics.h VM_PAGE_QUERY_*).
const (
	PageQueryPresent  = 0x01
	PageQueryRef      = 0x04
	PageQueryDirty    = 0x08
	PageQueryPagedOut = 0x10
	PageQueryCopied   = 0x20
	PageQueryExternal = 0x80
	PageQueryReusable = 0x800
)

// PageRangeQuery is mach_vm_page_range_query: the disposition of each page
// of [addr, addr+size), at most len(disp) of them; it returns how many it
// stored.
func PageRangeQuery(addr, size uint64, disp []int32) (int, error) {
	n := word()
	*n = uint64(len(disp))
	var at uintptr
	if len(disp) > 0 {
		at = uintptr(unsafe.Pointer(&disp[0]))
	}
	err := result(trap(TrapVMPageRangeQuery, uintptr(addr), uintptr(size), at, p(n), 0, 0))
	runtime.KeepAlive(disp)
	runtime.KeepAlive(n)
	return int(*n), err
}

// PageInfoBasic is vm_page_info_basic.
type PageInfoBasic struct {
	Disposition int32
	RefCount    int32
	ObjectID    uint64
	Offset      uint64
	Depth       int32
	_           int32
}

// VMPageInfo is mach_vm_page_info with VM_PAGE_INFO_BASIC (PageQuery is
// vm_page_query).
func VMPageInfo(addr uint64) (PageInfoBasic, error) {
	info := new(PageInfoBasic)
	cnt := word()
	*cnt = uint64(unsafe.Sizeof(*info) / 4)
	err := result(trap(TrapVMPageInfo, uintptr(addr), 1, uintptr(unsafe.Pointer(info)), p(cnt), 0, 0))
	runtime.KeepAlive(cnt)
	return *info, err
}
