package task

import (
	"encoding/binary"

	"github.com/tamach/tamach/pmap"
	"github.com/tamach/tamach/vm"
)

// Mach traps: the vm API offered to tasks under negative system call
// numbers, as XNU numbers its Mach traps (osfmk/kern/syscall_sw.c). Where
// XNU has a trap for the call the number is XNU's (_kernelrpc_mach_vm_*:
// allocate -10, purgable_control -11, deallocate -12, protect -14, map
// -15); the calls XNU only offers as MIG messages get numbers of their own
// from -40 down to -59, then from -70 down, and the task calls from -60 to
// -69. Every trap acts on the calling task (XNU's target
// task port is always mach_task_self() here) and returns a kern_return_t;
// results come back through pointers into the task's memory, written with
// copyOut. tasks/mach wraps them for Go programs; docs/tasks.md lists them.
const (
	TrapVMAllocate        = -10 // vm_allocate(*addr, size, flags)
	TrapVMDeallocate      = -12 // vm_deallocate(addr, size)
	TrapVMPurgableControl = -11 // vm_purgable_control(addr, control, *state)
	TrapVMProtect         = -14 // vm_protect(addr, size, set_max, prot)
	TrapVMMap             = -15 // vm_map(*addr, size, mask, flags, entry, *args)
	TrapVMInherit         = -40 // vm_inherit(addr, size, inherit)
	TrapVMCopy            = -41 // vm_copy(src, size, dst)
	TrapVMRead            = -42 // vm_read(addr, size, *data): copy placed anywhere
	TrapVMWrite           = -43 // vm_write(addr, data, size)
	TrapMakeMemoryEntry   = -44 // mach_make_memory_entry(*size, offset, flags, *entry)
	TrapVMRegion          = -45 // vm_region(*addr, *info): basic info of the region at or above
	TrapVMStatistics      = -46 // vm_statistics(*info)
	TrapVMWire            = -47 // vm_wire(addr, size, access): access 0 unwires
	TrapPortDeallocate    = -48 // mach_port_deallocate(entry)
	TrapVMPageQuery       = -49 // vm_page_query(addr, *info): disposition, refs, frame
	TrapVMRemap           = -50 // vm_remap(*addr, size, mask, flags, src, *args)
	TrapVMRemapNew        = -51 // mach_vm_remap_new(*addr, size, mask, flags, src, *args)
	TrapVMMsync           = -52 // vm_msync(addr, size, flags)
	TrapVMBehaviorSet     = -53 // vm_behavior_set(addr, size, behavior)
	TrapMemEntryPurgable  = -54 // mach_memory_entry_purgable_control(entry, control, *state)
	TrapVMMachineAttr     = -55 // vm_machine_attribute(addr, size, attribute, *value)
	TrapVMReadList        = -56 // vm_read_list(*list, count)
	TrapVMReadOverwrite   = -57 // vm_read_overwrite(addr, size, data, *outsize)
	TrapVMRegionRecurse   = -58 // vm_region_recurse_64(*addr, *size, *depth, *info, *count)
	TrapVMPageRangeQuery  = -59 // mach_vm_page_range_query(addr, size, dispositions, *count)
	TrapTaskFork          = -60 // task_fork(*child): 0 in the child
	TrapTaskWait          = -61 // task_wait(id, *id, *status): id -1 is any child
	TrapTaskID            = -62 // task_id(*id)
	TrapTaskSelfStatistic = -63 // task_statistics(*info): the task's map and pmap
	TrapTaskPurgableInfo  = -64 // task_purgable_info(*info): the task's volatile memory
	TrapVMPageInfo        = -70 // mach_vm_page_info(addr, flavor, *info, *count)
)

