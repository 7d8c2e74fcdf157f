//go:build tamago

package main

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"sync"

	"github.com/tamach/tamach/boot/fwcfg"
	"github.com/tamach/tamach/kernel"
	"github.com/tamach/tamach/kernel/machine"
	"github.com/tamach/tamach/kernel/task"
	"github.com/tamach/tamach/pmap"
	"github.com/tamach/tamach/tasks/bundle"
	"github.com/tamach/tamach/vm"
)

// runFile is the fw_cfg file `make qemu RUN=path` passes an ELF in.
const runFile = "opt/tamach/run"

func init() {
	kernel.Tasks = runTasks
	kernel.Trace = func() { task.Trace = true }
}

var (
	tasksOnce sync.Once
	tasksK    *task.Kernel
	tasksErr  error
)

// taskKernel makes, once, the vm system over the managed frames (the pool
// minus the table frames, the range machine.Start gave the pmap; at most
// pool=SIZE of them), attaches the default pager to the board's first disk,
// and starts the task layer on it. It prints the pool and pager lines on
// out.
func taskKernel(out io.Writer) (*task.Kernel, error) {
	tasksOnce.Do(func() {
		ps := machine.System()
		if ps == nil {
			tasksErr = errors.New("the machine is not started (the pmap-kernel self-check failed)")
			return
		}
		base := board.Pool.Start + tableFrames
		size := poolSize(board.Pool.End - base)
		vs, err := vm.NewSystem(vm.Config{Pmap: ps, Memory: pmap.Identity{},
			PoolBase: pmap.PAddr(base), PoolSize: size})
		if err != nil {
			tasksErr = err
			return
		}
		collectAfterPool()
		fmt.Fprintf(out, "pool: %d KiB (%d pages) of %d KiB for the vm system\n",
			size>>10, size>>pmap.PageShift, (board.Pool.End-base)>>10)
		findPrograms(out, board.Disks())
		attachDefaultPager(out, vs, swapCandidates(board.Disks()))
		tasksK, tasksErr = task.New(task.Config{
			CPU: task.MachineCPU(board.Nanotime), VM: vs, Pmap: ps, Memory: pmap.Identity{},
			Out: os.Stdout, Random: func(b []byte) { rand.Read(b) },
			UserMin: userMin, UserMax: userMax,
		})
	})
	return tasksK, tasksErr
}

// collectAfterPool runs a garbage collection once the vm system exists.
// Its page array (one vm.Page per frame: about 11 MB for the whole 752 MiB
// pool) is the kernel's largest allocation and takes the heap past the
// collector's first goal at once. The cycle that starts then makes
// progress only when the kernel goroutine yields, which it rarely does
// while tasks run, so its marking would be paid for inside the first task:
// run=hello cost 22.4 M guest instructions instead of 11.1 M with the
// whole pool (measured with ICOUNT=1; with pool=16M the array stays under
// the goal and both cost 11.1 M). Collecting here does that work at boot
// and sets the next goal at twice the live heap.
func collectAfterPool() { runtime.GC() }

// runTasks is kernel.Tasks.
func runTasks(out io.Writer, names []string) (ok bool, status int) {
	k, err := taskKernel(out)
	if err != nil {
		fmt.Fprintf(out, "tasks: %v\n", err)
		return false, 1
	}
	progs, err := programs(names)
	if err != nil {
		fmt.Fprintf(out, "tasks: %v\n", err)
		return false, 1
	}
	if len(progs) == 0 {
		fmt.Fprintln(out, "tasks: no programs bundled (make tasks-bundle before the kernel)")
		return false, 1
	}
	ok = true
	for _, p := range progs {
		r := runProgram(out, k, p)
		good := r.Err == nil && (p.Signal == 0 && r.Status.Success() ||
			p.Signal != 0 && !r.Status.Exited() && r.Status.Signal() == p.Signal)
		fmt.Fprintf(out, "%v: %s\n", r, map[bool]string{true: "as expected", false: "FAILED"}[good])
		ok = ok && good
		status = exitCode(r)
	}
	return ok, status
}

// exitCode is the status QEMU should exit with after r.
func exitCode(r task.Result) int {
	switch {
	case r.Err != nil:
		return 1
	case r.Status.Exited():
		return r.Status.ExitCode()
	}
	return 128 + r.Status.Signal()
}

// program is one ELF image to run: bundled in the kernel, sent over
// fw_cfg, or a file on the program disk.
type program struct {
	Name   string
	File   io.ReaderAt
	Size   int64
	Signal int           // the signal it is meant to be killed by, 0 to exit 0
	disk   *countingFile // File, when it is on the program disk; nil for the others
}

func inMemory(name string, elf []byte, signal int) program {
	return program{Name: name, File: bytes.NewReader(elf), Size: int64(len(elf)), Signal: signal}
}

// programs finds the named programs: fwcfg for the ELF QEMU was given with
// `make qemu RUN=path`, then the program disk's files, then the bundled
// ones. No names: every bundled one. taskKernel must have run (it finds
// the program disk).
func programs(names []string) ([]program, error) {
	var ps []program
	if len(names) == 0 {
		for _, b := range bundle.Programs() {
			ps = append(ps, inMemory(b.Name, b.ELF, b.Signal))
		}
		return ps, nil
	}
	for _, n := range names {
		if n == "fwcfg" {
			data, err := fwcfg.ReadFile(fwCfg, runFile)
			if err != nil {
				return nil, fmt.Errorf("reading %s: %w", runFile, err)
			}
			ps = append(ps, inMemory("run", data, 0))
			continue
		}
		if p, ok := diskProgram(n); ok {
			ps = append(ps, p)
			continue
		}
		b, ok := bundle.Lookup(n)
		if !ok {
			where := "no program disk"
			if programDisk != nil {
				where = "not on the program disk " + programDisk.Name()
			}
			return nil, fmt.Errorf("no program %q: %s, and not bundled in the kernel (the word programs lists the disk)", n, where)
		}
		ps = append(ps, inMemory(b.Name, b.ELF, b.Signal))
	}
	return ps, nil
}

// runProgram loads p and runs it; for a program from the disk it prints how
// much of the file it read at load and while it ran.
func runProgram(out io.Writer, k *task.Kernel, p program) task.Result {
	var use diskUse
	if p.disk != nil {
		use.sample(0, p)
	}
	img, err := k.LoadFile(p.Name, p.File, p.Size)
	if err != nil {
		return task.Result{Name: p.Name, Err: err}
	}
	if p.disk == nil {
		return k.RunImage(img)
	}
	use.sample(1, p)
	r := k.RunImage(img)
	use.sample(2, p)
	fmt.Fprintln(out, use.report(p))
	return r
}
