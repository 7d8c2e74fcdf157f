package task

import (
	"testing"

	"github.com/tamach/tamach/pmap"
	"github.com/tamach/tamach/vm"
	"github.com/tamach/tamach/vm/vmtest"
)

// Host tests of the traps of mach_vm.go, each made from a task on the
// simulated CPU: results are checked as the task sees them, and every bad
// argument or pointer must come back as a KERN_* code.

const page = pmap.PageSize

// wantKR reports a trap result other than want.
func wantKR(t *testing.T, what string, got, want vm.KernReturn) {
	t.Helper()
	if got != want {
		t.Errorf("%s returned %v, want %v", what, got, want)
	}
}

func wantWord(t *testing.T, what string, got, want uint64) {
	t.Helper()
	if got != want {
		t.Errorf("%s: got %#x, want %#x", what, got, want)
	}
}

// load32 reads a little-endian 32-bit value at va.
func (u *User) load32(va uint64) uint32 {
	var w uint32
	for i := range 4 {
		w |= uint32(u.Load8(va+uint64(i))) << (8 * i)
	}
	return w
}

// allocate makes vm_allocate anywhere through the word at scratch.
func allocate(u *User, scratch, size uint64, flags vm.Flags) uint64 {
	u.Store64(scratch, 0)
	if r := u.Trap(TrapVMAllocate, scratch, size, uint64(vm.FlagsAnywhere|flags)); r != 0 {
		panic("vm_allocate: " + r.String())
	}
	return u.Load64(scratch)
}

// runTask runs prog as a task that must exit 0, and checks the vm after.
func runTask(t *testing.T, a *Arch, prog func(u *User)) *testKernel {
	tk := newTestKernel(t, a, 1024)
	task := tk.spawn(t, "machvm", func(u *User) {
		prog(u)
		u.Exit(0)
	})
	tk.run(t)
	tk.wantStatus(t, task, 0)
	return tk
}

// remapWord is the block word 0 of vm_remap and mach_vm_remap_new.
func remapWord(copy bool, cur, max vm.Prot, inh vm.Inherit) uint64 {
	w := uint64(cur)<<8 | uint64(max)<<16 | uint64(inh)<<24
	if copy {
		w |= 1
	}
	return w
}

