//go:build tamago

package main

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
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
		fmt.Fprintf(out, "pool: %d KiB (%d pages) of %d KiB for the vm system\n",
			size>>10, size>>pmap.PageShift, (board.Pool.End-base)>>10)
		attachDefaultPager(out, vs, board.Disks())
		tasksK, tasksErr = task.New(task.Config{
			CPU: task.MachineCPU(board.Nanotime), VM: vs, Pmap: ps, Memory: pmap.Identity{},
			Out: os.Stdout, Random: func(b []byte) { rand.Read(b) },
			UserMin: userMin, UserMax: userMax,
		})
	})
	return tasksK, tasksErr
}

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
		r := k.RunProgram(p.Name, p.ELF)
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

// programs finds the named programs: bundled ones, or fwcfg for the ELF
// QEMU was given with `make qemu RUN=...`. No names: every bundled one.
func programs(names []string) ([]bundle.Program, error) {
	if len(names) == 0 {
		return bundle.Programs(), nil
	}
	var ps []bundle.Program
	for _, n := range names {
		if n == "fwcfg" {
			data, err := fwcfg.ReadFile(fwCfg, runFile)
			if err != nil {
				return nil, fmt.Errorf("reading %s: %w", runFile, err)
			}
			ps = append(ps, bundle.Program{Name: "run", ELF: data})
			continue
		}
		p, ok := bundle.Lookup(n)
		if !ok {
			return nil, fmt.Errorf("no bundled program %q", n)
		}
		ps = append(ps, p)
	}
	return ps, nil
}
