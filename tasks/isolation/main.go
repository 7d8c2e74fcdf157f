//go:build tamago

// Command isolation checks that a task reaches only its own memory
// (docs/reliability.md, "Isolation"): no system call or Mach trap with a
// pointer argument reads or writes the kernel's pages or the trap
// trampoline's (Linux calls answer EFAULT, Mach traps
// KERN_INVALID_ADDRESS), no vm call maps, protects, wires or describes
// them, touching them kills the task with a report, a maximum protection
// never rises, and after task_fork neither the parent nor the child sees
// the other's writes. It prints PASS isolation: NAME or FAIL isolation:
// NAME: why for each check and exits 1 if one failed.
package main

import (
	"fmt"
	"os"
	"runtime"
	"sync/atomic"
	"unsafe"

	"github.com/tamach/tamach/tasks/mach"
)

// kernelAddrs are addresses of the kernel's that every task's address space
// holds or borders: the trampoline's pages (kernel/machine/*/layout.go),
// then the page the pmap self-check maps in the kernel's space, and the
// first addresses past the user range.
func kernelAddrs() []uint64 {
	if runtime.GOARCH == "arm64" {
		return []uint64{
			0xffff_ff80_0000_0000, // TrampolineVA: the trampoline's text
			0xffff_ff80_0000_0800, // in the vector table
			0xffff_ff80_0001_0000, // TrapAreaVA: the per-CPU trap area
			0x0001_0000_0000_0000, // the first address past the user range (2^48)
			0xffff_0000_0000_0000, // the first address of the TTBR1 half
		}
	}
	return []uint64{
		0xffff_ff80_0000_0000, // TrampolineVA: the trampoline's code
		0xffff_ff80_0000_1000, // the IDT
		0xffff_ff80_0000_2700, // the per-CPU page's trap frame
		0xffff_c000_0000_0000, // ScratchVA, the pmap self-check page
		0x0000_7fff_ffff_f000, // the last page of the lower half, left out of the user range
		0xffff_8000_0000_0000, // the first canonical upper-half address
	}
}

// Linux system call numbers.
type linuxNrs struct{ write, mmap, mprotect, munmap, nanosleep, clockGettime, getrandom, archPrctl, yield int64 }

func nrs() linuxNrs {
	if runtime.GOARCH == "arm64" {
		return linuxNrs{64, 222, 226, 215, 101, 113, 278, 0, 124}
	}
	return linuxNrs{1, 9, 10, 11, 35, 228, 318, 158, 24}
}

const (
	eperm  = -1
	efault = -14
	einval = -22
)

func sys(nr int64, a ...uint64) int64 {
	var x [6]uintptr
	for i, v := range a {
		x[i] = uintptr(v)
	}
	return int64(mach.Syscall(nr, x[0], x[1], x[2], x[3], x[4], x[5]))
}

type check struct {
	name string
	run  func() error
}

var checks = []check{
	{"linux-efault", checkLinuxFault},
	{"mach-invalid-address", checkMachFault},
	{"mach-result-pointers", checkResultPointers},
	{"no-map-kernel", checkNoMap},
	{"no-protect-kernel", checkNoProtect},
	{"regions-user-only", checkRegions},
	{"touch-kills", checkTouchKills},
	{"max-protection", checkMaxProtection},
	{"fork-parent-to-child", checkForkParentToChild},
	{"fork-child-to-parent", checkForkChildToParent},
	{"fork-frames-private", checkForkFrames},
}

// buf is user memory the checks write from and into: the data must reach
// it, never the kernel.
var buf *[2]uint64

func main() {
	b, err := mach.Allocate(0, 4*mach.PageSize, mach.FlagsAnywhere)
	if err != nil {
		fmt.Println("FAIL isolation: vm_allocate:", err)
		os.Exit(1)
	}
	buf = (*[2]uint64)(unsafe.Add(unsafe.Pointer(nil), uintptr(b)))
	failed := 0
	for _, c := range checks {
		if err := c.run(); err != nil {
			fmt.Printf("FAIL isolation: %s: %v\n", c.name, err)
			failed++
			continue
		}
		fmt.Printf("PASS isolation: %s\n", c.name)
	}
	if failed > 0 {
		os.Exit(1)
	}
}

