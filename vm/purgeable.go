package vm

import (
	"fmt"

	"github.com/tamach/tamach/pmap"
)

// Purgeable memory (osfmk/vm/vm_purgeable.c, vm_object_purgable_control in
// osfmk/vm/vm_object.c). A purgeable object is created nonvolatile by
// vm_allocate or vm_map with FlagsPurgable, or by mach_make_memory_entry
// with MapMemNamedCreate|MapMemPurgable. Its owner may make it volatile: the
// kernel may then purge it, whole, instead of paging it out; a purged
// object is empty and reads as zeros until written again. The states:
//
//	               set VOLATILE                purge (PURGE_ALL, pageout,
//	NONVOLATILE ──────────────▶ VOLATILE ──────────────────────────────▶ EMPTY
//	     ▲  ◀────────────────────  │           or set EMPTY)               │
//	     │     set NONVOLATILE     │ set EMPTY                             │
//	     │                         ▼                                       │
//	     └──────── set NONVOLATILE ── EMPTY ◀── set VOLATILE (stays empty) ┘
//
// Every call returns the state before it: NONVOLATILE after VOLATILE means
// the data survived, EMPTY that it was lost. A volatile object is on one of
// XNU's volatile queues (FIFO, LIFO or obsolete) in one of eight groups,
// which vm_purgeable_info reports; tamach keeps the queue and group for
// that report, and its pageout purges whichever volatile object owns a page
// the pageout policy picks (XNU's pageout picks objects by queue, group and
// age). Copies of purgeable memory are always made at once
// (Object.copiedEagerly), so a purge never reaches a copy.

// PurgableControl is the control argument of vm_purgable_control
// (osfmk/mach/vm_purgable.h).
type PurgableControl int32

// Purgable controls.
const (
	PurgableSetState           PurgableControl = 0 // VM_PURGABLE_SET_STATE
	PurgableGetState           PurgableControl = 1 // VM_PURGABLE_GET_STATE
	PurgablePurgeAll           PurgableControl = 2 // VM_PURGABLE_PURGE_ALL: purge every volatile object now
	PurgableSetStateFromKernel PurgableControl = 3 // VM_PURGABLE_SET_STATE_FROM_KERNEL: refused from tasks
)

// PurgableState is the state of a purgeable object, and the state word of
// vm_purgable_control: a state in the low two bits (PurgableStateMask),
// and with PurgableSetState the queue, group and debug bits below.
type PurgableState int32

// Purgable states. VM_PURGABLE_DENY marks an object that is not purgeable.
const (
	PurgableNonvolatile PurgableState = 0 // VM_PURGABLE_NONVOLATILE
	PurgableVolatile    PurgableState = 1 // VM_PURGABLE_VOLATILE
	PurgableEmpty       PurgableState = 2 // VM_PURGABLE_EMPTY: volatile and purged
	PurgableDeny        PurgableState = 3 // VM_PURGABLE_DENY: not purgeable
)

var purgableStateNames = [...]string{"VM_PURGABLE_NONVOLATILE", "VM_PURGABLE_VOLATILE",
	"VM_PURGABLE_EMPTY", "VM_PURGABLE_DENY"}

// String returns the Mach name of a state, e.g. "VM_PURGABLE_VOLATILE",
// or the word in hexadecimal if it is not one of the four states.
func (s PurgableState) String() string {
	if s >= 0 && int(s) < len(purgableStateNames) {
		return purgableStateNames[s]
	}
	return fmt.Sprintf("purgable_state(%#x)", int32(s))
}

// Bits of the state word besides the state (osfmk/mach/vm_purgable.h).
const (
	PurgableStateMask        PurgableState = 0x3     // VM_PURGABLE_STATE_MASK
	VolatileMakeFirstInGroup PurgableState = 0x10    // VM_VOLATILE_MAKE_FIRST_IN_GROUP (obsolete, ignored)
	PurgableOrderingObsolete PurgableState = 0x20    // VM_PURGABLE_ORDERING_OBSOLETE: purge before any other
	PurgableBehaviorLIFO     PurgableState = 0x40    // VM_PURGABLE_BEHAVIOR_LIFO (FIFO is 0)
	VolatileGroupMask        PurgableState = 0x700   // VM_VOLATILE_GROUP_MASK: group 0-7
	VolatileGroupShift                     = 8       // VM_VOLATILE_GROUP_SHIFT
	PurgableDebugEmpty       PurgableState = 0x1000  // VM_PURGABLE_DEBUG_EMPTY: volatile means empty at once
	PurgableDebugFault       PurgableState = 0x2000  // VM_PURGABLE_DEBUG_FAULT: unmap the pages when made volatile
	PurgableNoAging          PurgableState = 0x10000 // VM_PURGABLE_NO_AGING

	// PurgableAllMasks is VM_PURGABLE_ALL_MASKS: a state word with any
	// other bit set is KERN_INVALID_ARGUMENT.
	PurgableAllMasks = PurgableStateMask | VolatileMakeFirstInGroup | PurgableOrderingObsolete |
		PurgableBehaviorLIFO | VolatileGroupMask | PurgableDebugEmpty | PurgableDebugFault | PurgableNoAging
)

