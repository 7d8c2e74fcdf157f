//go:build tamago

package main

import (
	"errors"
	"fmt"
	"runtime"
	"unsafe"

	"github.com/tamach/tamach/tasks/mach"
)

// kernel is what the benchmark needs from the kernel it runs on, each
// through that kernel's own call: Mach traps on tamach, Linux system calls
// on Linux.
type kernel interface {
	name() string
	// allocate returns size bytes of zero-filled private memory.
	allocate(size uint64) (uint64, error)
	deallocate(addr, size uint64) error
	// protect sets the protection of [addr, addr+size): writable or
	// read-only.
	protect(addr, size uint64, writable bool) error
	// sharedPage returns a page that a fork's child shares with its
	// parent.
	sharedPage() (uint64, error)
	// fork returns the child's id in the parent and 0 in the child.
	fork() (int, error)
	// wait waits for child id and reports whether it exited 0.
	wait(id int) error
	// cowFaults is the kernel's count of copy-on-write faults, if it
	// keeps one for a task to read.
	cowFaults() (uint64, bool)
}

// detect tells the kernels apart with a Mach trap: task_id succeeds on
// tamach; Linux has no negative system call numbers and returns -ENOSYS.
func detect() kernel {
	var id uint64
	if mach.Syscall(mach.TrapTaskID, uintptr(unsafe.Pointer(&id)), 0, 0, 0, 0, 0) == 0 {
		return tamach{}
	}
	return linux{}
}

// tamach: the Mach VM calls of tasks/mach.
type tamach struct{}

func (tamach) name() string { return "tamach" }

func (tamach) allocate(size uint64) (uint64, error) {
	return mach.Allocate(0, size, mach.FlagsAnywhere)
}

func (tamach) deallocate(addr, size uint64) error { return mach.Deallocate(addr, size) }

func (tamach) protect(addr, size uint64, writable bool) error {
	prot := mach.ProtRead
	if writable {
		prot = mach.ProtDefault
	}
	return mach.Protect(addr, size, false, prot)
}

func (t tamach) sharedPage() (uint64, error) {
	p, err := t.allocate(mach.PageSize)
	if err != nil {
		return 0, err
	}
	return p, mach.SetInherit(p, mach.PageSize, mach.InheritShare)
}

func (tamach) fork() (int, error) { return mach.Fork() }

func (tamach) wait(id int) error {
	_, status, err := mach.Wait(id)
	if err != nil {
		return err
	}
	if !status.Exited() || status.ExitCode() != 0 {
		return fmt.Errorf("child: %v", status)
	}
	return nil
}

func (tamach) cowFaults() (uint64, bool) {
	s, err := mach.VMStatistics()
	return s.CowFaults, err == nil
}

// linux: Linux system calls, raw (sys_<arch>.go has the numbers).
type linux struct{}

func (linux) name() string { return "linux" }

// Linux constants (include/uapi/asm-generic/mman-common.h, signal.h).
const (
	protRead        = 0x1
	protWrite       = 0x2
	mapShared       = 0x01
	mapPrivate      = 0x02
	mapAnonymous    = 0x20
	madvNoHugepage  = 15
	hugePage        = 2 << 20
	sigchld         = 17
	rebootMagic1    = 0xfee1dead
	rebootMagic2    = 672274793
	rebootPowerOff  = 0x4321fedc
	linuxMaxErrno   = 4095
	benchExecFD     = 100 // where the exec'd copy reports its first instruction
	benchExecTicksN = 8
)

// sys makes Linux system call nr and returns its result or its errno.
func sys(nr int64, a ...uintptr) (uintptr, error) {
	var v [6]uintptr
	copy(v[:], a)
	r := mach.Syscall(nr, v[0], v[1], v[2], v[3], v[4], v[5])
	if r > ^uintptr(linuxMaxErrno) {
		return 0, fmt.Errorf("system call %d: errno %d", nr, -int64(r))
	}
	return r, nil
}