func TestRemapTraps(t *testing.T) {
	forArches(t, func(t *testing.T, a *Arch) {
		runTask(t, a, func(u *User) {
			sc := mmapAnon(u, 4*page) // *addr at sc, the block at sc+8
			src := allocate(u, sc, 2*page, 0)
			u.Store64(src, 0x1111)
			u.Store64(src+page, 0x2222)
			remap := func(nr int64, addr, size, flags, from, word uint64) (vm.KernReturn, uint64) {
				u.Store64(sc, addr)
				u.Store64(sc+8, word)
				u.Store64(sc+16, 0xdead)
				u.Store64(sc+24, 0xdead)
				r := u.Trap(nr, sc, size, 0, flags, from, sc+8)
				return r, u.Load64(sc)
			}
			// Shared: the new address reads the source's bytes and
			// writes through to it.
			r, alias := remap(TrapVMRemap, 0, 2*page, uint64(vm.FlagsAnywhere), src, remapWord(false, 0, 0, vm.InheritCopy))
			wantKR(t, "vm_remap", r, 0)
			wantWord(t, "vm_remap cur", u.Load64(sc+16), uint64(vm.ProtDefault))
			wantWord(t, "vm_remap max", u.Load64(sc+24), uint64(vm.ProtAll))
			if alias == src || u.Load64(alias) != 0x1111 || u.Load64(alias+page) != 0x2222 {
				t.Errorf("vm_remap at %#x (source %#x) reads %#x, %#x", alias, src, u.Load64(alias), u.Load64(alias+page))
			}
			u.Store64(alias+8, 0x3333)
			wantWord(t, "source after a write through the remapping", u.Load64(src+8), 0x3333)
			// A copy: writes stay apart.
			r, cp := remap(TrapVMRemap, 0, page, uint64(vm.FlagsAnywhere), src, remapWord(true, 0, 0, vm.InheritCopy))
			wantKR(t, "vm_remap copy", r, 0)
			u.Store64(cp, 0x4444)
			wantWord(t, "copy", u.Load64(cp+8), 0x3333)
			wantWord(t, "source after a write to the copy", u.Load64(src), 0x1111)
			// VM_FLAGS_RETURN_DATA_ADDR keeps the offset in the page.
			r, d := remap(TrapVMRemap, 0, 16, uint64(vm.FlagsAnywhere|vm.FlagsReturnDataAddr), src+0x108, 0)
			wantKR(t, "vm_remap RETURN_DATA_ADDR", r, 0)
			wantWord(t, "vm_remap RETURN_DATA_ADDR offset", d&pmap.PageMask, 0x108)
			wantWord(t, "vm_remap RETURN_DATA_ADDR data", u.Load64(d-0x100), 0x3333)
			// mach_vm_remap_new: the protections asked for, returned.
			r, n := remap(TrapVMRemapNew, 0, 8, uint64(vm.FlagsAnywhere), src+0x10, remapWord(false, vm.ProtRead, vm.ProtRead, vm.InheritShare))
			wantKR(t, "mach_vm_remap_new", r, 0)
			wantWord(t, "remap_new cur", u.Load64(sc+16), uint64(vm.ProtRead))
			wantWord(t, "remap_new max", u.Load64(sc+24), uint64(vm.ProtRead))
			wantWord(t, "remap_new data address", n&pmap.PageMask, 0x10)
			wantWord(t, "remap_new reads", u.Load64(n-0x10), 0x1111)
			// Bad arguments.
			r, _ = remap(TrapVMRemapNew, 0, 8, uint64(vm.FlagsAnywhere), src, remapWord(false, vm.ProtAll, vm.ProtAll, 0))
			wantKR(t, "remap_new max write|execute", r, vm.KernProtectionFailure)
			r, _ = remap(TrapVMRemapNew, 0, 8, uint64(vm.FlagsAnywhere), src, remapWord(false, vm.ProtDefault, vm.ProtRead, 0))
			wantKR(t, "remap_new cur above max", r, vm.KernInvalidArgument)
			r, _ = remap(TrapVMRemapNew, 0, 8, uint64(vm.FlagsAnywhere), src, remapWord(false, 0x8, 0x8, 0))
			wantKR(t, "remap_new bad protection bits", r, vm.KernInvalidArgument)
			r, _ = remap(TrapVMRemap, 0, page, uint64(vm.FlagsAnywhere), 0x10000, 0)
			wantKR(t, "vm_remap of unmapped memory", r, vm.KernInvalidAddress)
			r, _ = remap(TrapVMRemap, 0, page, uint64(vm.FlagsAnywhere|vm.FlagsPurgable), src, 0)
			wantKR(t, "vm_remap purgable flag", r, vm.KernInvalidArgument)
			r, _ = remap(TrapVMRemap, 0, page, 1<<32|uint64(vm.FlagsAnywhere), src, 0)
			wantKR(t, "vm_remap flags above 32 bits", r, vm.KernInvalidArgument)
			r, _ = remap(TrapVMRemap, 0, page, uint64(vm.FlagsAnywhere), src, 1<<40)
			wantKR(t, "vm_remap block word above 32 bits", r, vm.KernInvalidArgument)
			r, _ = remap(TrapVMRemap, 0, page, uint64(vm.FlagsAnywhere), src, uint64(5)<<24)
			wantKR(t, "vm_remap inheritance 5", r, vm.KernInvalidArgument)
			r, _ = remap(TrapVMRemap, src, page, uint64(vm.FlagsFixed), src, 0)
			wantKR(t, "vm_remap fixed over memory in use", r, vm.KernNoSpace)
			wantKR(t, "vm_remap *addr unreadable", u.Trap(TrapVMRemap, 8, page, 0, uint64(vm.FlagsAnywhere), src, sc+8), vm.KernInvalidAddress)
			wantKR(t, "vm_remap block unreadable", u.Trap(TrapVMRemap, sc, page, 0, uint64(vm.FlagsAnywhere), src, 8), vm.KernInvalidAddress)
			// A block the kernel can read but not write: the call fails
			// and its mapping is undone.
			ro := allocate(u, sc, page, 0)
			u.Store64(ro, 0)
			wantKR(t, "vm_protect", u.Trap(TrapVMProtect, ro, page, 0, uint64(vm.ProtRead)), 0)
			wantKR(t, "task_statistics", u.Trap(TrapTaskSelfStatistic, sc+64), 0)
			entries := u.Load64(sc + 64)
			u.Store64(sc, 0)
			wantKR(t, "vm_remap block read-only", u.Trap(TrapVMRemap, sc, page, 0, uint64(vm.FlagsAnywhere), src, ro), vm.KernInvalidAddress)
			u.Trap(TrapTaskSelfStatistic, sc+64)
			wantWord(t, "map entries after a remap whose results could not be written", u.Load64(sc+64), entries)

			// vm_map: VM_FLAGS_RETURN_DATA_ADDR through a memory entry
			// made with MAP_MEM_USE_DATA_ADDR at an unaligned offset.
			u.Store64(sc, 0x20)
			r = u.Trap(TrapMakeMemoryEntry, sc, src+0x40, uint64(vm.ProtDefault)|uint64(vm.MapMemVMShare|vm.MapMemUseDataAddr), sc+8)
			wantKR(t, "mach_make_memory_entry USE_DATA_ADDR", r, 0)
			name := u.Load64(sc + 8)
			u.Store64(sc+32, 0)
			u.Store64(sc+40, uint64(vm.ProtDefault)<<8|uint64(vm.ProtDefault)<<16)
			u.Store64(sc+48, 0)
			r = u.Trap(TrapVMMap, sc+48, 0x20, 0, uint64(vm.FlagsAnywhere|vm.FlagsReturnDataAddr), name, sc+32)
			wantKR(t, "vm_map RETURN_DATA_ADDR", r, 0)
			m := u.Load64(sc + 48)
			wantWord(t, "vm_map RETURN_DATA_ADDR offset", m&pmap.PageMask, 0x40)
			u.Store64(src+0x40, 0x5555)
			wantWord(t, "vm_map RETURN_DATA_ADDR data", u.Load64(m), 0x5555)
		})
	})
}

