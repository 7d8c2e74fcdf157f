package vm_test

import (
	"fmt"
	"testing"

	"github.com/tamach/tamach/vm"
)

// Rows of mach_vm_purgable_control. Sources: osfmk/vm/vm_user.c
// (mach_vm_purgable_control), osfmk/vm/vm_map.c (vm_map_purgable_control),
// osfmk/vm/vm_object.c (vm_object_purgable_control, vm_object_purge),
// osfmk/vm/vm_purgeable.c (vm_purgeable_object_purge_all),
// osfmk/mach/vm_purgable.h, and the tests tests/vm_test_mach_map.c
// (purgeable_empty_to_volatile, purgable_deny).

const (
	srcUserPurgable   = "vm_user.c `mach_vm_purgable_control`"
	srcMapPurgable    = "vm_map.c `vm_map_purgable_control`"
	srcObjectPurgable = "vm_object.c `vm_object_purgable_control`"
)

// purgable runs vm_purgable_control at addr and formats the result: the
// code, and on success the state returned.
func purgable(c *entryEnv, addr vm.VAddr, control vm.PurgableControl, state vm.PurgableState) string {
	st, err := c.m.PurgableControl(addr, control, state)
	if err != nil {
		return kr(err)
	}
	return "KERN_SUCCESS, " + st.String()
}

// purgeableArea allocates 4 written pages of purgeable memory.
func (c *entryEnv) purgeableArea(t *testing.T) vm.VAddr {
	return c.alloc(t, 4, vm.FlagsPurgable)
}

// setThenGet sets the states in order and returns what the last set
// returned, then the state GET reports.
func setThenGet(t *testing.T, c *entryEnv, a vm.VAddr, states ...vm.PurgableState) string {
	var got string
	for _, st := range states {
		got = purgable(c, a, vm.PurgableSetState, st)
	}
	return got + "; now " + purgable(c, a, vm.PurgableGetState, 0)[len("KERN_SUCCESS, "):]
}