func addr(p unsafe.Pointer) uint64 { return uint64(uintptr(p)) }

// checkLinuxFault: every Linux call with a pointer argument answers EFAULT
// for a kernel address, whether it reads (write, nanosleep) or writes
// (clock_gettime, getrandom, arch_prctl(ARCH_GET_FS)) there, and also for a
// range that starts in the task's memory and runs into the kernel's.
func checkLinuxFault() error {
	n := nrs()
	for _, k := range kernelAddrs() {
		for _, c := range []struct {
			what string
			got  int64
		}{
			{"write(1, k, 16)", sys(n.write, 1, k, 16)},
			{"nanosleep(k, 0)", sys(n.nanosleep, k, 0)},
			{"clock_gettime(CLOCK_MONOTONIC, k)", sys(n.clockGettime, 1, k)},
			{"clock_gettime(CLOCK_REALTIME, k)", sys(n.clockGettime, 0, k)},
			{"getrandom(k, 16, 0)", sys(n.getrandom, k, 16, 0)},
		} {
			if c.got != efault {
				return fmt.Errorf("%s with k=%#x returned %d, want EFAULT (%d)", c.what, k, c.got, efault)
			}
		}
		if n.archPrctl != 0 {
			if got := sys(n.archPrctl, 0x1003, k); got != efault {
				return fmt.Errorf("arch_prctl(ARCH_GET_FS, %#x) returned %d, want EFAULT", k, got)
			}
			if got := sys(n.archPrctl, 0x1002, k); got != eperm {
				return fmt.Errorf("arch_prctl(ARCH_SET_FS, %#x) returned %d, want EPERM", k, got)
			}
		}
	}
	// A user range that runs off the end of the task's memory into the
	// kernel half: getrandom fills what it can and stops at the fault.
	top := kernelAddrs()[0] - 16
	if got := sys(n.getrandom, top, 32, 0); got != efault {
		return fmt.Errorf("getrandom(%#x, 32, 0) returned %d, want EFAULT", top, got)
	}
	return nil
}

// checkMachFault: vm_read, vm_write and vm_copy with a kernel address on
// either side answer KERN_INVALID_ADDRESS and move nothing.
func checkMachFault() error {
	b := addr(unsafe.Pointer(buf))
	buf[0], buf[1] = 0x1111, 0x2222
	for _, k := range kernelAddrs() {
		for _, c := range []struct {
			what string
			got  mach.KernReturn
		}{
			{"vm_read(k, 4096)", mach.RawTrap(mach.TrapVMRead, k, 4096, b)},
			{"vm_read(k, 16)", mach.RawTrap(mach.TrapVMRead, k, 16, b)},
			{"vm_write(k, buf, 16)", mach.RawTrap(mach.TrapVMWrite, k, b, 16)},
			{"vm_write(buf, k, 16)", mach.RawTrap(mach.TrapVMWrite, b, k, 16)},
			{"vm_copy(k, 4096, buf)", mach.RawTrap(mach.TrapVMCopy, k, 4096, b&^4095)},
			{"vm_copy(buf, 4096, k)", mach.RawTrap(mach.TrapVMCopy, b&^4095, 4096, k)},
			{"vm_page_query(k)", mach.RawTrap(mach.TrapVMPageQuery, k, b)},
		} {
			if c.got != mach.KernInvalidAddress {
				return fmt.Errorf("%s with k=%#x returned %v, want KERN_INVALID_ADDRESS", c.what, k, c.got)
			}
		}
		if buf[0] != 0x1111 || buf[1] != 0x2222 {
			return fmt.Errorf("a refused call with k=%#x changed the task's buffer to %#x", k, *buf)
		}
	}
	return nil
}