func (linux) mmap(size uint64, flags uintptr) (uint64, error) {
	r, err := sys(sysMmap, 0, uintptr(size), protRead|protWrite, flags, ^uintptr(0), 0)
	if err != nil {
		return 0, err
	}
	// Base pages, as tamach maps: no transparent huge pages
	// (Documentation/admin-guide/mm/transhuge.rst, MADV_NOHUGEPAGE),
	// which only an area of 2 MiB or more can get; a smaller one (the
	// page of the allocate+deallocate row) makes no extra call.
	if size >= hugePage {
		sys(sysMadvise, r, uintptr(size), madvNoHugepage)
	}
	return uint64(r), nil
}

func (l linux) allocate(size uint64) (uint64, error) { return l.mmap(size, mapPrivate|mapAnonymous) }

func (linux) deallocate(addr, size uint64) error {
	_, err := sys(sysMunmap, uintptr(addr), uintptr(size))
	return err
}

func (linux) protect(addr, size uint64, writable bool) error {
	prot := uintptr(protRead)
	if writable {
		prot |= protWrite
	}
	_, err := sys(sysMprotect, uintptr(addr), uintptr(size), prot)
	return err
}

func (l linux) sharedPage() (uint64, error) { return l.mmap(mach.PageSize, mapShared|mapAnonymous) }

// fork is clone(SIGCHLD): fork(2) without the C library.
func (linux) fork() (int, error) {
	r, err := sys(sysClone, sigchld, 0, 0, 0, 0)
	return int(r), err
}

func (linux) wait(id int) error {
	var status uint32
	if _, err := sys(sysWait4, uintptr(id), uintptr(unsafe.Pointer(&status)), 0, 0); err != nil {
		return err
	}
	if w := mach.WaitStatus(status); !w.Exited() || w.ExitCode() != 0 {
		return fmt.Errorf("child: %v", w)
	}
	return nil
}

func (linux) cowFaults() (uint64, bool) { return 0, false }

// powerOff ends the benchmark when it is Linux's init: init must not exit.
func (linux) powerOff() {
	if pid, _ := sys(sysGetpid); pid == 1 {
		sys(sysReboot, rebootMagic1, rebootMagic2, rebootPowerOff, 0)
	}
}

// execStart measures program start on Linux: a child execve()s this
// program (it is /init) with a pipe on benchExecFD, through which the new
// image reports the counter at its first instruction (reportExec); the
// child records the counter just before execve in a shared page. It
// returns the ticks from execve to the first instruction.
func (l linux) execStart(path string) (uint64, error) {
	shared, err := l.sharedPage()
	if err != nil {
		return 0, err
	}
	var fds [2]int32
	if _, err := sys(sysPipe2, uintptr(unsafe.Pointer(&fds)), 0); err != nil {
		return 0, err
	}
	file := append([]byte(path), 0)
	argv := [2]uintptr{uintptr(unsafe.Pointer(&file[0])), 0}
	envp := [1]uintptr{0}
	id, err := l.fork()
	if err != nil {
		return 0, err
	}
	if id == 0 {
		if _, err := sys(sysDup3, uintptr(fds[1]), benchExecFD, 0); err != nil {
			mach.Exit(2)
		}
		*word(shared) = ticks()
		sys(sysExecve, uintptr(unsafe.Pointer(&file[0])), uintptr(unsafe.Pointer(&argv)), uintptr(unsafe.Pointer(&envp)))
		runtime.KeepAlive(file)
		mach.Exit(3)
	}
	sys(sysClose, uintptr(fds[1]))
	var first uint64
	n, rerr := sys(sysRead, uintptr(fds[0]), uintptr(unsafe.Pointer(&first)), benchExecTicksN)
	sys(sysClose, uintptr(fds[0]))
	if err := l.wait(id); err != nil {
		return 0, err
	}
	if rerr != nil || n != benchExecTicksN {
		return 0, errors.New("the exec'd program did not report")
	}
	return first - *word(shared), nil
}

// reportExec is the start of a copy exec'd by execStart: if benchExecFD
// is open it writes the entry counter there and exits. Elsewhere (tamach,
// or the first run) the write fails with EBADF and the benchmark runs.
func reportExec() {
	v := entryTicks
	if r := mach.Syscall(sysWrite, benchExecFD, uintptr(unsafe.Pointer(&v)), benchExecTicksN, 0, 0, 0); r == benchExecTicksN {
		mach.Exit(0)
	}
}
