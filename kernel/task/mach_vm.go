package task

import (
	"encoding/binary"

	"github.com/tamach/tamach/pmap"
	"github.com/tamach/tamach/vm"
)

// The Mach traps for the rest of the vm calls a task may make: remapping,
// msync and advice, purgeable memory, cache attributes, the copying reads,
// and the region and page queries (numbers and table in mach.go). They
// follow the conventions of the first traps: every one acts on the calling
// task; scalar results come back as little-endian 64-bit words through
// pointers; info structures the task reads are laid out as XNU's (the
// layout is given with each) and written little-endian; an argument that
// does not fit the C type XNU has for it (a 32-bit int, flags, a
// vm_prot_t) is KERN_INVALID_ARGUMENT rather than silently truncated; a
// pointer the kernel cannot read or write is KERN_INVALID_ADDRESS (krFault).

// krInvalidArgument is KERN_INVALID_ARGUMENT as a trap result.
var krInvalidArgument = int64(vm.KernInvalidArgument)

// fits32 reports whether a register holds a 32-bit value (an int,
// unsigned int or vm_prot_t argument of XNU's C interface).
func fits32(r uint64) bool { return r <= 0xffffffff }

// remapArgWords is the size of the block vm_remap and mach_vm_remap_new
// read their last arguments from and write their protections to:
//
//	word 0 (in):  copy | cur<<8 | max<<16 | inherit<<24 (vm_map's word;
//	              vm_remap ignores cur and max, which it only returns)
//	word 1 (out): the current protection of the new mapping
//	word 2 (out): its maximum protection
const remapArgWords = 3

// trapVMRemap is vm_remap(*addr, size, mask, flags, src, *args): it maps
// [src, src+size) of the calling task again at *addr (or anywhere, with
// FlagsAnywhere), shared or as a copy; *addr gets the address (with
// VM_FLAGS_RETURN_DATA_ADDR, src's offset in its page included) and the
// block the protections the new entries got, the most restrictive of the
// source's (osfmk/vm/vm_user.c mach_vm_remap_external). The source task is
// always the caller.
func trapVMRemap(k *Kernel, th *Thread, a [6]uint64) int64 { return remapTrap(k, th, a, false) }

// trapVMRemapNew is mach_vm_remap_new(*addr, size, mask, flags, src,
// *args): vm_remap with the protections cur and max of the block's word 0
// asked for (and returned), and VM_FLAGS_RETURN_DATA_ADDR implied
// (osfmk/vm/vm_user.c mach_vm_remap_new_external).
func trapVMRemapNew(k *Kernel, th *Thread, a [6]uint64) int64 { return remapTrap(k, th, a, true) }

func remapTrap(k *Kernel, th *Thread, a [6]uint64, isNew bool) int64 {
	t := th.Task
	m := t.Map
	w, ok := k.getUint64s(t, a[0], 1)
	if !ok {
		return krFault
	}
	args, ok := k.getUint64s(t, a[5], remapArgWords)
	if !ok {
		return krFault
	}
	if args[0]>>32 != 0 || !fits32(a[3]) {
		return krInvalidArgument
	}
	cp := args[0]&0xff != 0
	cur, max := pmap.Prot(args[0]>>8), pmap.Prot(args[0]>>16)
	inh := vm.Inherit(args[0] >> 24)
	var res vm.RemapResult
	var err error
	if isNew {
		res, err = m.RemapNew(vm.VAddr(w[0]), a[1], a[2], flagsArg(a[3]), m, vm.VAddr(a[4]), cp, cur, max, inh)
	} else {
		res, err = m.Remap(vm.VAddr(w[0]), a[1], a[2], flagsArg(a[3]), m, vm.VAddr(a[4]), cp, inh)
	}
	if err != nil {
		return kr(err)
	}
	if !k.putUint64s(t, a[5]+8, uint64(res.Cur), uint64(res.Max)) || !k.putUint64s(t, a[0], uint64(res.Address)) {
		// The range the new entries cover, found from the address
		// returned as vm_deallocate rounds it.
		m.Deallocate(res.Address, a[1])
		return krFault
	}
	return 0
}

// trapVMMsync is vm_msync(addr, size, flags): flags are VM_SYNC_*
// (osfmk/mach/vm_sync.h), a 32-bit vm_sync_t.
func trapVMMsync(k *Kernel, th *Thread, a [6]uint64) int64 {
	if !fits32(a[2]) {
		return krInvalidArgument
	}
	return kr(th.Task.Map.Msync(vm.VAddr(a[0]), a[1], vm.SyncFlags(a[2])))
}