func init() {
	entryCalls = append(entryCalls, &entryCall{
		name: "mach_vm_purgable_control",
		api:  "Map.PurgableControl",
		about: "The map holds 4 written pages of purgeable memory (vm_allocate with VM_FLAGS_PURGABLE) unless the row " +
			"says otherwise. Results are the code and, on success, the state word returned (the state before a SET).",
		rows: []entryRow{
			{name: "get_nonvolatile", what: "GET of new purgeable memory",
				xnu: "KERN_SUCCESS, VM_PURGABLE_NONVOLATILE", cite: srcObjectPurgable,
				run: func(t *testing.T, c *entryEnv) string {
					return purgable(c, c.purgeableArea(t), vm.PurgableGetState, 0)
				}},
			{name: "set_volatile", what: "SET VOLATILE returns the old state; GET then reports VOLATILE",
				xnu: "KERN_SUCCESS, VM_PURGABLE_NONVOLATILE; now VM_PURGABLE_VOLATILE", cite: srcObjectPurgable,
				run: func(t *testing.T, c *entryEnv) string {
					return setThenGet(t, c, c.purgeableArea(t), vm.PurgableVolatile)
				}},
			{name: "volatile_keeps_data", what: "VOLATILE then NONVOLATILE with no purge between: old state VOLATILE, data intact",
				xnu: "KERN_SUCCESS, VM_PURGABLE_VOLATILE; data 3", cite: srcObjectPurgable + " (comment: contents intact)",
				run: func(t *testing.T, c *entryEnv) string {
					a := c.purgeableArea(t)
					purgable(c, a, vm.PurgableSetState, vm.PurgableVolatile)
					got := purgable(c, a, vm.PurgableSetState, vm.PurgableNonvolatile)
					return got + "; data " + string('0'+c.load(t, c.m, a+2*page))
				}},
			{name: "set_empty", what: "SET EMPTY purges now: old state NONVOLATILE, GET reports EMPTY, pages read 0",
				xnu: "KERN_SUCCESS, VM_PURGABLE_NONVOLATILE; now VM_PURGABLE_EMPTY; data 0", cite: srcObjectPurgable + ", `vm_object_purge`",
				run: func(t *testing.T, c *entryEnv) string {
					a := c.purgeableArea(t)
					return setThenGet(t, c, a, vm.PurgableEmpty) + "; data " + string('0'+c.load(t, c.m, a+page))
				}},
			{name: "empty_stays_empty", what: "EMPTY, then SET VOLATILE: returns EMPTY and the object stays EMPTY",
				xnu:  "KERN_SUCCESS, VM_PURGABLE_EMPTY; now VM_PURGABLE_EMPTY",
				cite: srcObjectPurgable + " (\"what's been emptied must stay empty\"); test `purgeable_empty_to_volatile`",
				run: func(t *testing.T, c *entryEnv) string {
					return setThenGet(t, c, c.purgeableArea(t), vm.PurgableEmpty, vm.PurgableVolatile)
				}},
			{name: "empty_to_nonvolatile", what: "EMPTY, then SET NONVOLATILE: returns EMPTY, the object is NONVOLATILE again",
				xnu: "KERN_SUCCESS, VM_PURGABLE_EMPTY; now VM_PURGABLE_NONVOLATILE", cite: "test `purgeable_empty_to_volatile`",
				run: func(t *testing.T, c *entryEnv) string {
					return setThenGet(t, c, c.purgeableArea(t), vm.PurgableEmpty, vm.PurgableNonvolatile)
				}},
			{name: "set_deny", what: "SET DENY (purgeable memory made non-purgeable)",
				xnu: "KERN_INVALID_ARGUMENT", cite: srcObjectPurgable + "; test `purgable_deny`",
				run: func(t *testing.T, c *entryEnv) string {
					return purgable(c, c.purgeableArea(t), vm.PurgableSetState, vm.PurgableDeny)
				}},
			{name: "group_and_behavior_bits", what: "SET VOLATILE with VM_VOLATILE_GROUP_7, LIFO and NO_AGING bits; GET reports the state alone",
				xnu: "KERN_SUCCESS, VM_PURGABLE_NONVOLATILE; now VM_PURGABLE_VOLATILE", cite: srcMapPurgable + " (VM_PURGABLE_ALL_MASKS)",
				run: func(t *testing.T, c *entryEnv) string {
					return setThenGet(t, c, c.purgeableArea(t),
						vm.PurgableVolatile|7<<vm.VolatileGroupShift|vm.PurgableBehaviorLIFO|vm.PurgableNoAging)
				}},
			{name: "debug_empty", what: "SET VOLATILE with VM_PURGABLE_DEBUG_EMPTY goes straight to EMPTY",
				xnu: "KERN_SUCCESS, VM_PURGABLE_NONVOLATILE; now VM_PURGABLE_EMPTY", cite: srcObjectPurgable + " (volatile_empty)",
				run: func(t *testing.T, c *entryEnv) string {
					return setThenGet(t, c, c.purgeableArea(t), vm.PurgableVolatile|vm.PurgableDebugEmpty)
				}},
			{name: "state_unknown_bit", what: "SET with a bit outside VM_PURGABLE_ALL_MASKS (0x80), at an unmapped address: the state is checked first",
				xnu: "KERN_INVALID_ARGUMENT", cite: srcMapPurgable,
				run: func(t *testing.T, c *entryEnv) string {
					return purgable(c, 0x7000_0000, vm.PurgableSetState, vm.PurgableVolatile|0x80)
				}},
			{name: "state_all_ones", what: "SET with state 0xffffffff",
				xnu: "KERN_INVALID_ARGUMENT", cite: srcMapPurgable,
				run: func(t *testing.T, c *entryEnv) string {
					return purgable(c, c.purgeableArea(t), vm.PurgableSetState, -1)
				}},
			{name: "get_ignores_state", what: "GET with state 0xffffffff: the state word is only checked for SET",
				xnu: "KERN_SUCCESS, VM_PURGABLE_NONVOLATILE", cite: srcMapPurgable,
				run: func(t *testing.T, c *entryEnv) string {
					return purgable(c, c.purgeableArea(t), vm.PurgableGetState, -1)
				}},
			{name: "purge_all_number", what: "VM_PURGABLE_PURGE_ALL is 2; it empties every volatile object and returns the state word unchanged",
				xnu: "KERN_SUCCESS, VM_PURGABLE_VOLATILE; 2; now VM_PURGABLE_EMPTY", cite: "vm_purgable.h; " + srcMapPurgable + ", `vm_purgeable_object_purge_all`",
				run: func(t *testing.T, c *entryEnv) string {
					a := c.purgeableArea(t)
					purgable(c, a, vm.PurgableSetState, vm.PurgableVolatile)
					got := purgable(c, a, vm.PurgablePurgeAll, vm.PurgableVolatile)
					return got + "; " + string('0'+byte(vm.PurgablePurgeAll)) + "; now " +
						purgable(c, a, vm.PurgableGetState, 0)[len("KERN_SUCCESS, "):]
				}},
			{name: "purge_all_spares_nonvolatile", what: "PURGE_ALL leaves a nonvolatile object and its data alone",
				xnu: "VM_PURGABLE_NONVOLATILE; data 1", cite: "vm_purgeable.c `vm_purgeable_object_purge_all` (volatile queues only)",
				run: func(t *testing.T, c *entryEnv) string {
					a := c.purgeableArea(t)
					purgable(c, 0, vm.PurgablePurgeAll, 0)
					return purgable(c, a, vm.PurgableGetState, 0)[len("KERN_SUCCESS, "):] + "; data " + string('0'+c.load(t, c.m, a))
				}},
			{name: "purge_all_unmapped", what: "PURGE_ALL at an unmapped address: no address is looked up",
				xnu: "KERN_SUCCESS, VM_PURGABLE_NONVOLATILE", cite: srcMapPurgable,
				run: func(t *testing.T, c *entryEnv) string {
					return purgable(c, 0x7000_0000, vm.PurgablePurgeAll, 0)
				}},
			{name: "set_state_from_kernel", what: "control VM_PURGABLE_SET_STATE_FROM_KERNEL (3) from a task",
				xnu: "KERN_INVALID_ARGUMENT", cite: srcUserPurgable + " (\"not allowed from user-space\")",
				run: func(t *testing.T, c *entryEnv) string {
					return purgable(c, c.purgeableArea(t), vm.PurgableSetStateFromKernel, vm.PurgableVolatile)
				}},
			{name: "control_4", what: "control 4",
				xnu: "KERN_INVALID_ARGUMENT", cite: srcUserPurgable,
				run: func(t *testing.T, c *entryEnv) string {
					return purgable(c, c.purgeableArea(t), 4, 0)
				}},
			{name: "control_0x12345", what: "control 0x12345, at an unmapped address",
				xnu: "KERN_INVALID_ARGUMENT", cite: srcUserPurgable,
				run: func(t *testing.T, c *entryEnv) string {
					return purgable(c, 0, 0x12345, 0)
				}},
			{name: "unmapped_get", what: "GET at an unmapped address",
				xnu: "KERN_INVALID_ADDRESS", cite: srcMapPurgable + " (\"Must pass a valid non-submap address\")",
				run: func(t *testing.T, c *entryEnv) string {
					return purgable(c, 0x7000_0000, vm.PurgableGetState, 0)
				}},
			{name: "unmapped_set", what: "SET VOLATILE at an unmapped address",
				xnu: "KERN_INVALID_ADDRESS", cite: srcMapPurgable,
				run: func(t *testing.T, c *entryEnv) string {
					return purgable(c, 0x7000_0000, vm.PurgableSetState, vm.PurgableVolatile)
				}},
			{name: "address_zero", what: "GET at address 0, below the map",
				xnu: "KERN_INVALID_ADDRESS", cite: srcMapPurgable,
				run: func(t *testing.T, c *entryEnv) string {
					return purgable(c, 0, vm.PurgableGetState, 0)
				}},
			{name: "address_max", what: "GET at 0xffff_ffff_ffff_ffff",
				xnu: "KERN_INVALID_ADDRESS", cite: srcMapPurgable,
				run: func(t *testing.T, c *entryEnv) string {
					return purgable(c, ^vm.VAddr(0), vm.PurgableGetState, 0)
				}},
			{name: "unaligned_last_page", what: "GET at an unaligned address in the last page of the object",
				xnu: "KERN_SUCCESS, VM_PURGABLE_NONVOLATILE", cite: srcMapPurgable + " (vm_sanitize_addr truncates)",
				run: func(t *testing.T, c *entryEnv) string {
					return purgable(c, c.purgeableArea(t)+3*page+123, vm.PurgableGetState, 0)
				}},
			{name: "not_purgeable", what: "GET on ordinary (written) memory",
				xnu: "KERN_INVALID_ARGUMENT", cite: srcMapPurgable,
				run: func(t *testing.T, c *entryEnv) string {
					return purgable(c, c.alloc(t, 1, 0), vm.PurgableGetState, 0)
				}},
			{name: "no_object_yet", what: "GET on ordinary memory never touched (no object)",
				xnu: "KERN_INVALID_ARGUMENT", cite: srcMapPurgable + " (\"Object must already be present\")",
				run: func(t *testing.T, c *entryEnv) string {
					a, _ := c.m.Allocate(0, page, vm.FlagsAnywhere)
					return purgable(c, a, vm.PurgableGetState, 0)
				}},
			{name: "read_only_set", what: "SET VOLATILE on purgeable memory protected read-only",
				xnu: "KERN_PROTECTION_FAILURE", cite: srcMapPurgable + " (\"Can't apply purgable controls to something you can't write\")",
				run: func(t *testing.T, c *entryEnv) string {
					a := c.purgeableArea(t)
					c.m.Protect(a, 4*page, false, vm.ProtRead)
					return purgable(c, a, vm.PurgableSetState, vm.PurgableVolatile)
				}},
			{name: "read_only_get", what: "GET on purgeable memory protected read-only",
				xnu: "KERN_SUCCESS, VM_PURGABLE_NONVOLATILE", cite: srcMapPurgable,
				run: func(t *testing.T, c *entryEnv) string {
					a := c.purgeableArea(t)
					c.m.Protect(a, 4*page, false, vm.ProtRead)
					return purgable(c, a, vm.PurgableGetState, 0)
				}},
			{name: "read_only_purge_all", what: "PURGE_ALL at read-only purgeable memory: no rights needed",
				xnu: "KERN_SUCCESS, VM_PURGABLE_NONVOLATILE", cite: srcMapPurgable,
				run: func(t *testing.T, c *entryEnv) string {
					a := c.purgeableArea(t)
					c.m.Protect(a, 4*page, false, vm.ProtRead)
					return purgable(c, a, vm.PurgablePurgeAll, 0)
				}},
			{name: "submap", what: "GET inside a nested submap",
				xnu: "KERN_INVALID_ADDRESS", cite: srcMapPurgable + " (entry->is_sub_map)",
				run: func(t *testing.T, c *entryEnv) string {
					sub, err := c.env.VM.NewMap(nil, 0, 1<<30)
					if err != nil {
						t.Fatal(err)
					}
					if err := c.m.NestSubmap(0x4000_0000, 1<<21, sub, 0); err != nil {
						t.Fatal(err)
					}
					sub.Destroy()
					return purgable(c, 0x4000_0000, vm.PurgableGetState, 0)
				}},
			{name: "pageout_purges", what: "a volatile object the kernel purges under memory pressure reports EMPTY and reads 0",
				xnu: "KERN_SUCCESS, VM_PURGABLE_EMPTY; data 0", cite: "vm_purgeable.c `vm_purgeable_object_purge_one`, " + "vm_object.c `vm_object_purge`",
				run: func(t *testing.T, c *entryEnv) string {
					a := c.purgeableArea(t)
					purgable(c, a, vm.PurgableSetState, vm.PurgableVolatile)
					c.env.VM.ReclaimAll(true)
					return purgable(c, a, vm.PurgableGetState, 0) + "; data " + string('0'+c.load(t, c.m, a+page))
				}},
			{name: "copy_not_purgeable", what: "GET on a vm_copy of purgeable memory: the copy is an ordinary object",
				xnu: "KERN_INVALID_ARGUMENT", cite: "vm_object.c `vm_object_copy_slowly` (new object, not purgeable)",
				run: func(t *testing.T, c *entryEnv) string {
					a := c.purgeableArea(t)
					d := c.alloc(t, 4, 0)
					if err := c.m.Copy(a, 4*page, d); err != nil {
						t.Fatal(err)
					}
					return purgable(c, d, vm.PurgableGetState, 0)
				}},
			{name: "shared_remap", what: "GET through a shared vm_remap of purgeable memory: the same object",
				xnu: "KERN_SUCCESS, VM_PURGABLE_VOLATILE", cite: "vm_map.c `vm_map_remap_extract` (shares the object)",
				run: func(t *testing.T, c *entryEnv) string {
					a := c.purgeableArea(t)
					res, err := c.m.Remap(0, 4*page, 0, vm.FlagsAnywhere, c.m, a, false, vm.InheritCopy)
					if err != nil {
						t.Fatal(err)
					}
					purgable(c, a, vm.PurgableSetState, vm.PurgableVolatile)
					return purgable(c, res.Address, vm.PurgableGetState, 0)
				}},
		},
	})
}