// purgeQueue is the volatile queue a volatile object is on (XNU's
// purgeable_q_type).
type purgeQueue uint8

const (
	purgeQueueNone     purgeQueue = iota // not volatile
	purgeQueueObsolete                   // PURGEABLE_Q_TYPE_OBSOLETE
	purgeQueueFIFO                       // PURGEABLE_Q_TYPE_FIFO
	purgeQueueLIFO                       // PURGEABLE_Q_TYPE_LIFO
)

// purgeInfo is what a purgeable object keeps besides its state.
type purgeInfo struct {
	queue      purgeQueue // volatile queue, purgeQueueNone unless volatile
	group      uint8      // volatile group 0-7 (0 on the obsolete queue)
	owner      *Map       // the task's map that made it (task_purgable_info counts per owner)
	kernelOnly bool       // MAP_MEM_PURGABLE_KERNEL_ONLY: tasks may not set its state
	debugEmpty bool       // VM_PURGABLE_DEBUG_EMPTY was set
	debugFault bool       // VM_PURGABLE_DEBUG_FAULT was set
}

// makePurgeable makes the new object o purgeable and nonvolatile, owned by
// m (vm_purgeable_nonvolatile_enqueue).
func (m *Map) makePurgeable(o *Object) {
	o.purgable = PurgableNonvolatile
	o.purge = purgeInfo{owner: m}
}

// PurgableControl is mach_vm_purgable_control (osfmk/vm/vm_user.c) and
// vm_map_purgable_control (osfmk/vm/vm_map.c). With PurgableSetState it
// sets the state of the purgeable object mapped at addr and returns the
// state before; with PurgableGetState it returns the state; with
// PurgablePurgeAll it purges every volatile object and returns state
// unchanged. The checks, in XNU's order:
//
//   - a control other than these three (PurgableSetStateFromKernel
//     included: not from a task): KERN_INVALID_ARGUMENT;
//   - PurgeAll: done, whatever addr is;
//   - SetState with a bit outside PurgableAllMasks: KERN_INVALID_ARGUMENT;
//   - nothing mapped at addr (truncated to its page), or a submap there:
//     KERN_INVALID_ADDRESS;
//   - SetState on an entry without write protection:
//     KERN_PROTECTION_FAILURE;
//   - no object there yet, or one that is not purgeable:
//     KERN_INVALID_ARGUMENT;
//   - then objectPurgableControl.
func (m *Map) PurgableControl(addr VAddr, control PurgableControl, state PurgableState) (PurgableState, error) {
	switch control {
	case PurgableSetState, PurgableGetState, PurgablePurgeAll:
	default:
		return 0, KernInvalidArgument
	}
	m.sys.mu.Lock()
	defer m.sys.mu.Unlock()
	if control == PurgablePurgeAll {
		m.sys.purgeAll()
		return state, nil
	}
	if control == PurgableSetState && state&^PurgableAllMasks != 0 {
		return 0, KernInvalidArgument
	}
	e, ok := m.lookup(addr.Trunc())
	if !ok || e.submap != nil {
		return 0, KernInvalidAddress
	}
	if control != PurgableGetState && !e.prot.Allows(ProtWrite) {
		return 0, KernProtectionFailure
	}
	if e.object == nil {
		return 0, KernInvalidArgument
	}
	return m.sys.objectPurgableControl(e.object, control, state)
}

// objectPurgableControl is vm_object_purgable_control
// (osfmk/vm/vm_object.c): o not purgeable is KERN_INVALID_ARGUMENT;
// GetState returns the state; SetState on a kernel-only object is
// KERN_PROTECTION_FAILURE, and sets the state in the low bits of state:
//
//   - DENY: KERN_INVALID_ARGUMENT (purgeable memory stays purgeable);
//   - NONVOLATILE: off the volatile queue; an empty object stays without
//     its data (it reads as zeros) but is nonvolatile again;
//   - VOLATILE: on the queue and group state names; an empty object
//     stays empty ("what's been emptied must stay empty"), as does every
//     object once PurgableDebugEmpty was set;
//   - EMPTY: purged now.
//
// It returns the state before the call.
func (s *System) objectPurgableControl(o *Object, control PurgableControl, state PurgableState) (PurgableState, error) {
	old := o.purgable
	if old == PurgableDeny {
		return 0, KernInvalidArgument
	}
	if control == PurgableGetState {
		return old, nil
	}
	if control == PurgableSetState && o.purge.kernelOnly {
		return 0, KernProtectionFailure
	}
	if control != PurgableSetState && control != PurgableSetStateFromKernel {
		return 0, KernInvalidArgument
	}
	if state&PurgableDebugEmpty != 0 {
		o.purge.debugEmpty = true
	}
	if state&PurgableDebugFault != 0 {
		o.purge.debugFault = true
	}
	next := state & PurgableStateMask
	if next == PurgableVolatile && (old == PurgableEmpty || o.purge.debugEmpty) {
		next = PurgableEmpty
	}
	switch next {
	case PurgableDeny:
		return 0, KernInvalidArgument
	case PurgableNonvolatile:
		o.purgable, o.purge.queue, o.purge.group = PurgableNonvolatile, purgeQueueNone, 0
	case PurgableVolatile:
		s.unmapIfDebugFault(o)
		o.purgable = PurgableVolatile
		o.purge.queue, o.purge.group = volatileQueue(state)
	case PurgableEmpty:
		s.unmapIfDebugFault(o)
		s.purge(o)
	}
	return old, nil
}