// trapVMBehaviorSet is vm_behavior_set(addr, size, behavior): behavior is
// a VM_BEHAVIOR_* value (osfmk/mach/vm_behavior.h), a 32-bit int.
func trapVMBehaviorSet(k *Kernel, th *Thread, a [6]uint64) int64 {
	if !fits32(a[2]) {
		return krInvalidArgument
	}
	return kr(th.Task.Map.BehaviorSet(vm.VAddr(a[0]), a[1], vm.Behavior(int32(uint32(a[2])))))
}

// purgableArgs reads the control and the state word of a purgeable-control
// trap: control a register, *state a 64-bit word holding XNU's int. The
// state word is only an argument of SET_STATE (the other controls ignore
// it going in), so only there must it fit 32 bits.
func (k *Kernel) purgableArgs(t *Task, control, statePtr uint64) (vm.PurgableControl, vm.PurgableState, int64) {
	w, ok := k.getUint64s(t, statePtr, 1)
	if !ok {
		return 0, 0, krFault
	}
	if !fits32(control) || control == uint64(vm.PurgableSetState) && !fits32(w[0]) {
		return 0, 0, krInvalidArgument
	}
	return vm.PurgableControl(int32(uint32(control))), vm.PurgableState(int32(uint32(w[0]))), 0
}

// putState writes a purgeable state back to *state.
func (k *Kernel) putState(t *Task, statePtr uint64, s vm.PurgableState) int64 {
	if !k.putUint64s(t, statePtr, uint64(uint32(s))) {
		return krFault
	}
	return 0
}

// trapVMPurgableControl is vm_purgable_control(addr, control, *state), at
// XNU's trap number (_kernelrpc_mach_vm_purgable_control_trap,
// osfmk/kern/syscall_sw.c): control is VM_PURGABLE_SET_STATE, GET_STATE or
// PURGE_ALL (osfmk/mach/vm_purgable.h); *state is the state word going in
// and the state before the call (GET_STATE: the state) coming out.
func trapVMPurgableControl(k *Kernel, th *Thread, a [6]uint64) int64 {
	t := th.Task
	control, state, r := k.purgableArgs(t, a[1], a[2])
	if r != 0 {
		return r
	}
	old, err := t.Map.PurgableControl(vm.VAddr(a[0]), control, state)
	if err != nil {
		return kr(err)
	}
	return k.putState(t, a[2], old)
}

// trapMemEntryPurgable is mach_memory_entry_purgable_control(entry,
// control, *state): vm_purgable_control on the object of a memory entry
// the task holds (mach_make_memory_entry with MAP_MEM_NAMED_CREATE |
// MAP_MEM_PURGABLE), mapped or not (osfmk/vm/vm_memory_entry.c). A name
// the task does not hold is KERN_INVALID_NAME, as for vm_map.
func trapMemEntryPurgable(k *Kernel, th *Thread, a [6]uint64) int64 {
	t := th.Task
	p := t.ports[uint32(a[0])]
	if p == nil || !fits32(a[0]) {
		return int64(vm.KernInvalidName)
	}
	control, state, r := k.purgableArgs(t, a[1], a[2])
	if r != 0 {
		return r
	}
	old, err := p.entry.PurgableControl(control, state)
	if err != nil {
		return kr(err)
	}
	return k.putState(t, a[2], old)
}

// trapVMMachineAttr is vm_machine_attribute(addr, size, attribute,
// *value): attribute MATTR_* and *value a MATTR_VAL_* word, in and out
// (osfmk/mach/vm_attributes.h).
func trapVMMachineAttr(k *Kernel, th *Thread, a [6]uint64) int64 {
	t := th.Task
	w, ok := k.getUint64s(t, a[3], 1)
	if !ok {
		return krFault
	}
	if !fits32(a[2]) || !fits32(w[0]) {
		return krInvalidArgument
	}
	val, err := t.Map.MachineAttribute(vm.VAddr(a[0]), a[1], vm.MachineAttribute(a[2]),
		vm.MachineAttributeVal(int32(uint32(w[0]))))
	if err != nil {
		return kr(err)
	}
	if !k.putUint64s(t, a[3], uint64(uint32(val))) {
		return krFault
	}
	return 0
}

