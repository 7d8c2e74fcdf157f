//go:build tamago

// Command fuzz makes random and adversarial Linux system calls and Mach
// traps from many processes: kernel and trampoline addresses, unmapped,
// read-only and unaligned pointers, zero and huge sizes, overlapping
// ranges, every flag bit, every trap number of the table and the numbers
// around it. The kernel must answer every call with an error or a result,
// or kill the caller, and never stop.
//
// The run makes exactly calls calls (default 5000), from children of the
// first task (inFlight at a time, at most batch calls each) and the
// processes they fork: a fuzzed task_fork that succeeds splits the caller's
// budget with the new process, so children fork grandchildren and those fork
// further, and some exit without waiting for theirs (orphans the kernel
// reaps). Each call is claimed from a counter all processes share before it
// is made; a killed process claims no more, and the first task forks new
// children until every call has been claimed. Every process draws its calls
// from its own generator, seeded from seed and its place in the tree: the
// same seed makes the same calls in each process (which process makes the
// last few of the run depends on scheduling). Build with
//
//	-ldflags '-X main.calls=N -X main.seed=S'
//
// (make fuzz CALLS=N SEED=S does). It prints the seed first and PASS fuzz
// with the counts at the end; the kernel's next lines say how many tasks it
// killed and that every frame came back.
package main

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"sync/atomic"
	"unsafe"

	"github.com/tamach/tamach/tasks/mach"
)

// Set by the linker (-X): strings, the only kind -X sets.
var (
	calls = "5000"
	seed  = "1"
)

const (
	batch       = 400     // calls of one child of the first task
	inFlight    = 4       // children of the first task alive at once
	maxDepth    = 3       // forks below a child of the first task
	scratchSize = 1 << 22 // each process's playground, inherited copy-on-write
	sharedVA    = 0x3f5a_0000_0000
)

// counters live in a page every process shares (VM_INHERIT_SHARE).
type counters struct {
	issued       atomic.Uint64 // calls claimed, each made right after
	linux, mach  atomic.Uint64 // of them: positive numbers, negative numbers
	ok           atomic.Uint64 // calls that returned 0 (or a count)
	forks        atomic.Uint64 // fuzzed task_forks that made a process
	forkFailed   atomic.Uint64 // fuzzed task_forks that made none (bad pointer)
	nestedExited atomic.Uint64 // forked processes a parent saw exit
	nestedKilled atomic.Uint64 // forked processes a parent saw killed
	orphans      atomic.Uint64 // forked processes whose parent exited first
}

// rng is xorshift64* (Vigna, 2016): no allocation, safe in a forked child.
type rng uint64

func (r *rng) next() uint64 {
	x := uint64(*r)
	x ^= x >> 12
	x ^= x << 25
	x ^= x >> 27
	*r = rng(x)
	return x * 0x2545f4914f6cdd1d
}

func (r *rng) n(n uint64) uint64 { return r.next() % n }

// mix derives the seed of a process from its parent's and its number
// (splitmix64's finaliser).
func mix(a, b uint64) uint64 {
	z := a + b*0x9e3779b97f4a7c15 + 0x632be59bd9b4e019
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	z ^= z >> 31
	if z == 0 {
		z = 1
	}
	return z
}

// Everything a fuzzing process uses is here, set up before the first fork,
// so that a child never allocates (it has none of the Go runtime's other
// threads; see mach.Fork).
var (
	scratch  uint64 // scratchSize bytes: page 0 read/write, 1 read-only, 2 none, 3 max read
	out      [8]uint64
	timespec [2]uint64 // the only nanosleep the fuzz makes that can succeed: set before each
	self     uint64    // the process's task id, for telling a fuzzed fork's child
	idWord   uint64
	waitID   uint64
	waitSt   uint64
	recent   [16]uint64 // addresses vm_allocate, vm_map and vm_read returned
	nRecent  int
	children [4]uint64 // ids of the processes this one forked
	nKids    int
	fsBase   uint64 // amd64: the thread pointer (FS base)
	text     uint64 // an address in the program's text
	data     uint64 // an address in its data
)

