package task

import (
	"fmt"
	"math"
)

// Errno is a Linux error number (asm-generic/errno-base.h, errno.h); a
// system call returns it negated, as Linux does.
type Errno int64

// The error numbers the system calls return.
const (
	EPERM  Errno = 1
	EBADF  Errno = 9
	ECHILD Errno = 10
	EAGAIN Errno = 11
	ENOMEM Errno = 12
	EACCES Errno = 13
	EFAULT Errno = 14
	EEXIST Errno = 17
	EINVAL Errno = 22
	ENOSYS Errno = 38
)

// ret is the value a failed call returns.
func (e Errno) ret() int64 { return -int64(e) }

// syscallDef is one entry of a system call table.
type syscallDef struct {
	name string
	fn   func(k *Kernel, th *Thread, a [6]uint64) int64
}

// Linux system call numbers of the calls tamach implements: x86-64 from
// arch/x86/entry/syscalls/syscall_64.tbl, arm64 from the generic table
// include/uapi/asm-generic/unistd.h.
var (
	sysWrite        = &syscallDef{"write", sysWriteFn}
	sysMmap         = &syscallDef{"mmap", sysMmapFn}
	sysMprotect     = &syscallDef{"mprotect", sysMprotectFn}
	sysMunmap       = &syscallDef{"munmap", sysMunmapFn}
	sysSchedYield   = &syscallDef{"sched_yield", sysSchedYieldFn}
	sysNanosleep    = &syscallDef{"nanosleep", sysNanosleepFn}
	sysClone        = &syscallDef{"clone", sysCloneFn}
	sysExit         = &syscallDef{"exit", sysExitFn}
	sysArchPrctl    = &syscallDef{"arch_prctl", sysArchPrctlFn}
	sysClockGettime = &syscallDef{"clock_gettime", sysClockGettimeFn}
	sysExitGroup    = &syscallDef{"exit_group", sysExitGroupFn}
	sysGetrandom    = &syscallDef{"getrandom", sysGetrandomFn}

	syscallsAMD64 = map[uint64]*syscallDef{
		1: sysWrite, 9: sysMmap, 10: sysMprotect, 11: sysMunmap, 24: sysSchedYield,
		35: sysNanosleep, 56: sysClone, 60: sysExit, 158: sysArchPrctl,
		228: sysClockGettime, 231: sysExitGroup, 318: sysGetrandom,
	}
	syscallsARM64 = map[uint64]*syscallDef{
		64: sysWrite, 93: sysExit, 94: sysExitGroup, 101: sysNanosleep,
		113: sysClockGettime, 124: sysSchedYield, 215: sysMunmap, 220: sysClone,
		222: sysMmap, 226: sysMprotect, 278: sysGetrandom,
	}
)

// syscall performs the system call or Mach trap th stopped at. A call that
// leaves the thread running returns its value in the return register; one
// that blocks it sets the value when the thread is woken.
func (k *Kernel) syscall(th *Thread) {
	nr, args := th.Ctx.Syscall()
	def := k.calls.lookup(nr)
	ret := ENOSYS.ret()
	if def != nil {
		ret = def.fn(k, th, args)
	}
	if k.cfg.Trace {
		name := fmt.Sprintf("#%d", int64(nr))
		if def != nil {
			name = def.name
		}
		fmt.Fprintf(k.cfg.Out, "trace: %s[%d] thread %d: %s(%#x, %#x, %#x) = %#x\n",
			th.Task.Name, th.Task.ID, th.ID, name, args[0], args[1], args[2], ret)
	}
	if th.State == ThreadRunning || th.State == ThreadRunnable {
		th.Ctx.SetSyscallReturn(uint64(ret))
	}
}

// callTable is the system call table (Arch.syscalls) and the Mach trap
// table (machTraps) as slices indexed by number, built when the kernel is
// made. The maps are what a reader reads and a lab extends; every system
// call then costs an index instead of a hash lookup (docs/performance.md,
// "The null system call").
type callTable struct {
	linux []*syscallDef // by number
	mach  []*syscallDef // by -number
}

func newCallTable(a *Arch) callTable {
	var c callTable
	for nr, d := range a.syscalls {
		c.linux = setCall(c.linux, nr, d)
	}
	for nr, d := range machTraps {
		c.mach = setCall(c.mach, uint64(-nr), d)
	}
	return c
}