// machTraps is the trap table, keyed by the negative number.
var machTraps = map[int64]*syscallDef{
	TrapVMAllocate:        {"vm_allocate", trapVMAllocate},
	TrapVMDeallocate:      {"vm_deallocate", trapVMDeallocate},
	TrapVMPurgableControl: {"vm_purgable_control", trapVMPurgableControl},
	TrapVMProtect:         {"vm_protect", trapVMProtect},
	TrapVMMap:             {"vm_map", trapVMMap},
	TrapVMInherit:         {"vm_inherit", trapVMInherit},
	TrapVMCopy:            {"vm_copy", trapVMCopy},
	TrapVMRead:            {"vm_read", trapVMRead},
	TrapVMWrite:           {"vm_write", trapVMWrite},
	TrapMakeMemoryEntry:   {"mach_make_memory_entry", trapMakeMemoryEntry},
	TrapVMRegion:          {"vm_region", trapVMRegion},
	TrapVMStatistics:      {"vm_statistics", trapVMStatistics},
	TrapVMWire:            {"vm_wire", trapVMWire},
	TrapPortDeallocate:    {"mach_port_deallocate", trapPortDeallocate},
	TrapVMPageQuery:       {"vm_page_query", trapVMPageQuery},
	TrapVMRemap:           {"vm_remap", trapVMRemap},
	TrapVMRemapNew:        {"mach_vm_remap_new", trapVMRemapNew},
	TrapVMMsync:           {"vm_msync", trapVMMsync},
	TrapVMBehaviorSet:     {"vm_behavior_set", trapVMBehaviorSet},
	TrapMemEntryPurgable:  {"mach_memory_entry_purgable_control", trapMemEntryPurgable},
	TrapVMMachineAttr:     {"vm_machine_attribute", trapVMMachineAttr},
	TrapVMReadList:        {"vm_read_list", trapVMReadList},
	TrapVMReadOverwrite:   {"vm_read_overwrite", trapVMReadOverwrite},
	TrapVMRegionRecurse:   {"vm_region_recurse_64", trapVMRegionRecurse},
	TrapVMPageRangeQuery:  {"mach_vm_page_range_query", trapVMPageRangeQuery},
	TrapVMPageInfo:        {"mach_vm_page_info", trapVMPageInfo},
	TrapTaskFork:          {"task_fork", trapTaskFork},
	TrapTaskWait:          {"task_wait", trapTaskWait},
	TrapTaskID:            {"task_id", trapTaskID},
	TrapTaskSelfStatistic: {"task_statistics", trapTaskStatistics},
	TrapTaskPurgableInfo:  {"task_purgable_info", trapTaskPurgableInfo},
}

// kr is the value a trap returns for a vm result.
func kr(err error) int64 { return int64(vm.Code(err)) }

// krFault is returned when a result pointer cannot be written.
var krFault = int64(vm.KernInvalidAddress)

func trapVMAllocate(k *Kernel, th *Thread, a [6]uint64) int64 {
	m := th.Task.Map
	w, ok := k.getUint64s(th.Task, a[0], 1)
	if !ok {
		return krFault
	}
	addr, err := m.Allocate(vm.VAddr(w[0]), a[1], flagsArg(a[2]))
	if err != nil {
		return kr(err)
	}
	if !k.putUint64s(th.Task, a[0], uint64(addr)) {
		m.Deallocate(addr, a[1])
		return krFault
	}
	return 0
}

func trapVMDeallocate(k *Kernel, th *Thread, a [6]uint64) int64 {
	return kr(th.Task.Map.Deallocate(vm.VAddr(a[0]), a[1]))
}

// vmProt is a vm_prot_t argument: the low 32 bits of the register, as
// MIG passes an int; Map.Protect and Map.Wire refuse the values XNU
// refuses, in XNU's order.
func vmProt(r uint64) vm.Prot { return vm.Prot(int32(r)) }

func trapVMProtect(k *Kernel, th *Thread, a [6]uint64) int64 {
	return kr(th.Task.Map.Protect(vm.VAddr(a[0]), a[1], a[2] != 0, vmProt(a[3])))
}