// Rows of vm_purgeable_info: host_info(HOST_VM_PURGABLE) and
// task_purgable_info. Sources: osfmk/vm/vm_purgeable.c
// (vm_purgeable_stats, vm_purgeable_stats_helper, vm_purgeable_object_add),
// osfmk/kern/host.c (HOST_VM_PURGABLE), osfmk/kern/task.c
// (task_purgable_info), osfmk/mach/vm_statistics.h (struct
// vm_purgeable_info).

const srcPurgeableStats = "vm_purgeable.c `vm_purgeable_stats`"

// purgeableInfo formats the non-empty counters of info.
func purgeableInfo(info vm.PurgeableInfo) string {
	s := ""
	add := func(name string, st vm.PurgeableStat) {
		if st != (vm.PurgeableStat{}) {
			s += fmt.Sprintf("%s %d objects %d pages; ", name, st.Count, st.Size/page)
		}
	}
	for g, st := range info.FIFO {
		add(fmt.Sprintf("fifo[%d]", g), st)
	}
	add("obsolete", info.Obsolete)
	for g, st := range info.LIFO {
		add(fmt.Sprintf("lifo[%d]", g), st)
	}
	if s == "" {
		return "nothing"
	}
	return s[:len(s)-2]
}

// volatile allocates n written purgeable pages and sets them volatile
// with state.
func (c *entryEnv) volatile(t *testing.T, n int, state vm.PurgableState) vm.VAddr {
	a := c.alloc(t, n, vm.FlagsPurgable)
	if _, err := c.m.PurgableControl(a, vm.PurgableSetState, state); err != nil {
		t.Fatal(err)
	}
	return a
}