// setCall stores d at index i of t, growing t as needed.
func setCall(t []*syscallDef, i uint64, d *syscallDef) []*syscallDef {
	if i >= uint64(len(t)) {
		t = append(t, make([]*syscallDef, i+1-uint64(len(t)))...)
	}
	t[i] = d
	return t
}

// lookup returns the call numbered nr (a negative number is a Mach trap),
// or nil if there is none.
func (c *callTable) lookup(nr uint64) *syscallDef {
	if int64(nr) < 0 {
		if i := -nr; i < uint64(len(c.mach)) {
			return c.mach[i]
		}
		return nil
	}
	if nr < uint64(len(c.linux)) {
		return c.linux[nr]
	}
	return nil
}

// Console file descriptors: the only files a task has.
const (
	fdStdout = 1
	fdStderr = 2
)

// writeChunk is how much of a write is copied at a time.
const writeChunk = 4096

// sysWriteFn is write(fd, buf, count): fd 1 and 2 go to the console.
// Nothing readable at buf is EFAULT; a fault after some bytes returns the
// count written, as Linux does.
func sysWriteFn(k *Kernel, th *Thread, a [6]uint64) int64 {
	fd, buf, count := a[0], a[1], a[2]
	if fd != fdStdout && fd != fdStderr {
		return EBADF.ret()
	}
	if count > math.MaxInt32 {
		count = math.MaxInt32
	}
	var chunk [writeChunk]byte
	var done uint64
	for done < count {
		n := min(count-done, writeChunk)
		got, ok := k.copyIn(th.Task, buf+done, chunk[:n])
		k.cfg.Out.Write(chunk[:got])
		done += uint64(got)
		if !ok {
			if done == 0 {
				return EFAULT.ret()
			}
			break
		}
	}
	return int64(done)
}

// sysSchedYieldFn is sched_yield(): the thread goes to the back of the run
// queue.
func sysSchedYieldFn(k *Kernel, th *Thread, _ [6]uint64) int64 {
	k.yield(th)
	return 0
}

// sysExitFn is exit(code): the thread ends; the last thread ends the task.
func sysExitFn(k *Kernel, th *Thread, a [6]uint64) int64 {
	k.exitThread(th, exitStatus(int(a[0])))
	return 0
}

// sysExitGroupFn is exit_group(code): the task ends.
func sysExitGroupFn(k *Kernel, th *Thread, a [6]uint64) int64 {
	k.exitTask(th.Task, exitStatus(int(a[0])))
	return 0
}

// Clocks of clock_gettime (include/uapi/linux/time.h).
const (
	clockRealtime     = 0
	clockMonotonic    = 1
	clockMonotonicRaw = 4
	clockBoottime     = 7
)

const nsPerSec = 1_000_000_000

// sysClockGettimeFn is clock_gettime(clock, tp).
func sysClockGettimeFn(k *Kernel, th *Thread, a [6]uint64) int64 {
	now := k.cfg.CPU.Nanotime()
	switch a[0] {
	case clockRealtime:
		now += k.cfg.Epoch
	case clockMonotonic, clockMonotonicRaw, clockBoottime:
	default:
		return EINVAL.ret()
	}
	if !k.putUint64s(th.Task, a[1], uint64(now/nsPerSec), uint64(now%nsPerSec)) {
		return EFAULT.ret()
	}
	return 0
}

// sysNanosleepFn is nanosleep(req, rem): the thread sleeps for req.
func sysNanosleepFn(k *Kernel, th *Thread, a [6]uint64) int64 {
	ts, ok := k.getUint64s(th.Task, a[0], 2)
	if !ok {
		return EFAULT.ret()
	}
	sec, nsec := int64(ts[0]), int64(ts[1])
	if sec < 0 || nsec < 0 || nsec >= nsPerSec {
		return EINVAL.ret()
	}
	d := nsec
	if sec < math.MaxInt64/nsPerSec {
		d += sec * nsPerSec
	} else {
		d = math.MaxInt64
	}
	now := k.cfg.CPU.Nanotime()
	at := now + d
	if at < now {
		at = math.MaxInt64
	}
	th.Ctx.SetSyscallReturn(0)
	k.sleepUntil(th, at)
	return 0
}