func TestMsyncBehaviorAttributeTraps(t *testing.T) {
	forArches(t, func(t *testing.T, a *Arch) {
		runTask(t, a, func(u *User) {
			sc := mmapAnon(u, page)
			buf := allocate(u, sc, 4*page, 0)
			u.Store64(buf, 5)
			u.Store64(buf+page, 6)
			// KILLPAGES discards the dirty page: it reads zero.
			wantKR(t, "vm_msync KILLPAGES", u.Trap(TrapVMMsync, buf, page, uint64(vm.SyncKillPages)), 0)
			wantWord(t, "page after KILLPAGES", u.Load64(buf), 0)
			wantWord(t, "next page after KILLPAGES of one", u.Load64(buf+page), 6)
			wantKR(t, "vm_msync SYNC|ASYNC", u.Trap(TrapVMMsync, buf, page, uint64(vm.SyncSynchronous|vm.SyncAsynchronous)), vm.KernInvalidArgument)
			wantKR(t, "vm_msync flags above 32 bits", u.Trap(TrapVMMsync, buf, page, 1<<32), vm.KernInvalidArgument)
			wantKR(t, "vm_msync wrapping range", u.Trap(TrapVMMsync, ^uint64(0)-0xff, 0x1000, 0), vm.KernInvalidAddress)
			wantKR(t, "vm_msync CONTIGUOUS over a hole", u.Trap(TrapVMMsync, buf+3*page, 2*page, uint64(vm.SyncContiguous)), vm.KernInvalidAddress)
			// Advice: FREE discards, RANDOM is recorded.
			wantKR(t, "vm_behavior_set FREE", u.Trap(TrapVMBehaviorSet, buf+page, page, uint64(vm.BehaviorFree)), 0)
			wantWord(t, "page after BEHAVIOR_FREE", u.Load64(buf+page), 0)
			wantKR(t, "vm_behavior_set RANDOM", u.Trap(TrapVMBehaviorSet, buf, 4*page, uint64(vm.BehaviorRandom)), 0)
			u.Store64(sc, buf)
			u.Store64(sc+8, 0)
			u.Store64(sc+16, SubmapInfoV2Count)
			wantKR(t, "vm_region_recurse", u.Trap(TrapVMRegionRecurse, sc, sc+24, sc+8, sc+64, sc+16), 0)
			wantWord(t, "behavior recorded", uint64(u.load32(sc+64+52)), uint64(vm.BehaviorRandom))
			wantKR(t, "vm_behavior_set 13", u.Trap(TrapVMBehaviorSet, buf, page, 13), vm.KernInvalidArgument)
			wantKR(t, "vm_behavior_set -1", u.Trap(TrapVMBehaviorSet, buf, page, ^uint64(0)), vm.KernInvalidArgument)
			wantKR(t, "vm_behavior_set over a hole", u.Trap(TrapVMBehaviorSet, buf+3*page, 2*page, uint64(vm.BehaviorSequential)), vm.KernInvalidAddress)
			// Cache maintenance: the value comes back unchanged.
			u.Store64(sc, uint64(vm.MattrValCacheFlush))
			wantKR(t, "vm_machine_attribute", u.Trap(TrapVMMachineAttr, buf, 4*page, uint64(vm.MattrCache), sc), 0)
			wantWord(t, "vm_machine_attribute value", u.Load64(sc), uint64(vm.MattrValCacheFlush))
			wantKR(t, "vm_machine_attribute MIGRATE", u.Trap(TrapVMMachineAttr, buf, page, uint64(vm.MattrMigrate), sc), vm.KernInvalidAddress)
			wantKR(t, "vm_machine_attribute over a hole", u.Trap(TrapVMMachineAttr, buf+3*page, 2*page, uint64(vm.MattrCache), sc), vm.KernFailure)
			wantKR(t, "vm_machine_attribute bad *value", u.Trap(TrapVMMachineAttr, buf, page, uint64(vm.MattrCache), 8), vm.KernInvalidAddress)
			u.Store64(sc, 1<<32)
			wantKR(t, "vm_machine_attribute value above 32 bits", u.Trap(TrapVMMachineAttr, buf, page, uint64(vm.MattrCache), sc), vm.KernInvalidArgument)
		})
	})
}