// trapVMReadList is vm_read_list(*list, count): list is count elements of
// {address, size} (mach_vm_read_entry, two words), at most
// VM_MAP_ENTRY_MAX (256; more is KERN_INVALID_ARGUMENT). Each range is
// copied and placed anywhere in the caller, and its element's address
// replaced by where; an element of size 0 or whose copy failed comes back
// as {0, 0}. The list is written back whatever the result (the result is
// that of the last non-empty element), so that the task learns where the
// copies that did succeed are; XNU's MIG reply would drop them on an
// error.
func trapVMReadList(k *Kernel, th *Thread, a [6]uint64) int64 {
	t := th.Task
	if a[1] > vm.MaxReadList {
		return krInvalidArgument
	}
	n := int(a[1])
	w, ok := k.getUint64s(t, a[0], 2*n)
	if !ok {
		return krFault
	}
	list := make([]vm.ReadListEntry, n)
	for i := range list {
		list[i] = vm.ReadListEntry{Address: vm.VAddr(w[2*i]), Size: w[2*i+1]}
	}
	err := t.Map.ReadList(list, t.Map)
	for i, el := range list {
		w[2*i], w[2*i+1] = uint64(el.Address), el.Size
	}
	if !k.putUint64s(t, a[0], w...) {
		for _, el := range list {
			if el.Size != 0 {
				t.Map.Deallocate(el.Address, el.Size)
			}
		}
		return krFault
	}
	return kr(err)
}

// trapVMReadOverwrite is vm_read_overwrite(addr, size, data, *outsize): it
// copies [addr, addr+size) over [data, data+size) of the caller and
// writes the bytes copied to *outsize.
func trapVMReadOverwrite(k *Kernel, th *Thread, a [6]uint64) int64 {
	t := th.Task
	n, err := t.Map.ReadOverwrite(vm.VAddr(a[0]), a[1], t.Map, vm.VAddr(a[2]))
	if err != nil {
		return kr(err)
	}
	if !k.putUint64s(t, a[3], n) {
		return krFault
	}
	return 0
}

// Sizes, in 32-bit units as XNU counts them, of the flavors of
// vm_region_submap_info_64 (osfmk/mach/vm_region.h, under #pragma
// pack(4)): the short info, and versions 0 to 2 of the full one.
const (
	SubmapShortInfoCount = 12 // VM_REGION_SUBMAP_SHORT_INFO_COUNT_64: 48 bytes
	SubmapInfoV0Count    = 16 // VM_REGION_SUBMAP_INFO_V0_COUNT_64: 64 bytes
	SubmapInfoV1Count    = 17 // VM_REGION_SUBMAP_INFO_V1_COUNT_64: 68, with pages_reusable
	SubmapInfoV2Count    = 19 // VM_REGION_SUBMAP_INFO_V2_COUNT_64: 76, with object_id_full
)

// submapInfo lays out what vm_region_recurse_64 reports, in count units
// (one of the counts above), as XNU's structures (offsets in bytes):
//
//	vm_region_submap_info_64              vm_region_submap_short_info_64
//	 0 protection         int32            0 protection
//	 4 max_protection     int32            4 max_protection
//	 8 inheritance        uint32           8 inheritance
//	12 offset             uint64          12 offset
//	20 user_tag           uint32          20 user_tag
//	24 pages_resident     uint32          24 ref_count
//	28 pages_shared_now_private           28 shadow_depth  uint16
//	32 pages_swapped_out  uint32          30 external_pager uint8
//	36 pages_dirtied      uint32          31 share_mode    uint8
//	40 ref_count          uint32          32 is_submap     int32
//	44 shadow_depth       uint16          36 behavior      int32
//	46 external_pager     uint8           40 object_id     uint32
//	47 share_mode         uint8           44 user_wired_count uint16, 2 bytes pad
//	48 is_submap          int32
//	52 behavior           int32
//	56 object_id          uint32 (the low half of tamach's object id)
//	60 user_wired_count   uint16, 2 bytes pad
//	64 pages_reusable     uint32 (V1)
//	68 object_id_full     uint64 (V2)
func submapInfo(ri vm.RegionInfo, count int) []byte {
	b, x := ri.Basic, ri.Extended
	le := binary.LittleEndian
	buf := make([]byte, 4*count)
	le.PutUint32(buf[0:], uint32(b.Protection))
	le.PutUint32(buf[4:], uint32(b.MaxProtection))
	le.PutUint32(buf[8:], uint32(b.Inheritance))
	le.PutUint64(buf[12:], b.Offset)
	le.PutUint32(buf[20:], uint32(x.UserTag))
	ext := uint8(0)
	if x.ExternalPager {
		ext = 1
	}
	sub := uint32(0)
	if ri.IsSubmap {
		sub = 1
	}
	if count == SubmapShortInfoCount {
		le.PutUint32(buf[24:], x.RefCount)
		le.PutUint16(buf[28:], x.ShadowDepth)
		buf[30], buf[31] = ext, uint8(x.ShareMode)
		le.PutUint32(buf[32:], sub)
		le.PutUint32(buf[36:], uint32(b.Behavior))
		le.PutUint32(buf[40:], uint32(ri.ObjectID))
		le.PutUint16(buf[44:], b.UserWiredCount)
		return buf
	}
	le.PutUint32(buf[24:], x.PagesResident)
	le.PutUint32(buf[28:], x.PagesSharedNowPrivate)
	le.PutUint32(buf[32:], x.PagesSwappedOut)
	le.PutUint32(buf[36:], x.PagesDirtied)
	le.PutUint32(buf[40:], x.RefCount)
	le.PutUint16(buf[44:], x.ShadowDepth)
	buf[46], buf[47] = ext, uint8(x.ShareMode)
	le.PutUint32(buf[48:], sub)
	le.PutUint32(buf[52:], uint32(b.Behavior))
	le.PutUint32(buf[56:], uint32(ri.ObjectID))
	le.PutUint16(buf[60:], b.UserWiredCount)
	if count >= SubmapInfoV1Count {
		le.PutUint32(buf[64:], x.PagesReusable)
	}
	if count >= SubmapInfoV2Count {
		le.PutUint64(buf[68:], ri.ObjectID)
	}
	return buf
}