func init() {
	entryCalls = append(entryCalls, &entryCall{
		name: "vm_purgeable_info",
		api:  "System.PurgableInfo, Map.PurgableInfo",
		about: "XNU's call is host_info with flavor HOST_VM_PURGABLE (the whole system) or task_purgable_info (the " +
			"objects a task owns); both fill struct vm_purgeable_info: per FIFO group, the obsolete queue and per LIFO " +
			"group, the volatile objects and their resident bytes. Results list the non-empty counters.",
		rows: []entryRow{
			{name: "none", what: "no purgeable memory",
				xnu: "nothing", cite: srcPurgeableStats,
				run: func(t *testing.T, c *entryEnv) string { return purgeableInfo(c.env.VM.PurgableInfo()) }},
			{name: "nonvolatile", what: "a nonvolatile purgeable object is on no volatile queue",
				xnu: "nothing", cite: srcPurgeableStats + " (volatile queues only)",
				run: func(t *testing.T, c *entryEnv) string {
					c.alloc(t, 2, vm.FlagsPurgable)
					return purgeableInfo(c.env.VM.PurgableInfo())
				}},
			{name: "fifo_group", what: "VOLATILE with group 3 (FIFO, the default behavior), 2 resident pages",
				xnu: "fifo[3] 1 objects 2 pages", cite: "vm_object.c `vm_object_purgable_control`, vm_purgeable.c `vm_purgeable_object_add`",
				run: func(t *testing.T, c *entryEnv) string {
					c.volatile(t, 2, vm.PurgableVolatile|3<<vm.VolatileGroupShift)
					return purgeableInfo(c.env.VM.PurgableInfo())
				}},
			{name: "lifo_group", what: "VOLATILE|VM_PURGABLE_BEHAVIOR_LIFO with group 7, 1 page",
				xnu: "lifo[7] 1 objects 1 pages", cite: "vm_object.c `vm_object_purgable_control`",
				run: func(t *testing.T, c *entryEnv) string {
					c.volatile(t, 1, vm.PurgableVolatile|vm.PurgableBehaviorLIFO|7<<vm.VolatileGroupShift)
					return purgeableInfo(c.env.VM.PurgableInfo())
				}},
			{name: "obsolete", what: "VOLATILE|VM_PURGABLE_ORDERING_OBSOLETE with group 5: the obsolete queue, which has one group",
				xnu: "obsolete 1 objects 3 pages", cite: "vm_purgeable.c `vm_purgeable_object_add` (group = 0 for obsolete)",
				run: func(t *testing.T, c *entryEnv) string {
					c.volatile(t, 3, vm.PurgableVolatile|vm.PurgableOrderingObsolete|5<<vm.VolatileGroupShift)
					return purgeableInfo(c.env.VM.PurgableInfo())
				}},
			{name: "requeue", what: "VOLATILE in FIFO group 1, then again in LIFO group 2: counted once, on the new queue",
				xnu: "lifo[2] 1 objects 1 pages", cite: "vm_object.c `vm_object_purgable_control` (old_state VOLATILE)",
				run: func(t *testing.T, c *entryEnv) string {
					a := c.volatile(t, 1, vm.PurgableVolatile|1<<vm.VolatileGroupShift)
					c.m.PurgableControl(a, vm.PurgableSetState, vm.PurgableVolatile|vm.PurgableBehaviorLIFO|2<<vm.VolatileGroupShift)
					return purgeableInfo(c.env.VM.PurgableInfo())
				}},
			{name: "empty_not_counted", what: "a volatile object, purged by PURGE_ALL",
				xnu: "nothing", cite: "vm_purgeable.c `vm_purgeable_object_purge_all` (removed from its queue)",
				run: func(t *testing.T, c *entryEnv) string {
					c.volatile(t, 2, vm.PurgableVolatile)
					c.m.PurgableControl(0, vm.PurgablePurgeAll, 0)
					return purgeableInfo(c.env.VM.PurgableInfo())
				}},
			{name: "untouched_pages", what: "a volatile object with no resident page: counted, size 0",
				xnu: "fifo[0] 1 objects 0 pages", cite: "vm_purgeable.c `vm_purgeable_stats_helper` (resident_page_count)",
				run: func(t *testing.T, c *entryEnv) string {
					a, _ := c.m.Allocate(0, 4*page, vm.FlagsAnywhere|vm.FlagsPurgable)
					c.m.PurgableControl(a, vm.PurgableSetState, vm.PurgableVolatile)
					return purgeableInfo(c.env.VM.PurgableInfo())
				}},
			{name: "task_owner", what: "task_purgable_info of a task whose volatile object another task made: not counted; host_info counts it",
				xnu: "task: nothing; host: fifo[0] 1 objects 1 pages", cite: "osfmk/kern/task.c `task_purgable_info`, " + srcPurgeableStats + " (VM_OBJECT_OWNER)",
				run: func(t *testing.T, c *entryEnv) string {
					other := newMap(t, c.env)
					defer other.Destroy()
					c.volatile(t, 1, vm.PurgableVolatile)
					return "task: " + purgeableInfo(other.PurgableInfo()) + "; host: " + purgeableInfo(c.env.VM.PurgableInfo())
				}},
			{name: "task_own", what: "task_purgable_info of the task that made the object",
				xnu: "fifo[0] 1 objects 1 pages", cite: "osfmk/kern/task.c `task_purgable_info`",
				run: func(t *testing.T, c *entryEnv) string {
					c.volatile(t, 1, vm.PurgableVolatile)
					return purgeableInfo(c.m.PurgableInfo())
				}},
		},
	})
}