// checkResultPointers: a trap whose result pointer is a kernel address
// answers KERN_INVALID_ADDRESS and leaves nothing behind: no memory
// allocated, no child forked.
func checkResultPointers() error {
	before, err := mach.TaskStatistics()
	if err != nil {
		return err
	}
	for _, k := range kernelAddrs() {
		for _, c := range []struct {
			what string
			got  mach.KernReturn
		}{
			{"vm_allocate(*k, 4096, anywhere)", mach.RawTrap(mach.TrapVMAllocate, k, 4096, mach.FlagsAnywhere)},
			{"vm_region(*k, info)", mach.RawTrap(mach.TrapVMRegion, k, addr(unsafe.Pointer(buf)))},
			{"vm_statistics(*k)", mach.RawTrap(mach.TrapVMStatistics, k)},
			{"task_statistics(*k)", mach.RawTrap(mach.TrapTaskStatistics, k)},
			{"task_id(*k)", mach.RawTrap(mach.TrapTaskID, k)},
			{"task_fork(*k)", mach.RawTrap(mach.TrapTaskFork, k)},
			{"mach_make_memory_entry(*k)", mach.RawTrap(mach.TrapMakeMemoryEntry, k, 0, 3, addr(unsafe.Pointer(&buf[1])))},
		} {
			if c.got != mach.KernInvalidAddress {
				return fmt.Errorf("%s with k=%#x returned %v, want KERN_INVALID_ADDRESS", c.what, k, c.got)
			}
		}
	}
	if _, _, err := mach.Wait(-1); err != mach.KernInvalidArgument {
		return fmt.Errorf("task_wait(-1) after the refused forks returned %v, want KERN_INVALID_ARGUMENT: a child was left", err)
	}
	after, err := mach.TaskStatistics()
	if err != nil {
		return err
	}
	if after.Entries != before.Entries {
		return fmt.Errorf("map entries went from %d to %d: a refused vm_allocate left memory", before.Entries, after.Entries)
	}
	return nil
}

// checkNoMap: nothing maps memory at a kernel address: vm_allocate and
// vm_map fixed there, mmap with MAP_FIXED there; an address the kernel
// chooses (vm_allocate anywhere, mmap with a kernel hint) is a user one.
func checkNoMap() error {
	n := nrs()
	user := userEnd()
	for _, k := range kernelAddrs() {
		if a, err := mach.Allocate(k, 4096, mach.FlagsFixed); err == nil {
			return fmt.Errorf("vm_allocate(%#x, fixed) succeeded at %#x", k, a)
		}
		if a, err := mach.Allocate(k, 4096, mach.FlagsFixed|mach.FlagsOverwrite); err == nil {
			return fmt.Errorf("vm_allocate(%#x, fixed|overwrite) succeeded at %#x", k, a)
		}
		if a, err := mach.Map(k, 4096, mach.MapArgs{Flags: mach.FlagsFixed, Cur: mach.ProtAll, Max: mach.ProtAll}); err == nil {
			return fmt.Errorf("vm_map(%#x, fixed) succeeded at %#x", k, a)
		}
		if a, err := mach.Map(k, 4096, mach.MapArgs{Flags: mach.FlagsAnywhere, Cur: mach.ProtAll, Max: mach.ProtAll}); err == nil {
			if a >= user {
				return fmt.Errorf("vm_map(%#x, anywhere) mapped at %#x, outside the user range", k, a)
			}
			mach.Deallocate(a, 4096)
		}
		if got := sys(n.mmap, k, 4096, 3, 0x22|0x10, ^uint64(0), 0); got >= 0 || got < -4095 {
			return fmt.Errorf("mmap(%#x, MAP_FIXED) returned %#x, want an error", k, got)
		}
		got := sys(n.mmap, k, 4096, 3, 0x22, ^uint64(0), 0)
		if got < 0 || uint64(got) >= user {
			return fmt.Errorf("mmap(hint %#x) returned %#x, want a user address", k, got)
		}
		sys(n.munmap, uint64(got), 4096)
	}
	a, err := mach.Allocate(kernelAddrs()[0], 4096, mach.FlagsAnywhere)
	if err != nil || a >= user {
		return fmt.Errorf("vm_allocate(%#x, anywhere) = %#x, %v: want a user address", kernelAddrs()[0], a, err)
	}
	return mach.Deallocate(a, 4096)
}

// userEnd is the end of the user range (kernel/machine/*/start.go).
func userEnd() uint64 {
	if runtime.GOARCH == "arm64" {
		return 1 << 48
	}
	return 0x7fff_ffff_f000
}