// trapVMRegionRecurse is vm_region_recurse_64(*addr, *size, *depth, *info,
// *count): the region at or above *addr, descending into submaps down to
// *depth levels. *count (in: the room at info, in 32-bit units) picks the
// structure as vm_map_region_recurse_64 does (osfmk/vm/vm_map.c): below
// the short info KERN_INVALID_ARGUMENT; below V0 the short info; then the
// largest full version that fits. On success *addr, *size, *depth (the
// depth found) and *count (what was written) are set; no region at or
// above is KERN_INVALID_ADDRESS.
func trapVMRegionRecurse(k *Kernel, th *Thread, a [6]uint64) int64 {
	t := th.Task
	addr, ok1 := k.getUint64s(t, a[0], 1)
	depth, ok2 := k.getUint64s(t, a[2], 1)
	cnt, ok3 := k.getUint64s(t, a[4], 1)
	if !ok1 || !ok2 || !ok3 {
		return krFault
	}
	if !fits32(depth[0]) {
		return krInvalidArgument
	}
	var count int
	switch c := cnt[0]; {
	case c < SubmapShortInfoCount:
		return krInvalidArgument
	case c < SubmapInfoV0Count:
		count = SubmapShortInfoCount
	case c < SubmapInfoV1Count:
		count = SubmapInfoV0Count
	case c < SubmapInfoV2Count:
		count = SubmapInfoV1Count
	default:
		count = SubmapInfoV2Count
	}
	ri, err := t.Map.RegionRecurse(vm.VAddr(addr[0]), int(depth[0]))
	if err != nil {
		return kr(err)
	}
	if !k.copyOut(t, a[3], submapInfo(ri, count)) || !k.putUint64s(t, a[4], uint64(count)) ||
		!k.putUint64s(t, a[2], uint64(ri.Depth)) || !k.putUint64s(t, a[1], ri.Size) ||
		!k.putUint64s(t, a[0], uint64(ri.Start)) {
		return krFault
	}
	return 0
}