// getrandom flags (include/uapi/linux/random.h) and the most one call
// returns (Linux caps a call at 32 MiB - 1).
const (
	grndNonblock = 0x1
	grndRandom   = 0x2
	grndInsecure = 0x4
	grndMax      = 1<<25 - 1
)

// sysGetrandomFn is getrandom(buf, count, flags).
func sysGetrandomFn(k *Kernel, th *Thread, a [6]uint64) int64 {
	buf, count, flags := a[0], a[1], a[2]
	if flags&^(grndNonblock|grndRandom|grndInsecure) != 0 {
		return EINVAL.ret()
	}
	count = min(count, grndMax)
	var chunk [256]byte
	var done uint64
	for done < count {
		n := min(count-done, uint64(len(chunk)))
		k.cfg.Random(chunk[:n])
		if !k.copyOut(th.Task, buf+done, chunk[:n]) {
			if done == 0 {
				return EFAULT.ret()
			}
			break
		}
		done += n
	}
	return int64(done)
}

// arch_prctl codes (arch/x86/include/uapi/asm/prctl.h).
const (
	archSetFS = 0x1002
	archGetFS = 0x1003
)

// sysArchPrctlFn is arch_prctl(code, addr) on x86-64: set or get the FS
// base, the thread pointer. A base outside the lower half is EPERM, as
// Linux refuses a non-canonical user FS base.
func sysArchPrctlFn(k *Kernel, th *Thread, a [6]uint64) int64 {
	switch a[0] {
	case archSetFS:
		if a[1] >= uint64(k.cfg.UserMax) {
			return EPERM.ret()
		}
		th.Ctx.SetTLS(a[1])
		return 0
	case archGetFS:
		if !k.putUint64s(th.Task, a[1], th.Ctx.TLS()) {
			return EFAULT.ret()
		}
		return 0
	}
	return EINVAL.ret()
}

// clone flags (include/uapi/linux/sched.h).
const (
	cloneVM            = 0x100
	cloneFS            = 0x200
	cloneFiles         = 0x400
	cloneSighand       = 0x800
	cloneThread        = 0x10000
	cloneSysvsem       = 0x40000
	cloneSettls        = 0x80000
	cloneParentSettid  = 0x100000
	cloneChildCleartid = 0x200000
	cloneChildSettid   = 0x1000000

	// cloneThreadFlags must all be set: tamach's clone makes threads;
	// new tasks come from the task_fork trap.
	cloneThreadFlags = cloneVM | cloneSighand | cloneThread
	cloneKnown       = cloneThreadFlags | cloneFS | cloneFiles | cloneSysvsem | cloneSettls |
		cloneParentSettid | cloneChildCleartid | cloneChildSettid | cloneSignalMask
	cloneSignalMask = 0xff // the exit signal, meaningless for a thread
)

// sysCloneFn is clone(flags, stack, parent_tid, ...) for threads: a new
// thread of the same task starts after the call with the registers of the
// caller, 0 in the return register, the stack pointer stack (when not 0)
// and with CLONE_SETTLS the thread pointer tls. It returns the new
// thread's id.
func sysCloneFn(k *Kernel, th *Thread, a [6]uint64) int64 {
	flags := a[0]
	if flags&cloneThreadFlags != cloneThreadFlags || flags&^cloneKnown != 0 {
		return EINVAL.ret()
	}
	c := th.Ctx.Clone()
	c.SetSyscallReturn(0)
	if a[1] != 0 {
		c.SetSP(a[1])
	}
	if flags&cloneSettls != 0 {
		tls := a[k.arch.cloneTLS]
		if tls >= uint64(k.cfg.UserMax) {
			return EPERM.ret()
		}
		c.SetTLS(tls)
	}
	nt := k.newThread(th.Task, c)
	if flags&cloneParentSettid != 0 {
		var b [4]byte
		putUint32(b[:], uint32(nt.ID))
		if !k.copyOut(th.Task, a[2], b[:]) {
			k.dropThread(nt)
			return EFAULT.ret()
		}
	}
	return int64(nt.ID)
}

func putUint32(b []byte, v uint32) {
	b[0], b[1], b[2], b[3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
}