// Linux numbers of the calls tamach implements, and the calls the fuzz
// leaves out: exit and exit_group end the process; nanosleep only with the
// fuzz's own short timespec or a bad pointer, never with a random one.
type linuxNrs struct {
	write, mmap, mprotect, munmap, yield, nanosleep, clone, exit,
	archPrctl, clockGettime, exitGroup, getrandom int64
}

// nrs are this architecture's numbers; a function, not a variable, so that
// a call that scribbles over the program's data cannot change them.
func nrs() linuxNrs {
	if runtime.GOARCH == "arm64" {
		return linuxNrs{64, 222, 226, 215, 124, 101, 220, 93, -1, 113, 94, 278}
	}
	return linuxNrs{1, 9, 10, 11, 24, 35, 56, 60, 158, 228, 231, 318}
}

// machNrs is the trap table (kernel/task/mach.go) with its neighbours.
var machNrs = []int64{
	-10, -12, -14, -15, -40, -41, -42, -43, -44, -45, -46, -47, -48, -49, -60, -61, -62, -63,
	-1, -9, -11, -13, -16, -39, -50, -59, -64, -80,
}

// Kernel addresses a task must not reach: the trampoline (code, IDT or
// vector table, per-CPU page or trap area), the pmap self-check page, the
// kernel image's physical addresses (arm64 virt RAM starts at 1 GiB; the
// amd64 kernel is linked at 16 MiB + 64 KiB), the non-canonical hole, the
// top of the lower half and the top of the address space.
var kernelAddrs = []uint64{
	0xffff_ff80_0000_0000, 0xffff_ff80_0000_1000, 0xffff_ff80_0000_2000, 0xffff_ff80_0000_2700,
	0xffff_ff80_0001_0000, 0xffff_ff80_0000_0800, 0xffff_c000_0000_0000, 0x0000_6000_0000_0000,
	0x0101_0000, 0x4000_0000, 0x4008_0000,
	0x0000_8000_0000_0000, 0x0000_7fff_ffff_f000, 0x0000_7fff_ffff_fff8, 0x0001_0000_0000_0000,
	0xffff_8000_0000_0000, 0xffff_ffff_ffff_f000, 0xffff_ffff_ffff_fff8, 1 << 63,
}

var sizes = []uint64{
	0, 1, 7, 8, 16, 4095, 4096, 4097, 8192, 3 * 4096, scratchSize, scratchSize + 4096,
	1 << 30, 1 << 32, 1 << 47, 1 << 48, 1 << 63, ^uint64(0), ^uint64(0) - 4095, ^uint64(0) - 4096 + 1,
	0x7fff_ffff_f000, 0x8000_0000,
}

// ptr picks an address argument: into the scratch area (aligned or not, at
// its ends, on its read-only and inaccessible pages), the process's text,
// data and stack, an address a call returned, a kernel address, or anything.
func (r *rng) ptr() uint64 {
	switch r.n(16) {
	case 0, 1, 2:
		return scratch + r.n(scratchSize/4096)*4096
	case 3:
		return scratch + r.n(scratchSize)
	case 4:
		return scratch + 4096*(1+r.n(3)) + r.n(16)*8 // read-only, none, max read
	case 5:
		return scratch + scratchSize - 8*r.n(4) // straddles the end
	case 6:
		return uint64(uintptr(unsafe.Pointer(&out[r.n(4)]))) + r.n(2)*3
	case 7:
		if nRecent > 0 {
			return recent[r.n(uint64(min(nRecent, len(recent))))] + r.n(3)*4096
		}
		return scratch
	case 8, 9, 10:
		return kernelAddrs[r.n(uint64(len(kernelAddrs)))] + r.n(2)*r.n(4096)
	case 11:
		return []uint64{text, data, text &^ 4095, data &^ 4095}[r.n(4)]
	case 12:
		return r.n(1 << 16) // near zero
	case 13:
		return 1 << r.n(64)
	}
	return r.next()
}

func (r *rng) size() uint64 {
	switch r.n(4) {
	case 0:
		return r.n(1 << 14)
	case 1:
		return r.n(64) * 4096
	}
	return sizes[r.n(uint64(len(sizes)))]
}

// flags picks a flags word: nothing, one bit (any of the 64), the known
// ones, everything, or anything.
func (r *rng) flags(known ...uint64) uint64 {
	switch r.n(6) {
	case 0:
		return 0
	case 1, 2:
		return 1 << r.n(64)
	case 3:
		if len(known) > 0 {
			return known[r.n(uint64(len(known)))] | known[r.n(uint64(len(known)))]
		}
		return 1
	case 4:
		return ^uint64(0)
	}
	return r.next()
}