// checkNoProtect: no vm call changes a kernel page: vm_protect, mprotect
// and munmap there fail, and so does a memory entry over it (a way to map
// it elsewhere). vm_inherit, vm_deallocate and vm_wire of a range outside
// the map succeed and change nothing, as XNU's do (they clip the range to
// the map: vm/api_attr.go, vm/api_alloc.go, vm/wire.go): the map keeps its
// entries and its wired pages, and touch-kills, whose children are forked
// after these calls, shows the pages stayed out of reach.
func checkNoProtect() error {
	n := nrs()
	before, err := mach.TaskStatistics()
	if err != nil {
		return err
	}
	for _, k := range kernelAddrs() {
		for _, c := range []struct {
			what string
			got  mach.KernReturn
		}{
			{"vm_protect(k, cur rwx)", mach.RawTrap(mach.TrapVMProtect, k, 4096, 0, 7)},
			{"vm_protect(k, max rwx)", mach.RawTrap(mach.TrapVMProtect, k, 4096, 1, 7)},
		} {
			if c.got == mach.KernSuccess {
				return fmt.Errorf("%s with k=%#x succeeded", c.what, k)
			}
		}
		for _, c := range []struct {
			what string
			got  mach.KernReturn
		}{
			{"vm_inherit(k, share)", mach.RawTrap(mach.TrapVMInherit, k, 4096, 0)},
			{"vm_deallocate(k)", mach.RawTrap(mach.TrapVMDeallocate, k, 4096)},
			{"vm_wire(k, rw)", mach.RawTrap(mach.TrapVMWire, k, 4096, 3)},
		} {
			if c.got != mach.KernSuccess && c.got != mach.KernInvalidAddress && c.got != mach.KernInvalidArgument {
				return fmt.Errorf("%s with k=%#x returned %v", c.what, k, c.got)
			}
		}
		size := uint64(4096)
		sz := &size
		var name uint64
		if got := mach.RawTrap(mach.TrapMakeMemoryEntry, addr(unsafe.Pointer(sz)), k, 3, addr(unsafe.Pointer(&name))); got == mach.KernSuccess {
			return fmt.Errorf("mach_make_memory_entry(offset %#x) succeeded: entry %d", k, name)
		}
		if got := sys(n.mprotect, k, 4096, 7); got == 0 {
			return fmt.Errorf("mprotect(%#x, rwx) succeeded", k)
		}
		if got := sys(n.munmap, k, 4096); got == 0 {
			return fmt.Errorf("munmap(%#x) succeeded", k)
		}
	}
	after, err := mach.TaskStatistics()
	if err != nil {
		return err
	}
	if after.Entries != before.Entries || after.Wired != before.Wired {
		return fmt.Errorf("map entries went from %d to %d, wired pages from %d to %d",
			before.Entries, after.Entries, before.Wired, after.Wired)
	}
	return nil
}

// checkRegions: vm_region walks the whole map from 0 and reports only user
// addresses.
func checkRegions() error {
	limit := userEnd()
	at, count := uint64(0), 0
	for {
		r, err := mach.Region(at)
		if err == mach.KernInvalidAddress {
			break
		}
		if err != nil {
			return fmt.Errorf("vm_region(%#x): %v", at, err)
		}
		if r.Start < at || r.Size == 0 || r.Start+r.Size > limit || r.Start+r.Size < r.Start {
			return fmt.Errorf("vm_region(%#x) = [%#x, +%#x): not a user region at or above", at, r.Start, r.Size)
		}
		at = r.Start + r.Size
		count++
	}
	if count == 0 {
		return fmt.Errorf("vm_region found no region at all")
	}
	return nil
}

// checkTouchKills: a load, a store or a jump to each kernel address kills
// the child that makes it with SIGSEGV (the kernel prints its report).
func checkTouchKills() error {
	for _, k := range kernelAddrs() {
		for _, how := range []string{"read", "write", "execute"} {
			st, err := mach.InChild(func() {
				switch how {
				case "read":
					sink = *(*uint64)(unsafe.Add(unsafe.Pointer(nil), uintptr(k)))
				case "write":
					*(*uint64)(unsafe.Add(unsafe.Pointer(nil), uintptr(k))) = 0xdead
				default:
					call(k)
				}
			})
			if err != nil {
				return err
			}
			if st.Exited() || st.Signal() != mach.SIGSEGV {
				return fmt.Errorf("%s at %#x: child %v, want killed by signal %d", how, k, st, mach.SIGSEGV)
			}
		}
	}
	return nil
}