func trapVMInherit(k *Kernel, th *Thread, a [6]uint64) int64 {
	if a[2] > 0xff {
		return int64(vm.KernInvalidArgument)
	}
	return kr(th.Task.Map.Inherit(vm.VAddr(a[0]), a[1], vm.Inherit(a[2])))
}

func trapVMCopy(k *Kernel, th *Thread, a [6]uint64) int64 {
	return kr(th.Task.Map.Copy(vm.VAddr(a[0]), a[1], vm.VAddr(a[2])))
}

// trapVMRead takes a copy of [addr, addr+size) and places it anywhere in the
// caller's map, returning where in *data (vm_read's out-of-line reply).
func trapVMRead(k *Kernel, th *Thread, a [6]uint64) int64 {
	m := th.Task.Map
	c, err := m.Read(vm.VAddr(a[0]), a[1])
	if err != nil {
		return kr(err)
	}
	at, err := m.CopyOut(c) // consumes c, success or not
	if err != nil {
		return kr(err)
	}
	if !k.putUint64s(th.Task, a[2], uint64(at)) {
		return krFault
	}
	return 0
}

// trapVMWrite writes [data, data+size) of the caller over [addr,
// addr+size).
func trapVMWrite(k *Kernel, th *Thread, a [6]uint64) int64 {
	m := th.Task.Map
	c, err := m.Read(vm.VAddr(a[1]), a[2])
	if err != nil {
		return kr(err)
	}
	if err := m.Write(vm.VAddr(a[0]), c); err != nil { // consumes c, success or not
		return kr(err)
	}
	return 0
}

// flagsArg is a trap's flags argument. XNU declares it int (the
// mach_vm_allocate_trap and mach_vm_map_trap argument structures in
// osfmk/mach/mach_traps.h), so its trap entry keeps the low 32 bits of the
// register and ignores the rest: so does tamach.
func flagsArg(reg uint64) vm.Flags { return vm.Flags(uint32(reg)) }

// vmMapArgs is the block trapVMMap reads its remaining arguments from:
// offset in the memory entry, then one word of
// copy | cur<<8 | max<<16 | inherit<<24.
const vmMapArgWords = 2

// trapVMMap is vm_map(*addr, size, mask, flags, entry, *args): it maps the
// memory entry named entry (0 for anonymous memory).
func trapVMMap(k *Kernel, th *Thread, a [6]uint64) int64 {
	t := th.Task
	w, ok := k.getUint64s(t, a[0], 1)
	if !ok {
		return krFault
	}
	args, ok := k.getUint64s(t, a[5], vmMapArgWords)
	if !ok {
		return krFault
	}
	o := vm.MapOptions{Mask: a[2], Flags: flagsArg(a[3]), Offset: args[0],
		Copy: args[1]&0xff != 0, Cur: pmap.Prot(args[1] >> 8), Max: pmap.Prot(args[1] >> 16),
		Inherit: new(vm.Inherit(args[1] >> 24))}
	if args[1]>>32 != 0 {
		return int64(vm.KernInvalidArgument)
	}
	if a[4] != 0 {
		p := t.ports[uint32(a[4])]
		if p == nil || a[4] > 0xffffffff {
			return int64(vm.KernInvalidName)
		}
		o.Entry = p.entry
	}
	addr, err := t.Map.MapMemory(vm.VAddr(w[0]), a[1], o)
	if err != nil {
		return kr(err)
	}
	if !k.putUint64s(t, a[0], uint64(addr)) {
		t.Map.Deallocate(addr, a[1])
		return krFault
	}
	return 0
}

// port is a task's name for a memory entry. Names are per task; fork gives
// the child the same entries under the same names (the entry itself is
// shared, counted here).
type port struct {
	entry *vm.MemoryEntry
	refs  int
}

func (p *port) release() {
	p.refs--
	if p.refs == 0 {
		p.entry.Release()
	}
}