// purgeableInfoWords is the size of struct vm_purgeable_info in words.
const purgeableInfoWords = 34

func TestPurgableTraps(t *testing.T) {
	forArches(t, func(t *testing.T, a *Arch) {
		runTask(t, a, func(u *User) {
			sc := mmapAnon(u, page)
			info := mmapAnon(u, page)
			buf := allocate(u, sc, page, vm.FlagsPurgable)
			u.Store64(buf, 9)
			control := func(c vm.PurgableControl, s vm.PurgableState) (vm.KernReturn, uint64) {
				u.Store64(sc, uint64(s))
				r := u.Trap(TrapVMPurgableControl, buf, uint64(c), sc)
				return r, u.Load64(sc)
			}
			r, s := control(vm.PurgableGetState, 0)
			wantKR(t, "GET_STATE", r, 0)
			wantWord(t, "state of new purgeable memory", s, uint64(vm.PurgableNonvolatile))
			r, s = control(vm.PurgableSetState, vm.PurgableVolatile)
			wantKR(t, "SET_STATE volatile", r, 0)
			wantWord(t, "state before volatile", s, uint64(vm.PurgableNonvolatile))
			r, s = control(vm.PurgableGetState, 0)
			wantKR(t, "GET_STATE", r, 0)
			wantWord(t, "state after volatile", s, uint64(vm.PurgableVolatile))
			wantKR(t, "task_purgable_info", u.Trap(TrapTaskPurgableInfo, info), 0)
			wantWord(t, "volatile objects in FIFO group 0", u.Load64(info), 1)
			wantWord(t, "their resident bytes", u.Load64(info+8), page)
			r, s = control(vm.PurgableSetState, vm.PurgableNonvolatile)
			wantKR(t, "SET_STATE nonvolatile", r, 0)
			wantWord(t, "state before nonvolatile (data kept)", s, uint64(vm.PurgableVolatile))
			wantWord(t, "data kept", u.Load64(buf), 9)
			r, s = control(vm.PurgableSetState, vm.PurgableEmpty)
			wantKR(t, "SET_STATE empty", r, 0)
			wantWord(t, "state before empty", s, uint64(vm.PurgableNonvolatile))
			wantWord(t, "purged memory", u.Load64(buf), 0)
			r, _ = control(vm.PurgableSetState, 0x80000)
			wantKR(t, "SET_STATE unknown bits", r, vm.KernInvalidArgument)
			r, _ = control(vm.PurgableSetStateFromKernel, 0)
			wantKR(t, "SET_STATE_FROM_KERNEL", r, vm.KernInvalidArgument)
			u.Store64(sc, 1<<32|uint64(vm.PurgableVolatile))
			wantKR(t, "SET_STATE word above 32 bits", u.Trap(TrapVMPurgableControl, buf, uint64(vm.PurgableSetState), sc), vm.KernInvalidArgument)
			u.Store64(sc, 1<<32)
			wantKR(t, "GET_STATE ignores the word going in", u.Trap(TrapVMPurgableControl, buf, uint64(vm.PurgableGetState), sc), 0)
			wantWord(t, "GET_STATE after empty", u.Load64(sc), uint64(vm.PurgableEmpty))
			wantKR(t, "bad *state", u.Trap(TrapVMPurgableControl, buf, uint64(vm.PurgableGetState), 8), vm.KernInvalidAddress)
			u.Store64(sc, 0)
			wantKR(t, "GET_STATE of ordinary memory", u.Trap(TrapVMPurgableControl, sc, uint64(vm.PurgableGetState), sc), vm.KernInvalidArgument)
			wantKR(t, "GET_STATE unmapped", u.Trap(TrapVMPurgableControl, 0x10000, uint64(vm.PurgableGetState), sc), vm.KernInvalidAddress)
			wantKR(t, "bad *info", u.Trap(TrapTaskPurgableInfo, 8), vm.KernInvalidAddress)

			// A memory entry over new purgeable memory, not mapped.
			u.Store64(sc, page)
			r = u.Trap(TrapMakeMemoryEntry, sc, 0, uint64(vm.ProtDefault)|uint64(vm.MapMemNamedCreate|vm.MapMemPurgable), sc+8)
			wantKR(t, "mach_make_memory_entry purgable", r, 0)
			name := u.Load64(sc + 8)
			entry := func(c vm.PurgableControl, s vm.PurgableState) (vm.KernReturn, uint64) {
				u.Store64(sc, uint64(s))
				r := u.Trap(TrapMemEntryPurgable, name, uint64(c), sc)
				return r, u.Load64(sc)
			}
			r, s = entry(vm.PurgableSetState, vm.PurgableVolatile|vm.PurgableBehaviorLIFO|3<<vm.VolatileGroupShift)
			wantKR(t, "entry SET_STATE volatile", r, 0)
			wantWord(t, "entry state before", s, uint64(vm.PurgableNonvolatile))
			r, s = entry(vm.PurgableGetState, 0)
			wantKR(t, "entry GET_STATE", r, 0)
			wantWord(t, "entry state", s, uint64(vm.PurgableVolatile))
			u.Trap(TrapTaskPurgableInfo, info)
			wantWord(t, "volatile objects in LIFO group 3", u.Load64(info+(9+3)*16), 1)
			r, _ = entry(vm.PurgablePurgeAll, 0)
			wantKR(t, "entry PURGE_ALL", r, vm.KernInvalidArgument)
			wantKR(t, "entry bad name", u.Trap(TrapMemEntryPurgable, name+100, uint64(vm.PurgableGetState), sc), vm.KernInvalidName)
			wantKR(t, "entry name above 32 bits", u.Trap(TrapMemEntryPurgable, name|1<<32, uint64(vm.PurgableGetState), sc), vm.KernInvalidName)
			wantKR(t, "entry bad *state", u.Trap(TrapMemEntryPurgable, name, uint64(vm.PurgableGetState), 8), vm.KernInvalidAddress)
			wantKR(t, "mach_port_deallocate", u.Trap(TrapPortDeallocate, name), 0)
		})
	})
}