// trapVMPageRangeQuery is mach_vm_page_range_query(addr, size,
// dispositions, *count): the VM_PAGE_QUERY_* disposition of each page of
// [addr, addr+size), stored as 32-bit ints (XNU's int array) at
// dispositions, at most *count of them; *count gets how many were stored.
// As in XNU (osfmk/vm/vm_user.c mach_vm_page_range_query): a count whose
// array would wrap the address space is KERN_INVALID_ARGUMENT, a bad range
// as Map.PageRangeQuery, count 0 or size 0 succeeds storing nothing (and
// leaves *count), and the range is walked and copied out
// MAX_PAGE_RANGE_QUERY bytes at a time, so the kernel never holds more than
// one chunk's dispositions however large the request.
func trapVMPageRangeQuery(k *Kernel, th *Thread, a [6]uint64) int64 {
	t := th.Task
	m := t.Map
	cnt, ok := k.getUint64s(t, a[3], 1)
	if !ok {
		return krFault
	}
	want := cnt[0]
	if want > (^uint64(0))/4 || a[2]+4*want < a[2] {
		return krInvalidArgument
	}
	if _, err := m.PageRangeQuery(vm.VAddr(a[0]), a[1], nil); err != nil {
		return kr(err)
	}
	if want == 0 || a[1] == 0 {
		return 0
	}
	start := a[0] &^ pmap.PageMask
	end := (a[0] + a[1] + pmap.PageMask) &^ pmap.PageMask // checked above: no wrap
	done := uint64(0)
	for va := start; va < end && done < want; {
		chunk := min(end-va, vm.MaxPageRangeQuery)
		disp := make([]vm.PageQuery, min(chunk/pmap.PageSize, want-done))
		n, err := m.PageRangeQuery(vm.VAddr(va), chunk, disp)
		if err != nil {
			return kr(err)
		}
		buf := make([]byte, 4*n)
		for i := range n {
			binary.LittleEndian.PutUint32(buf[4*i:], uint32(disp[i]))
		}
		if !k.copyOut(t, a[2]+4*done, buf) {
			return krFault
		}
		done += uint64(n)
		va += chunk
	}
	if !k.putUint64s(t, a[3], done) {
		return krFault
	}
	return 0
}

// Sizes of vm_page_info_basic in 32-bit units (osfmk/mach/vm_region.h):
// XNU also takes one less, the structure before its padding was counted.
const (
	PageInfoBasicCount = 8 // VM_PAGE_INFO_BASIC_COUNT
)

// trapVMPageInfo is mach_vm_page_info(addr, flavor, *info, *count) with
// VM_PAGE_INFO_BASIC, the only flavor (another is KERN_INVALID_ARGUMENT).
// *count must be VM_PAGE_INFO_BASIC_COUNT or one less
// (KERN_INVALID_ARGUMENT otherwise, as vm_map_page_range_info_internal
// checks, osfmk/vm/vm_map.c); that many 32-bit units of
// vm_page_info_basic are written:
//
//	 0 disposition  int32 (VM_PAGE_QUERY_*)
//	 4 ref_count    int32
//	 8 object_id    uint64
//	16 offset       uint64 (of addr in that object)
//	24 depth        int32
//	28 __pad        int32 (0)
//
// An unmapped address answers zeros, as XNU's.
func trapVMPageInfo(k *Kernel, th *Thread, a [6]uint64) int64 {
	t := th.Task
	cnt, ok := k.getUint64s(t, a[3], 1)
	if !ok {
		return krFault
	}
	if a[1] != uint64(vm.PageInfoBasic) {
		return krInvalidArgument
	}
	if cnt[0] != PageInfoBasicCount && cnt[0] != PageInfoBasicCount-1 {
		return krInvalidArgument
	}
	pi, err := t.Map.PageInfo(vm.VAddr(a[0]), vm.PageInfoBasic)
	if err != nil {
		return kr(err)
	}
	le := binary.LittleEndian
	buf := make([]byte, 4*PageInfoBasicCount)
	le.PutUint32(buf[0:], uint32(pi.Disposition))
	le.PutUint32(buf[4:], uint32(pi.RefCount))
	le.PutUint64(buf[8:], pi.ObjectID)
	le.PutUint64(buf[16:], pi.Offset)
	le.PutUint32(buf[24:], uint32(pi.Depth))
	if !k.copyOut(t, a[2], buf[:4*cnt[0]]) {
		return krFault
	}
	return 0
}

// trapTaskPurgableInfo is task_purgable_info(*info): the volatile objects
// the task made, as struct vm_purgeable_info (osfmk/mach/vm_statistics.h):
// 17 vm_purgeable_stat_t {count, size} pairs of 64-bit words, the 8 FIFO
// groups, the obsolete queue, then the 8 LIFO groups (272 bytes).
func trapTaskPurgableInfo(k *Kernel, th *Thread, a [6]uint64) int64 {
	info := th.Task.Map.PurgableInfo()
	w := make([]uint64, 0, 34)
	for _, s := range info.FIFO {
		w = append(w, s.Count, s.Size)
	}
	w = append(w, info.Obsolete.Count, info.Obsolete.Size)
	for _, s := range info.LIFO {
		w = append(w, s.Count, s.Size)
	}
	if !k.putUint64s(th.Task, a[0], w...) {
		return krFault
	}
	return 0
}