// trapMakeMemoryEntry is mach_make_memory_entry(*size, offset, flags,
// *entry).
func trapMakeMemoryEntry(k *Kernel, th *Thread, a [6]uint64) int64 {
	t := th.Task
	w, ok := k.getUint64s(t, a[0], 1)
	if !ok {
		return krFault
	}
	if a[2] > 0xffffffff {
		return int64(vm.KernInvalidArgument)
	}
	me, size, err := t.Map.MakeMemoryEntry(w[0], vm.VAddr(a[1]), vm.MemEntryFlags(a[2]), nil)
	if err != nil || me == nil {
		return kr(err)
	}
	name := t.nextPort
	if !k.putUint64s(t, a[0], size) || !k.putUint64s(t, a[3], uint64(name)) {
		me.Release()
		return krFault
	}
	t.nextPort++
	t.ports[name] = &port{entry: me, refs: 1}
	return 0
}

func trapPortDeallocate(k *Kernel, th *Thread, a [6]uint64) int64 {
	t := th.Task
	p := t.ports[uint32(a[0])]
	if p == nil || a[0] > 0xffffffff {
		return int64(vm.KernInvalidName)
	}
	delete(t.ports, uint32(a[0]))
	p.release()
	return 0
}

// RegionInfoWords is the size in words of what vm_region writes: start,
// size, protection, max protection, inheritance, shared.
const RegionInfoWords = 6

// trapVMRegion is vm_region(*addr, *info) with VM_REGION_BASIC_INFO_64.
func trapVMRegion(k *Kernel, th *Thread, a [6]uint64) int64 {
	t := th.Task
	w, ok := k.getUint64s(t, a[0], 1)
	if !ok {
		return krFault
	}
	ri, err := t.Map.Region(vm.VAddr(w[0]), vm.FlavorBasicInfo64)
	if err != nil {
		return kr(err)
	}
	b := ri.Basic
	shared := uint64(0)
	if b.Shared {
		shared = 1
	}
	if !k.putUint64s(t, a[1], uint64(ri.Start), ri.Size, uint64(b.Protection), uint64(b.MaxProtection),
		uint64(b.Inheritance), shared) {
		return krFault
	}
	return 0
}

// statisticsWords lists what vm_statistics writes, in this order.
func statisticsWords(s vm.Statistics, poolPages int) []uint64 {
	return []uint64{uint64(poolPages), s.FreeCount, s.ActiveCount, s.InactiveCount, s.WireCount,
		s.Faults, s.ZeroFills, s.CowFaults, s.Pageins, s.Pageouts, s.Reactivations,
		s.Reclaims, s.Lookups, s.Hits, s.Collapses, s.Bypasses}
}

// trapVMStatistics is vm_statistics(*info): the vm system's counters.
func trapVMStatistics(k *Kernel, th *Thread, a [6]uint64) int64 {
	s := k.cfg.VM.Statistics()
	if !k.putUint64s(th.Task, a[0], statisticsWords(s, k.cfg.VM.PoolPages())...) {
		return krFault
	}
	return 0
}

// trapTaskStatistics is task_statistics(*info): the task's map entries,
// and its pmap's resident, wired and table pages.
func trapTaskStatistics(k *Kernel, th *Thread, a [6]uint64) int64 {
	m := th.Task.Map
	st := m.Pmap().Stats()
	if !k.putUint64s(th.Task, a[0], uint64(m.Entries()), st.Resident, st.Wired, st.TablePages) {
		return krFault
	}
	return 0
}

func trapVMWire(k *Kernel, th *Thread, a [6]uint64) int64 {
	return kr(th.Task.Map.Wire(vm.VAddr(a[0]), a[1], vmProt(a[2])))
}

func trapTaskID(k *Kernel, th *Thread, a [6]uint64) int64 {
	if !k.putUint64s(th.Task, a[0], uint64(th.Task.ID)) {
		return krFault
	}
	return 0
}