func TestReadTraps(t *testing.T) {
	forArches(t, func(t *testing.T, a *Arch) {
		runTask(t, a, func(u *User) {
			sc := mmapAnon(u, 2*page)
			src := allocate(u, sc, 2*page, 0)
			for i := uint64(0); i < 2*page; i += 8 {
				u.Store64(src+i, i*3)
			}
			dst := allocate(u, sc, page, 0)
			// vm_read_overwrite copies the bytes.
			wantKR(t, "vm_read_overwrite", u.Trap(TrapVMReadOverwrite, src+8, 24, dst+100, sc), 0)
			wantWord(t, "vm_read_overwrite size", u.Load64(sc), 24)
			for i := uint64(0); i < 24; i += 8 {
				wantWord(t, "vm_read_overwrite bytes", u.Load64(dst+100+i), (8+i)*3)
			}
			wantWord(t, "byte after the copy", u.Load64(dst+124), 0)
			wantKR(t, "vm_read_overwrite unmapped source", u.Trap(TrapVMReadOverwrite, 0x10000, 8, dst, sc), vm.KernInvalidAddress)
			wantKR(t, "vm_read_overwrite bad *outsize", u.Trap(TrapVMReadOverwrite, src, 8, dst, 8), vm.KernInvalidAddress)

			// vm_read_list: copies placed anywhere, empty and failed
			// elements zeroed, the last one's result returned.
			list := sc + 256
			set := func(i int, addr, size uint64) {
				u.Store64(list+uint64(16*i), addr)
				u.Store64(list+uint64(16*i)+8, size)
			}
			set(0, src+page, 16)
			set(1, src, 0)
			set(2, src, page)
			wantKR(t, "vm_read_list", u.Trap(TrapVMReadList, list, 3), 0)
			c0, c2 := u.Load64(list), u.Load64(list+32)
			if c0 == 0 || c0 == src+page || u.Load64(c0) != page*3 || u.Load64(c2+8) != 8*3 {
				t.Errorf("vm_read_list placed copies at %#x, %#x", c0, c2)
			}
			wantWord(t, "vm_read_list empty element", u.Load64(list+16)|u.Load64(list+24), 0)
			set(0, src, 8)
			set(1, 0x10000, 8)
			wantKR(t, "vm_read_list ending with unmapped memory", u.Trap(TrapVMReadList, list, 2), vm.KernInvalidAddress)
			if u.Load64(list) == 0 || u.Load64(list+16) != 0 {
				t.Errorf("vm_read_list after a failure: %#x, %#x", u.Load64(list), u.Load64(list+16))
			}
			wantKR(t, "vm_read_list 257 elements", u.Trap(TrapVMReadList, list, vm.MaxReadList+1), vm.KernInvalidArgument)
			wantKR(t, "vm_read_list bad list", u.Trap(TrapVMReadList, 8, 1), vm.KernInvalidAddress)
			wantKR(t, "vm_read_list no elements", u.Trap(TrapVMReadList, 8, 0), 0)
		})
	})
}