// sink keeps the load of touch-kills from being optimised away.
var sink uint64

// call jumps to addr as to a Go function without arguments.
func call(addr uint64) {
	code := uintptr(addr)
	fv := &code
	f := *(*func())(unsafe.Pointer(&fv))
	f()
}

// checkMaxProtection: once vm_protect lowers a maximum protection no call
// raises it again, nor a current protection above it; a read-only
// segment of the program's own image cannot be made writable.
func checkMaxProtection() error {
	n := nrs()
	a, err := mach.Allocate(0, 2*mach.PageSize, mach.FlagsAnywhere)
	if err != nil {
		return err
	}
	defer mach.Deallocate(a, 2*mach.PageSize)
	if err := mach.Protect(a, mach.PageSize, true, mach.ProtRead); err != nil {
		return fmt.Errorf("vm_protect(set_max, read): %v", err)
	}
	for _, p := range []mach.Prot{mach.ProtRead | mach.ProtWrite, mach.ProtAll, mach.ProtExecute} {
		if err := mach.Protect(a, mach.PageSize, true, p); err != mach.KernProtectionFailure {
			return fmt.Errorf("vm_protect(set_max, %d) after max read returned %v, want KERN_PROTECTION_FAILURE", p, err)
		}
		if err := mach.Protect(a, mach.PageSize, false, p); err != mach.KernProtectionFailure {
			return fmt.Errorf("vm_protect(cur %d) above max read returned %v, want KERN_PROTECTION_FAILURE", p, err)
		}
	}
	if got := sys(n.mprotect, a, mach.PageSize, 3); got != -13 {
		return fmt.Errorf("mprotect(read|write) above max read returned %d, want EACCES (-13)", got)
	}
	// A range across the read-max page and a normal one: refused whole.
	if err := mach.Protect(a, 2*mach.PageSize, false, mach.ProtDefault); err != mach.KernProtectionFailure {
		return fmt.Errorf("vm_protect over a max-read page and a normal one returned %v", err)
	}
	r, err := mach.Region(a)
	if err != nil || r.MaxProt != mach.ProtRead {
		return fmt.Errorf("vm_region after the refused calls: max %d, %v; want max read", r.MaxProt, err)
	}
	// The program's text: mapped with a maximum without write.
	text := uint64(**(**uintptr)(unsafe.Pointer(&textFunc))) &^ (mach.PageSize - 1)
	if err := mach.Protect(text, mach.PageSize, false, mach.ProtAll); err != mach.KernProtectionFailure {
		return fmt.Errorf("vm_protect(text %#x, rwx) returned %v, want KERN_PROTECTION_FAILURE", text, err)
	}
	if err := mach.Write(text, []byte{0xcc}); err != mach.KernProtectionFailure {
		return fmt.Errorf("vm_write over the text at %#x returned %v, want KERN_PROTECTION_FAILURE", text, err)
	}
	return nil
}

var textFunc = yield

// shared is a page both sides of a fork see (VM_INHERIT_SHARE), for the
// child to report what it saw; private is copy-inherited memory, the
// subject of the fork checks.
type sharedPage struct {
	step atomic.Uint64
	saw  atomic.Uint64
}

func forkPages() (*sharedPage, *[512]uint64, uint64, error) {
	s, err := mach.Allocate(0, mach.PageSize, mach.FlagsAnywhere)
	if err != nil {
		return nil, nil, 0, err
	}
	if err := mach.SetInherit(s, mach.PageSize, mach.InheritShare); err != nil {
		return nil, nil, 0, err
	}
	p, err := mach.Allocate(0, mach.PageSize, mach.FlagsAnywhere)
	if err != nil {
		return nil, nil, 0, err
	}
	sp := (*sharedPage)(unsafe.Add(unsafe.Pointer(nil), uintptr(s)))
	pp := (*[512]uint64)(unsafe.Add(unsafe.Pointer(nil), uintptr(p)))
	return sp, pp, s, nil
}