func (r *rng) prot() uint64 {
	switch r.n(5) {
	case 0, 1, 2:
		return r.n(8)
	case 3:
		return 1 << r.n(64)
	}
	return r.next()
}

// small picks a small number (a file descriptor, a clock, a port name,
// an inheritance) or a boundary one.
func (r *rng) small() uint64 {
	switch r.n(4) {
	case 0, 1:
		return r.n(10)
	case 2:
		return []uint64{^uint64(0), 0xff, 0x100, 1 << 31, 1 << 32, 1<<32 + 1, 0x1001, 0x1002, 0x1003, 0x1004}[r.n(10)]
	}
	return r.next()
}

// call is one fuzzed call: number and arguments.
type call struct {
	nr int64
	a  [6]uint64
}

// pick makes the next call: mostly a Mach trap or Linux call tamach
// implements, with arguments of the right kinds, sometimes another number
// or arguments of any kind.
func (r *rng) pick(c *call, depth int) {
	for i := range c.a {
		c.a[i] = r.ptr()
	}
	switch r.n(10) {
	case 0:
		// Any number: small ones either side of zero, or anything.
		c.nr = int64(r.n(1024)) - 512
		if r.n(8) == 0 {
			c.nr = int64(r.next())
		}
		if r.n(2) == 0 {
			for i := range c.a {
				c.a[i] = r.next()
			}
		}
		return
	case 1, 2, 3, 4, 5:
		r.mach(c, depth)
	default:
		r.linux(c)
	}
}

func (r *rng) mach(c *call, depth int) {
	c.nr = machNrs[r.n(uint64(len(machNrs)))]
	a := &c.a
	switch c.nr {
	case -10: // vm_allocate(*addr, size, flags)
		out[0] = r.ptr()
		a[1], a[2] = r.size(), r.flags(1, 0x4000)
		if r.n(2) == 0 {
			a[0] = uint64(uintptr(unsafe.Pointer(&out[0])))
		}
	case -12: // vm_deallocate(addr, size)
		a[1] = r.size()
	case -14: // vm_protect(addr, size, set_max, prot)
		a[1], a[2], a[3] = r.size(), r.n(3), r.prot()
	case -15: // vm_map(*addr, size, mask, flags, entry, *args)
		out[0] = r.ptr()
		out[1], out[2] = r.size(), r.n(2)|r.prot()<<8|r.prot()<<16|r.small()<<24
		if r.n(4) == 0 {
			out[2] = r.next()
		}
		a[0], a[1], a[2], a[3], a[4] = uint64(uintptr(unsafe.Pointer(&out[0]))), r.size(), r.flags(0xfff, 0xffff), r.flags(1, 0x4000), r.small()
		a[5] = uint64(uintptr(unsafe.Pointer(&out[1])))
		if r.n(4) == 0 {
			a[0], a[5] = r.ptr(), r.ptr()
		}
	case -40: // vm_inherit(addr, size, inherit)
		a[1], a[2] = r.size(), r.small()
	case -41: // vm_copy(src, size, dst): dst often overlaps src
		a[1] = r.size()
		if r.n(2) == 0 {
			a[2] = a[0] + (r.n(5)-2)*4096 + r.n(2)*r.n(64)
		}
	case -42: // vm_read(addr, size, *data)
		a[1] = r.size()
		if r.n(2) == 0 {
			a[2] = uint64(uintptr(unsafe.Pointer(&out[0])))
		}
	case -43: // vm_write(addr, data, size)
		a[2] = r.size()
	case -44: // mach_make_memory_entry(*size, offset, flags, *entry)
		out[0] = r.size()
		a[0], a[2], a[3] = uint64(uintptr(unsafe.Pointer(&out[0]))), r.flags(0x020000, 0x200000, 0x400000, 1, 2, 3, 7), uint64(uintptr(unsafe.Pointer(&out[1])))
		if r.n(3) == 0 {
			a[0], a[3] = r.ptr(), r.ptr()
		}
	case -45: // vm_region(*addr, *info)
		out[0] = r.ptr()
		if r.n(2) == 0 {
			a[0] = uint64(uintptr(unsafe.Pointer(&out[0])))
		}
	case -47: // vm_wire(addr, size, access)
		a[1], a[2] = r.size(), r.prot()
	case -48: // mach_port_deallocate(name)
		a[0] = r.small()
	case -60: // task_fork(*child): only a bad pointer once deep enough
		if depth >= maxDepth || nKids == len(children) || r.n(2) == 0 {
			a[0] = kernelAddrs[r.n(uint64(len(kernelAddrs)))]
			if r.n(2) == 0 {
				a[0] = scratch + 4096*(1+r.n(2)) // read-only or inaccessible
			}
		} else {
			a[0] = uint64(uintptr(unsafe.Pointer(&idWord)))
		}
	case -61: // task_wait(id, *id, *status)
		a[0] = r.small()
		if nKids > 0 && r.n(2) == 0 {
			a[0] = children[r.n(uint64(nKids))]
		}
	}
}

