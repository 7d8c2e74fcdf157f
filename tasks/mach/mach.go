//go:build tamago

// Package mach gives task programs the Mach VM API of tamach: vm_allocate,
// vm_protect, vm_map, memory entries, vm_statistics and the rest, plus the
// task calls fork and wait, each a Mach trap (a system call with a negative
// number, as XNU numbers its Mach traps; kernel/task/mach.go serves them).
// Every call acts on the calling task and returns nil or a KernReturn.
//
// The package builds only for GOOS=tamago programs run as tamach tasks
// (built without GOOSPKG: the toolchain's Linux-ABI runtime overlay).
package mach

import (
	"fmt"
	"runtime"
	"unsafe"
)

// trap makes Mach trap nr with up to six arguments and returns the
// kern_return_t (trap_amd64.s: SYSCALL; trap_arm64.s: SVC #0).
func trap(nr int64, a0, a1, a2, a3, a4, a5 uintptr) uintptr

// Trap numbers (kernel/task/mach.go), exported for programs that make a
// trap with arguments the wrappers below would not pass (RawTrap), such as
// tasks/isolation's kernel addresses.
const (
	TrapVMAllocate      = -10
	TrapVMDeallocate    = -12
	TrapVMProtect       = -14
	TrapVMMap           = -15
	TrapVMInherit       = -40
	TrapVMCopy          = -41
	TrapVMRead          = -42
	TrapVMWrite         = -43
	TrapMakeMemoryEntry = -44
	TrapVMRegion        = -45
	TrapVMStatistics    = -46
	TrapVMWire          = -47
	TrapPortDeallocate  = -48
	TrapVMPageQuery     = -49
	TrapTaskFork        = -60
	TrapTaskWait        = -61
	TrapTaskID          = -62
	TrapTaskStatistics  = -63
)

// KernReturn is kern_return_t (osfmk/mach/kern_return.h) as an error.
type KernReturn int32

// Some return codes.
const (
	KernSuccess           KernReturn = 0
	KernInvalidAddress    KernReturn = 1
	KernProtectionFailure KernReturn = 2
	KernNoSpace           KernReturn = 3
	KernInvalidArgument   KernReturn = 4
	KernFailure           KernReturn = 5
	KernResourceShortage  KernReturn = 6
	KernInvalidName       KernReturn = 15
	KernInvalidRight      KernReturn = 17
)

var kernNames = map[KernReturn]string{
	KernSuccess: "KERN_SUCCESS", KernInvalidAddress: "KERN_INVALID_ADDRESS",
	KernProtectionFailure: "KERN_PROTECTION_FAILURE", KernNoSpace: "KERN_NO_SPACE",
	KernInvalidArgument: "KERN_INVALID_ARGUMENT", KernFailure: "KERN_FAILURE",
	KernResourceShortage: "KERN_RESOURCE_SHORTAGE", KernInvalidName: "KERN_INVALID_NAME",
	KernInvalidRight: "KERN_INVALID_RIGHT",
}

func (k KernReturn) Error() string {
	if s, ok := kernNames[k]; ok {
		return s
	}
	return fmt.Sprintf("kern_return(%d)", int32(k))
}

// result turns a trap's return value into an error.
func result(r uintptr) error {
	if r == 0 {
		return nil
	}
	return KernReturn(int32(r))
}

// Prot is vm_prot_t.
type Prot uint64

// Protections (osfmk/mach/vm_prot.h).
const (
	ProtNone    Prot = 0
	ProtRead    Prot = 1
	ProtWrite   Prot = 2
	ProtExecute Prot = 4
	ProtDefault      = ProtRead | ProtWrite
	ProtAll          = ProtRead | ProtWrite | ProtExecute
)

// Inherit is vm_inherit_t.
type Inherit uint64

// Inheritance values (osfmk/mach/vm_inherit.h).
const (
	InheritShare Inherit = 0
	InheritCopy  Inherit = 1
	InheritNone  Inherit = 2
)

// Flags of vm_allocate and vm_map (osfmk/mach/vm_statistics.h).
const (
	FlagsFixed     = 0x0
	FlagsAnywhere  = 0x1
	FlagsOverwrite = 0x4000
)

// Memory entry flags of MakeMemoryEntry (osfmk/mach/memory_object_types.h),
// or-ed with a protection.
const (
	MapMemNamedCreate = 0x020000
	MapMemVMCopy      = 0x200000
	MapMemVMShare     = 0x400000
)

// PageSize is the VM page size.
const PageSize = 4096

// word is a heap cell the kernel writes a result into: results go through
// memory, not registers, as XNU's traps return them.
func word() *uint64 { return new(uint64) }

func p(w *uint64) uintptr { return uintptr(unsafe.Pointer(w)) }