// yield is sched_yield: a forked child may not block in the Go scheduler.
func yield() { sys(nrs().yield) }

// checkForkParentToChild: what the parent writes after the fork, to memory
// it wrote before (now copy-on-write) and to memory it never touched, the
// child does not see; the child sees what was there at the fork.
func checkForkParentToChild() error {
	sp, pp, s, err := forkPages()
	if err != nil {
		return err
	}
	defer mach.Deallocate(s, mach.PageSize)
	defer mach.Deallocate(uint64(uintptr(unsafe.Pointer(pp))), mach.PageSize)
	pp[0] = 1 // written before the fork; pp[1] never written before it
	id, err := mach.Fork()
	if err != nil {
		return err
	}
	if id == 0 {
		for sp.step.Load() != 1 {
			yield()
		}
		sp.saw.Store(pp[0]<<8 | pp[1])
		sp.step.Store(2)
		mach.Exit(0)
	}
	pp[0], pp[1] = 2, 3
	sp.step.Store(1)
	if _, st, err := mach.Wait(id); err != nil || !st.Exited() {
		return fmt.Errorf("child %v, %v", st, err)
	}
	if sp.step.Load() != 2 || sp.saw.Load() != 1<<8 {
		return fmt.Errorf("the child saw %#x (step %d), want %#x: the parent's writes after the fork reached it", sp.saw.Load(), sp.step.Load(), 1<<8)
	}
	return nil
}

// checkForkChildToParent: what the child writes (with stores and with
// vm_write, vm_copy and getrandom into its copy) never reaches the parent.
func checkForkChildToParent() error {
	sp, pp, s, err := forkPages()
	if err != nil {
		return err
	}
	defer mach.Deallocate(s, mach.PageSize)
	base := uint64(uintptr(unsafe.Pointer(pp)))
	defer mach.Deallocate(base, mach.PageSize)
	for i := range pp {
		pp[i] = uint64(i)
	}
	global = 7
	st, err := mach.InChild(func() {
		pp[0] = 0xbad
		global = 0xbad
		var w [2]uint64
		w[0] = 0xbad
		mach.RawTrap(mach.TrapVMWrite, base+8, addr(unsafe.Pointer(&w)), 8)
		mach.RawTrap(mach.TrapVMCopy, base+mach.PageSize/2, 8, base+16)
		sys(nrs().getrandom, base+24, 8, 0)
		sp.saw.Store(pp[0])
	})
	if err != nil {
		return err
	}
	if !st.Exited() {
		return fmt.Errorf("child %v", st)
	}
	if sp.saw.Load() != 0xbad {
		return fmt.Errorf("the child's own store did not stick in its copy (saw %#x)", sp.saw.Load())
	}
	for i := range pp {
		if pp[i] != uint64(i) {
			return fmt.Errorf("word %d of the parent's page is %#x after the child's writes, want %#x", i, pp[i], i)
		}
	}
	if global != 7 {
		return fmt.Errorf("the parent's global is %#x after the child's store, want 7", global)
	}
	return nil
}

var global uint64

// checkForkFrames: once both sides have written a page inherited
// copy-on-write, they map different physical frames (vm_page_query).
func checkForkFrames() error {
	sp, pp, s, err := forkPages()
	if err != nil {
		return err
	}
	defer mach.Deallocate(s, mach.PageSize)
	base := uint64(uintptr(unsafe.Pointer(pp)))
	defer mach.Deallocate(base, mach.PageSize)
	pp[0] = 1
	st, err := mach.InChild(func() {
		pp[0] = 2
		info, err := mach.PageQuery(base)
		if err != nil {
			mach.Exit(2)
		}
		sp.saw.Store(info.Frame)
	})
	if err != nil {
		return err
	}
	if !st.Exited() || st.ExitCode() != 0 {
		return fmt.Errorf("child %v", st)
	}
	info, err := mach.PageQuery(base)
	if err != nil {
		return err
	}
	if info.Frame == 0 || info.Frame == sp.saw.Load() {
		return fmt.Errorf("parent's frame %#x, child's %#x: want two different frames", info.Frame, sp.saw.Load())
	}
	return nil
}