func TestRegionAndPageInfoTraps(t *testing.T) {
	forArches(t, func(t *testing.T, a *Arch) {
		runTask(t, a, func(u *User) {
			sc := mmapAnon(u, page)
			buf := allocate(u, sc, 4*page, 0)
			u.Store64(buf, 1)           // page 0 dirty
			_ = u.Load64(buf + 2*page)  // page 2 read
			u.Store64(buf+3*page+16, 2) // page 3 dirty
			info := sc + 1024
			// vm_region_recurse_64, full info.
			recurse := func(addr, count uint64) (vm.KernReturn, uint64) {
				u.Store64(sc, addr)
				u.Store64(sc+8, 0xdead)
				u.Store64(sc+16, 0)
				u.Store64(sc+24, count)
				r := u.Trap(TrapVMRegionRecurse, sc, sc+8, sc+16, info, sc+24)
				return r, u.Load64(sc + 24)
			}
			r, count := recurse(buf+page, 100)
			wantKR(t, "vm_region_recurse_64", r, 0)
			wantWord(t, "count", count, SubmapInfoV2Count)
			wantWord(t, "start", u.Load64(sc), buf)
			wantWord(t, "size", u.Load64(sc+8), 4*page)
			wantWord(t, "depth", u.Load64(sc+16), 0)
			wantWord(t, "protection", uint64(u.load32(info)), uint64(vm.ProtDefault))
			wantWord(t, "max protection", uint64(u.load32(info+4)), uint64(vm.ProtAll))
			wantWord(t, "inheritance", uint64(u.load32(info+8)), uint64(vm.InheritCopy))
			wantWord(t, "pages resident", uint64(u.load32(info+24)), 3)
			wantWord(t, "ref count", uint64(u.load32(info+40)), 1)
			wantWord(t, "share mode", uint64(u.Load8(info+47)), uint64(vm.SMPrivate))
			if id := u.Load64(info + 68); id == 0 || uint64(u.load32(info+56)) != id&0xffffffff {
				t.Errorf("object id %#x, short %#x", id, u.load32(info+56))
			}
			r, count = recurse(buf, SubmapShortInfoCount+1)
			wantKR(t, "vm_region_recurse_64 short", r, 0)
			wantWord(t, "short count", count, SubmapShortInfoCount)
			wantWord(t, "short ref count", uint64(u.load32(info+24)), 1)
			wantWord(t, "short share mode", uint64(u.Load8(info+31)), uint64(vm.SMPrivate))
			r, _ = recurse(buf, SubmapShortInfoCount-1)
			wantKR(t, "vm_region_recurse_64 count 11", r, vm.KernInvalidArgument)
			r, _ = recurse(uint64(vmtest.UserMax)-page, SubmapInfoV2Count)
			wantKR(t, "vm_region_recurse_64 above every region", r, vm.KernInvalidAddress)
			wantKR(t, "vm_region_recurse_64 bad *info", u.Trap(TrapVMRegionRecurse, sc, sc+8, sc+16, 8, sc+24), vm.KernInvalidAddress)

			// mach_vm_page_range_query: one int per page.
			disp := sc + 512
			for i := uint64(0); i < 8; i++ {
				u.Store64(disp+8*i, ^uint64(0))
			}
			u.Store64(sc, 8)
			wantKR(t, "mach_vm_page_range_query", u.Trap(TrapVMPageRangeQuery, buf, 4*page, disp, sc), 0)
			wantWord(t, "dispositions stored", u.Load64(sc), 4)
			d := []uint32{u.load32(disp), u.load32(disp + 4), u.load32(disp + 8), u.load32(disp + 12)}
			pd := uint32(vm.PageQueryPresent | vm.PageQueryDirty)
			if d[0]&pd != pd || d[1] != 0 || d[2]&uint32(vm.PageQueryPresent) == 0 || d[3]&pd != pd {
				t.Errorf("dispositions %#x, want present+dirty, none, present, present+dirty", d)
			}
			wantWord(t, "int after the last disposition", uint64(u.load32(disp+16)), 0xffffffff)
			u.Store64(sc, 2)
			wantKR(t, "mach_vm_page_range_query count 2", u.Trap(TrapVMPageRangeQuery, buf+page, 4*page, disp, sc), 0)
			wantWord(t, "dispositions stored", u.Load64(sc), 2)
			wantWord(t, "first of two", uint64(u.load32(disp)), 0)
			u.Store64(sc, 5)
			wantKR(t, "mach_vm_page_range_query size 0", u.Trap(TrapVMPageRangeQuery, buf, 0, disp, sc), 0)
			wantWord(t, "count after size 0", u.Load64(sc), 5)
			u.Store64(sc, 1<<62)
			wantKR(t, "mach_vm_page_range_query count overflow", u.Trap(TrapVMPageRangeQuery, buf, page, disp, sc), vm.KernInvalidArgument)
			u.Store64(sc, 1)
			wantKR(t, "mach_vm_page_range_query wrapping range", u.Trap(TrapVMPageRangeQuery, ^uint64(0)-0xff, page, disp, sc), vm.KernInvalidArgument)
			wantKR(t, "mach_vm_page_range_query bad array", u.Trap(TrapVMPageRangeQuery, buf, page, 8, sc), vm.KernInvalidAddress)

			// mach_vm_page_info.
			pinfo := sc + 768
			for i := uint64(0); i < 4; i++ {
				u.Store64(pinfo+8*i, ^uint64(0))
			}
			u.Store64(sc, PageInfoBasicCount)
			wantKR(t, "mach_vm_page_info", u.Trap(TrapVMPageInfo, buf+3*page+16, uint64(vm.PageInfoBasic), pinfo, sc), 0)
			if got := u.load32(pinfo); got&pd != pd {
				t.Errorf("page_info disposition %#x", got)
			}
			wantWord(t, "page_info ref count", uint64(u.load32(pinfo+4)), 1)
			wantWord(t, "page_info offset", u.Load64(pinfo+16), 3*page+16)
			wantWord(t, "page_info depth", uint64(u.load32(pinfo+24)), 0)
			wantWord(t, "page_info pad", uint64(u.load32(pinfo+28)), 0)
			u.Store64(pinfo+24, ^uint64(0))
			u.Store64(sc, PageInfoBasicCount-1)
			wantKR(t, "mach_vm_page_info count 7", u.Trap(TrapVMPageInfo, buf+page, uint64(vm.PageInfoBasic), pinfo, sc), 0)
			wantWord(t, "page_info count 7 leaves the pad", uint64(u.load32(pinfo+28)), 0xffffffff)
			wantWord(t, "page_info untouched page", uint64(u.load32(pinfo)), 0)
			u.Store64(sc, PageInfoBasicCount+1)
			wantKR(t, "mach_vm_page_info count 9", u.Trap(TrapVMPageInfo, buf, uint64(vm.PageInfoBasic), pinfo, sc), vm.KernInvalidArgument)
			u.Store64(sc, PageInfoBasicCount)
			wantKR(t, "mach_vm_page_info flavor 2", u.Trap(TrapVMPageInfo, buf, 2, pinfo, sc), vm.KernInvalidArgument)
			wantKR(t, "mach_vm_page_info bad *info", u.Trap(TrapVMPageInfo, buf, uint64(vm.PageInfoBasic), 8, sc), vm.KernInvalidAddress)
		})
	})
}