// Allocate is vm_allocate: size bytes of zero-filled memory at addr (flags
// FlagsFixed) or anywhere at or above it (FlagsAnywhere).
func Allocate(addr, size uint64, flags uint64) (uint64, error) {
	w := word()
	*w = addr
	err := result(trap(TrapVMAllocate, p(w), uintptr(size), uintptr(flags), 0, 0, 0))
	runtime.KeepAlive(w)
	return *w, err
}

// Deallocate is vm_deallocate.
func Deallocate(addr, size uint64) error {
	return result(trap(TrapVMDeallocate, uintptr(addr), uintptr(size), 0, 0, 0, 0))
}

// Protect is vm_protect.
func Protect(addr, size uint64, setMax bool, prot Prot) error {
	m := uintptr(0)
	if setMax {
		m = 1
	}
	return result(trap(TrapVMProtect, uintptr(addr), uintptr(size), m, uintptr(prot), 0, 0))
}

// SetInherit is vm_inherit.
func SetInherit(addr, size uint64, inh Inherit) error {
	return result(trap(TrapVMInherit, uintptr(addr), uintptr(size), uintptr(inh), 0, 0, 0))
}

// Copy is vm_copy: [src, src+size) over [dst, dst+size).
func Copy(src, size, dst uint64) error {
	return result(trap(TrapVMCopy, uintptr(src), uintptr(size), uintptr(dst), 0, 0, 0))
}

// Read is vm_read: a copy of [addr, addr+size) placed anywhere in the task;
// it returns where.
func Read(addr, size uint64) (uint64, error) {
	w := word()
	err := result(trap(TrapVMRead, uintptr(addr), uintptr(size), p(w), 0, 0, 0))
	runtime.KeepAlive(w)
	return *w, err
}

// Write is vm_write: data over [addr, addr+len(data)).
func Write(addr uint64, data []byte) error {
	if len(data) == 0 {
		return nil
	}
	err := result(trap(TrapVMWrite, uintptr(addr), uintptr(unsafe.Pointer(&data[0])), uintptr(len(data)), 0, 0, 0))
	runtime.KeepAlive(data)
	return err
}

// Port names a memory entry of the task.
type Port uint64

// MakeMemoryEntry is mach_make_memory_entry_64: an entry for [offset,
// offset+size) of the task's memory (or new memory with
// MapMemNamedCreate); flags is a protection or-ed with MAP_MEM_* flags.
// It returns the entry and its page-rounded size.
func MakeMemoryEntry(size, offset uint64, flags uint64) (Port, uint64, error) {
	sz, name := word(), word()
	*sz = size
	err := result(trap(TrapMakeMemoryEntry, p(sz), uintptr(offset), uintptr(flags), p(name), 0, 0))
	runtime.KeepAlive(sz)
	runtime.KeepAlive(name)
	return Port(*name), *sz, err
}

// PortDeallocate releases a memory entry.
func PortDeallocate(port Port) error {
	return result(trap(TrapPortDeallocate, uintptr(port), 0, 0, 0, 0, 0))
}

// MapArgs are vm_map's arguments after the address and size.
type MapArgs struct {
	Mask    uint64
	Flags   uint64
	Entry   Port // 0: anonymous memory
	Offset  uint64
	Copy    bool
	Cur     Prot
	Max     Prot
	Inherit Inherit
}

// Map is vm_map: it maps size bytes of a.Entry at a.Offset (shared, or a
// copy), at addr or anywhere, and returns the address.
func Map(addr, size uint64, a MapArgs) (uint64, error) {
	w := word()
	*w = addr
	block := new([2]uint64)
	cp := uint64(0)
	if a.Copy {
		cp = 1
	}
	block[0] = a.Offset
	block[1] = cp | uint64(a.Cur)<<8 | uint64(a.Max)<<16 | uint64(a.Inherit)<<24
	err := result(trap(TrapVMMap, p(w), uintptr(size), uintptr(a.Mask), uintptr(a.Flags), uintptr(a.Entry),
		uintptr(unsafe.Pointer(block))))
	runtime.KeepAlive(w)
	runtime.KeepAlive(block)
	return *w, err
}

// RegionInfo is vm_region's basic info.
type RegionInfo struct {
	Start, Size   uint64
	Prot, MaxProt Prot
	Inherit       Inherit
	Shared        uint64
}

// Region is vm_region: the region at or above addr.
func Region(addr uint64) (RegionInfo, error) {
	w := word()
	*w = addr
	info := new(RegionInfo)
	err := result(trap(TrapVMRegion, p(w), uintptr(unsafe.Pointer(info)), 0, 0, 0, 0))
	runtime.KeepAlive(w)
	return *info, err
}

// Statistics are the vm system's counters (vm_statistics).
type Statistics struct {
	PoolPages, Free, Active, Inactive, Wired uint64

	Faults, ZeroFills, CowFaults, Pageins, Pageouts, Reactivations,
	Reclaims, Lookups, Hits, Collapses, Bypasses uint64
}