func (r *rng) linux(c *call) {
	nrs, a := nrs(), &c.a
	switch r.n(11) {
	case 0: // write(fd, buf, count)
		c.nr = nrs.write
		a[0], a[2] = r.small(), r.size()
	case 1: // mmap(addr, len, prot, flags, fd, off)
		c.nr = nrs.mmap
		a[1], a[2], a[3], a[4], a[5] = r.size(), r.prot(), r.flags(0x01, 0x02, 0x10, 0x20, 0x100000, 0x4000), r.small(), r.size()
	case 2: // mprotect(addr, len, prot)
		c.nr = nrs.mprotect
		a[1], a[2] = r.size(), r.prot()
	case 3: // munmap(addr, len)
		c.nr = nrs.munmap
		a[1] = r.size()
	case 4:
		c.nr = nrs.yield
	case 5: // nanosleep(req, rem) with a short request or a bad pointer
		c.nr = nrs.nanosleep
		if r.n(2) == 0 {
			a[0] = uint64(uintptr(unsafe.Pointer(&timespec)))
		} else {
			a[0] = kernelAddrs[r.n(uint64(len(kernelAddrs)))]
		}
	case 6: // clone(flags, stack, ...): never with all of CLONE_VM|CLONE_SIGHAND|CLONE_THREAD (a second thread on this stack)
		c.nr = nrs.clone
		a[0] = r.flags(0x100, 0x800, 0x10000, 0x80000, 0x100000, 0x200000, 0x1000000)
	case 7: // arch_prctl(code, addr) on amd64; an unknown number on arm64
		c.nr = nrs.archPrctl
		a[0] = 0x1001 + r.n(4)
		if r.n(4) == 0 {
			a[0] = r.small()
		}
	case 8: // clock_gettime(clock, tp)
		c.nr = nrs.clockGettime
		a[0] = r.small()
	case 9: // getrandom(buf, count, flags)
		c.nr = nrs.getrandom
		a[1], a[2] = r.size(), r.flags(1, 2, 4)
	default:
		c.nr = int64(r.n(460))
	}
}

// tame keeps a call from ending or stopping the process (exit, exit_group,
// a nanosleep with a random request) or from starting a second thread on
// its stack (clone with CLONE_VM|CLONE_SIGHAND|CLONE_THREAD) or a fork too
// many: the fuzz is about what the kernel does with the arguments, and
// those would end the run early or never. It runs right before each call,
// so that nothing a call scribbled over can undo it.
func tame(c *call, depth int) {
	nrs := nrs()
	switch c.nr {
	case nrs.exit, nrs.exitGroup:
		c.nr = nrs.yield
	case nrs.nanosleep:
		// Any address a task can map (below 2^48 on arm64, 2^47 on
		// amd64) may hold a request of centuries: the task would
		// sleep, as asked, and the run never end. Kernel addresses
		// stay, for EFAULT.
		if c.a[0] < 1<<48 {
			timespec = [2]uint64{0, 1000}
			c.a[0] = uint64(uintptr(unsafe.Pointer(&timespec)))
		}
	case nrs.archPrctl:
		// arch_prctl(ARCH_SET_FS) with a user address the kernel
		// accepts moves the thread pointer the Go runtime finds g
		// through: set it to what it is.
		if c.a[0] == 0x1002 && c.a[1] < 1<<47 {
			c.a[1] = fsBase
		}
	case nrs.write:
		// The console is fd 1 and 2: at most 16 bytes from the task's
		// own memory, so that the fuzz never prints a line of its
		// program's text (its own PASS and FAIL strings among them).
		if (c.a[0] == 1 || c.a[0] == 2) && c.a[1] < 1<<48 {
			c.a[2] %= 17
		}
	case nrs.clone:
		if c.a[0]&0x10900 == 0x10900 {
			c.a[0] &^= 0x10000
		}
	case -60:
		if depth >= maxDepth || nKids == len(children) {
			c.a[0] = 0xffff_ff80_0000_0000
		}
	}
}