// volatileQueue is the queue and group a volatile object goes on for the
// state word state (vm_object_purgable_control, vm_purgeable_object_add).
func volatileQueue(state PurgableState) (purgeQueue, uint8) {
	switch {
	case state&PurgableOrderingObsolete != 0:
		return purgeQueueObsolete, 0
	case state&PurgableBehaviorLIFO != 0:
		return purgeQueueLIFO, uint8((state & VolatileGroupMask) >> VolatileGroupShift)
	}
	return purgeQueueFIFO, uint8((state & VolatileGroupMask) >> VolatileGroupShift)
}

// unmapIfDebugFault removes o's pages from every pmap if
// VM_PURGABLE_DEBUG_FAULT was set, so that the next access faults.
func (s *System) unmapIfDebugFault(o *Object) {
	if !o.purge.debugFault {
		return
	}
	for _, p := range o.pages {
		if !p.busy && p.wireCount == 0 {
			s.pmap.PageProtect(p.pa, pmap.ProtNone)
		}
	}
}

// purge empties the purgeable object o (vm_object_purge): it frees every
// page that is neither wired nor busy, discards the data its pager holds,
// leaves the volatile queue and is empty. It returns the pages freed.
func (s *System) purge(o *Object) int {
	n := 0
	for _, p := range o.pages {
		if p.wireCount == 0 && !p.busy {
			s.freePage(p)
			n++
		}
	}
	o.discardPagedOut()
	o.purgable, o.purge.queue, o.purge.group = PurgableEmpty, purgeQueueNone, 0
	return n
}

// purgeAll purges every volatile object (vm_purgeable_object_purge_all).
func (s *System) purgeAll() {
	for o := range s.objects {
		if o.purgable == PurgableVolatile {
			s.purge(o)
		}
	}
}

// PurgeableStat is vm_purgeable_stat_t: volatile objects and the bytes
// they have resident.
type PurgeableStat struct {
	Count uint64
	Size  uint64
}

// PurgeableInfo is struct vm_purgeable_info (osfmk/mach/vm_statistics.h),
// what host_info(HOST_VM_PURGABLE) and task_purgable_info report: the
// volatile objects on each FIFO and LIFO group and on the obsolete queue.
// Nonvolatile and empty objects are on no volatile queue and are not
// counted.
type PurgeableInfo struct {
	FIFO     [8]PurgeableStat
	Obsolete PurgeableStat
	LIFO     [8]PurgeableStat
}

// PurgableInfo is host_info with HOST_VM_PURGABLE (osfmk/kern/host.c,
// vm_purgeable_stats in osfmk/vm/vm_purgeable.c): the volatile objects of
// the whole system.
func (s *System) PurgableInfo() PurgeableInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.purgeableStats(nil)
}

// PurgableInfo is task_purgable_info (osfmk/kern/task.c): the volatile
// objects the task owns, those it made purgeable through m.
func (m *Map) PurgableInfo() PurgeableInfo {
	m.sys.mu.Lock()
	defer m.sys.mu.Unlock()
	return m.sys.purgeableStats(m)
}

// purgeableStats is vm_purgeable_stats: every volatile object, or only
// those owner owns.
func (s *System) purgeableStats(owner *Map) PurgeableInfo {
	var info PurgeableInfo
	for o := range s.objects {
		if o.purgable != PurgableVolatile || owner != nil && o.purge.owner != owner {
			continue
		}
		var st *PurgeableStat
		switch o.purge.queue {
		case purgeQueueObsolete:
			st = &info.Obsolete
		case purgeQueueLIFO:
			st = &info.LIFO[o.purge.group]
		default:
			st = &info.FIFO[o.purge.group]
		}
		st.Count++
		st.Size += uint64(len(o.pages)) * pmap.PageSize
	}
	return info
}