// VMStatistics is vm_statistics.
func VMStatistics() (Statistics, error) {
	s := new(Statistics)
	err := result(trap(TrapVMStatistics, uintptr(unsafe.Pointer(s)), 0, 0, 0, 0, 0))
	return *s, err
}

// TaskInfo describes the calling task's address space.
type TaskInfo struct {
	Entries, Resident, Wired, TablePages uint64
}

// TaskStatistics reports the task's map entries and its pmap's pages.
func TaskStatistics() (TaskInfo, error) {
	s := new(TaskInfo)
	err := result(trap(TrapTaskStatistics, uintptr(unsafe.Pointer(s)), 0, 0, 0, 0, 0))
	return *s, err
}

// Wire is vm_wire: access ProtNone unwires.
func Wire(addr, size uint64, access Prot) error {
	return result(trap(TrapVMWire, uintptr(addr), uintptr(size), uintptr(access), 0, 0, 0))
}

// Fork is task_fork: a new task whose memory is inherited from this one
// (each region as its inheritance says: copy-on-write, shared or none),
// running only the calling thread. It returns the child's id in the parent
// and 0 in the child. The child has none of the parent's other threads: it
// must not need the Go scheduler's other Ms (sysmon, GC workers), so it
// should only compute, make traps and exit, as a POSIX child of a threaded
// parent only calls async-signal-safe functions.
func Fork() (int, error) {
	w := word()
	err := result(trap(TrapTaskFork, p(w), 0, 0, 0, 0, 0))
	runtime.KeepAlive(w)
	return int(*w), err
}

// WaitStatus is a child's exit status, encoded as Linux's wait(2).
type WaitStatus uint32

// Exited reports whether the child called exit.
func (w WaitStatus) Exited() bool { return w&0x7f == 0 }

// ExitCode is the child's exit code.
func (w WaitStatus) ExitCode() int { return int(w>>8) & 0xff }

// Signal is the signal that killed the child (11: SIGSEGV).
func (w WaitStatus) Signal() int { return int(w & 0x7f) }

func (w WaitStatus) String() string {
	if w.Exited() {
		return fmt.Sprintf("exit %d", w.ExitCode())
	}
	return fmt.Sprintf("killed by signal %d", w.Signal())
}

// SIGSEGV is the signal of a task killed by a page fault.
const SIGSEGV = 11

// Wait is task_wait: it waits for the child id (-1: any) to end and
// returns its id and status.
func Wait(id int) (int, WaitStatus, error) {
	cid, st := word(), word()
	err := result(trap(TrapTaskWait, uintptr(id), p(cid), p(st), 0, 0, 0))
	runtime.KeepAlive(cid)
	runtime.KeepAlive(st)
	return int(*cid), WaitStatus(*st), err
}

// TaskID is the calling task's id.
func TaskID() int {
	w := word()
	trap(TrapTaskID, p(w), 0, 0, 0, 0, 0)
	runtime.KeepAlive(w)
	return int(*w)
}

// Exit ends the task with code, at once (exit_group).
func Exit(code int) {
	syscallExit(uintptr(code))
}

// PageInfo is what PageQuery reports of one page.
type PageInfo struct {
	Disposition uint64 // VM_PAGE_QUERY_* bits: 0x1 present, 0x8 dirty, ...
	RefCount    uint64 // references to the object holding the page
	Frame       uint64 // physical frame the task maps it to; 0 if not mapped
}

// PageQuery is vm_map_page_query, plus the physical frame.
func PageQuery(addr uint64) (PageInfo, error) {
	info := new(PageInfo)
	err := result(trap(TrapVMPageQuery, uintptr(addr), uintptr(unsafe.Pointer(info)), 0, 0, 0, 0))
	return *info, err
}

// Syscall makes system call nr (negative: a Mach trap) with six arguments
// and returns the raw result: for the fuzz task.
func Syscall(nr int64, a0, a1, a2, a3, a4, a5 uintptr) uintptr {
	return trap(nr, a0, a1, a2, a3, a4, a5)
}

// RawTrap makes Mach trap nr (one of the Trap constants) with up to six
// arguments, passed as they are, and returns its kern_return_t.
func RawTrap(nr int64, a ...uint64) KernReturn {
	var x [6]uintptr
	for i, v := range a {
		x[i] = uintptr(v)
	}
	return KernReturn(int32(trap(nr, x[0], x[1], x[2], x[3], x[4], x[5])))
}

// InChild forks, runs child in the child task (which exits 0 if child
// returns) and returns the child's wait status.
func InChild(child func()) (WaitStatus, error) {
	id, err := Fork()
	if err != nil {
		return 0, fmt.Errorf("fork: %v", err)
	}
	if id == 0 {
		child()
		Exit(0)
	}
	_, st, err := Wait(id)
	if err != nil {
		return 0, fmt.Errorf("wait: %v", err)
	}
	return st, nil
}