// fuzz is a forked process's life: at most budget calls, claimed one by
// one from the shared counter, then it waits for (most of) the processes it
// forked and exits.
func fuzz(sh *counters, n, s, budget uint64, depth int) {
	r := rng(s)
	nKids, nRecent = 0, 0
	mach.Syscall(-62, uintptr(unsafe.Pointer(&self)), 0, 0, 0, 0, 0)
	if nr := nrs().archPrctl; nr > 0 {
		mach.Syscall(nr, 0x1003, uintptr(unsafe.Pointer(&fsBase)), 0, 0, 0, 0) // ARCH_GET_FS
	}
	var c call
	forks := uint64(0)
	for budget > 0 {
		budget--
		r.pick(&c, depth)
		tame(&c, depth)
		// Claim the call last: from here to the call the process
		// touches only the shared page and its stack.
		if sh.issued.Add(1) > n {
			break
		}
		if c.nr < 0 {
			sh.mach.Add(1)
		} else {
			sh.linux.Add(1)
		}
		ret := mach.Syscall(c.nr, uintptr(c.a[0]), uintptr(c.a[1]), uintptr(c.a[2]), uintptr(c.a[3]), uintptr(c.a[4]), uintptr(c.a[5]))
		if ret == 0 {
			sh.ok.Add(1)
		}
		switch {
		case c.nr == -60:
			// Both sides of a successful fork see 0; only the child's
			// task id changed.
			if ret != 0 {
				sh.forkFailed.Add(1)
				continue
			}
			parent := self
			mach.Syscall(-62, uintptr(unsafe.Pointer(&self)), 0, 0, 0, 0, 0)
			forks++
			if self != parent {
				// The child: half of what was left, fresh state.
				sh.forks.Add(1)
				nKids, nRecent = 0, 0
				r = rng(mix(uint64(r), forks))
				budget /= 2
				depth++
				continue
			}
			children[nKids] = idWord
			nKids++
			budget -= budget / 2
		case ret == 0 && (c.nr == -10 || c.nr == -15 || c.nr == -42) && out[0] != 0:
			recent[nRecent%len(recent)] = out[0]
			nRecent++
		}
	}
	// Wait for the processes this one forked, except now and then: those
	// are orphaned and the kernel reaps them when they end.
	if nKids > 0 && r.n(4) == 0 {
		sh.orphans.Add(uint64(nKids))
		mach.Exit(0)
	}
	for i := range nKids {
		if mach.Syscall(-61, uintptr(children[i]), uintptr(unsafe.Pointer(&waitID)), uintptr(unsafe.Pointer(&waitSt)), 0, 0, 0) != 0 {
			continue // a fuzzed task_wait reaped it already
		}
		if mach.WaitStatus(waitSt).Exited() {
			sh.nestedExited.Add(1)
		} else {
			sh.nestedKilled.Add(1)
		}
	}
	mach.Exit(0)
}