// trapTaskFork is task_fork(*child): a new task whose map is vm_map_fork of
// the caller's (each entry as its inheritance says) and whose one thread
// continues from the call with the caller's registers. *child is the
// child's id in the parent and 0 in the child; both see KERN_SUCCESS. The
// other threads of the caller are not copied.
func trapTaskFork(k *Kernel, th *Thread, a [6]uint64) int64 {
	parent := th.Task
	pm, err := k.newSpace()
	if err != nil {
		return int64(vm.KernResourceShortage)
	}
	m, err := parent.Map.Fork(pm)
	if err != nil {
		return kr(err)
	}
	child := k.newTask(parent.Name, parent, m)
	for name, p := range parent.ports {
		p.refs++
		child.ports[name] = p
	}
	child.nextPort = parent.nextPort
	if !k.putUint64s(child, a[0], 0) || !k.putUint64s(parent, a[0], uint64(child.ID)) {
		k.exitTask(child, killStatus(sigKILL))
		k.reap(child)
		return krFault
	}
	c := th.Ctx.Clone()
	c.SetSyscallReturn(uint64(vm.KernSuccess))
	k.newThread(child, c)
	return 0
}

// waitCall is a task_wait in progress.
type waitCall struct {
	id               int64
	idPtr, statusPtr uint64
}

func (w waitCall) matches(c *Task) bool { return w.id == -1 || w.id == int64(c.ID) }

// trapTaskWait is task_wait(id, *id, *status): it waits for the child id
// (any child for -1) to exit, reaps it and returns its id and wait status.
// No such child is KERN_INVALID_ARGUMENT.
func trapTaskWait(k *Kernel, th *Thread, a [6]uint64) int64 {
	w := waitCall{id: int64(a[0]), idPtr: a[1], statusPtr: a[2]}
	t := th.Task
	found := false
	for _, c := range t.children {
		if !w.matches(c) {
			continue
		}
		found = true
		if c.State == TaskZombie {
			return k.finishWait(th, w, c)
		}
	}
	if !found {
		return int64(vm.KernInvalidArgument)
	}
	th.State, th.wait = ThreadWaiting, w
	k.blocked++
	return 0
}

// finishWait reaps child for th's wait w and writes the results.
func (k *Kernel) finishWait(th *Thread, w waitCall, child *Task) int64 {
	k.reap(child)
	var st [4]byte
	binary.LittleEndian.PutUint32(st[:], uint32(child.Status))
	if !k.putUint64s(th.Task, w.idPtr, uint64(child.ID)) || !k.copyOut(th.Task, w.statusPtr, st[:]) {
		return krFault
	}
	return 0
}

// notifyParent completes the waits of p's threads that a zombie child
// satisfies.
func (k *Kernel) notifyParent(p *Task) {
	for _, th := range p.threads {
		if th.State != ThreadWaiting {
			continue
		}
		for _, c := range p.children {
			if c.State == TaskZombie && th.wait.matches(c) {
				ret := k.finishWait(th, th.wait, c)
				k.blocked--
				th.Ctx.SetSyscallReturn(uint64(ret))
				th.State = ThreadRunnable
				k.runq = append(k.runq, th)
				break
			}
		}
	}
}

// trapVMPageQuery is vm_map_page_query(addr, *info): the page's disposition
// (VM_PAGE_QUERY_*), the reference count of the object holding it, and the
// physical frame the task's pmap maps it to (0 when not mapped), so that a
// task can see which pages a fork left shared (Linux shows the same in
// /proc/self/pagemap).
func trapVMPageQuery(k *Kernel, th *Thread, a [6]uint64) int64 {
	t := th.Task
	va := vm.VAddr(a[0])
	if va < k.cfg.UserMin || va >= k.cfg.UserMax {
		return int64(vm.KernInvalidAddress)
	}
	disp, refs, err := t.Map.PageQuery(va)
	if err != nil {
		return kr(err)
	}
	var frame uint64
	if pa, _, ok := t.Map.Pmap().Extract(va.Trunc()); ok {
		frame = uint64(pa.Trunc())
	}
	if !k.putUint64s(t, a[1], uint64(disp), uint64(refs), frame) {
		return krFault
	}
	return 0
}