func main() {
	n, err1 := strconv.ParseUint(calls, 10, 64)
	s, err2 := strconv.ParseUint(seed, 0, 64)
	if err1 != nil || err2 != nil {
		fmt.Printf("FAIL fuzz: calls %q, seed %q: want numbers\n", calls, seed)
		os.Exit(1)
	}
	fmt.Printf("fuzz: seed %d, %d calls (%s)\n", s, n, runtime.GOARCH)
	sh, err := setup()
	if err != nil {
		fmt.Println("FAIL fuzz: setup:", err)
		os.Exit(1)
	}
	firstID = uint64(mach.TaskID())
	before, _ := mach.VMStatistics()
	var top, exited, killed uint64
	live := 0
	for sh.issued.Load() < n || live > 0 {
		first(sh)
		if live == inFlight || sh.issued.Load() >= n {
			_, st, err := mach.Wait(-1)
			if err != nil {
				say(sh, "FAIL fuzz: wait: %v\n", err)
				os.Exit(1)
			}
			live--
			if st.Exited() {
				exited++
			} else {
				killed++
			}
			continue
		}
		top++
		id, err := mach.Fork()
		if err != nil {
			say(sh, "FAIL fuzz: fork: %v\n", err)
			os.Exit(1)
		}
		if id == 0 {
			fuzz(sh, n, mix(s, top), batch, 0)
		}
		live++
	}
	first(sh)
	after, _ := mach.VMStatistics()
	claimed := min(sh.issued.Load(), n)
	say(sh, "\nfuzz: %d Linux calls, %d Mach traps (the other %d claimed calls: processes killed before making them), %d returned 0; %d forked processes (%d forks refused), %d seen to exit, %d seen killed, %d orphaned\n",
		sh.linux.Load(), sh.mach.Load(), claimed-sh.linux.Load()-sh.mach.Load(), sh.ok.Load(), sh.forks.Load(), sh.forkFailed.Load(), sh.nestedExited.Load(), sh.nestedKilled.Load(), sh.orphans.Load())
	say(sh, "fuzz: vm free pages %d before the first child, %d after the last\n", before.Free, after.Free)
	if sh.linux.Load()+sh.mach.Load() > claimed {
		say(sh, "FAIL fuzz: %d calls counted but %d claimed: a fuzzed call reached the counters\n", sh.linux.Load()+sh.mach.Load(), claimed)
		os.Exit(1)
	}
	if claimed != n {
		say(sh, "FAIL fuzz: %d calls claimed, want %d\n", claimed, n)
		os.Exit(1)
	}
	say(sh, "PASS fuzz: seed %d: %d calls from %d children and their forks: %d exited, %d killed\n", s, n, top, exited, killed)
}

// first ends the process unless it is the first task. A forked process
// whose own stack a fuzzed call rewrote (vm_copy, vm_write or getrandom
// over the Go runtime's memory at 0x8000_0000 are fair game) can find
// itself back in main's code; it must not fork, wait or print as the first
// task does: it exits with code 3 instead.
func first(sh *counters) {
	if uint64(mach.TaskID()) != firstID {
		mach.Exit(3)
	}
}

// firstID is the first task's id: in its own memory, which no other
// process can write (a forked child's copy is its own), unlike the shared
// counters, which a child's vm_copy or vm_write may legitimately reach.
var firstID uint64

// say prints, from the first task only.
func say(sh *counters, format string, a ...any) {
	first(sh)
	fmt.Printf(format, a...)
}

// setup maps the shared counters and the scratch area and records the
// addresses the fuzz aims at.
func setup() (*counters, error) {
	// The counters sit far from everything the fuzz aims at, behind
	// unmapped gaps: a call that writes a long run from the scratch
	// area (getrandom, vm_write) faults before it reaches them.
	page, err := mach.Allocate(sharedVA, 4096, mach.FlagsFixed)
	if err != nil {
		return nil, err
	}
	if err := mach.SetInherit(page, 4096, mach.InheritShare); err != nil {
		return nil, err
	}
	scratch, err = mach.Allocate(0, scratchSize, mach.FlagsAnywhere)
	if err != nil {
		return nil, err
	}
	if err := mach.Protect(scratch+4096, 4096, false, mach.ProtRead); err != nil {
		return nil, err
	}
	if err := mach.Protect(scratch+2*4096, 4096, false, mach.ProtNone); err != nil {
		return nil, err
	}
	if err := mach.Protect(scratch+3*4096, 4096, true, mach.ProtRead); err != nil {
		return nil, err
	}
	text = uint64(reflectPC(main))
	data = uint64(uintptr(unsafe.Pointer(&out[0])))
	return (*counters)(unsafe.Add(unsafe.Pointer(nil), uintptr(page))), nil
}

// reflectPC is the entry address of f: a Go func value points to a word
// holding the code address.
func reflectPC(f func()) uintptr {
	return **(**uintptr)(unsafe.Pointer(&f))
}
