package kernel

import (
	"crypto/rand"
	"fmt"
	"runtime"

	"github.com/tamach/tamach/boot"
	"github.com/tamach/tamach/kernel/machine"
	"github.com/tamach/tamach/kernel/task"
	"github.com/tamach/tamach/pmap"
	"github.com/tamach/tamach/vm"
)

// The steps of the boot sequence (start.go), each a method that fills in
// part of the Kernel.

// tableFrames is how much of the page-frame pool, from its start, holds the
// kernel's page tables and trap areas (a FramePool); the VM system manages
// the rest. 4 MiB is 1024 frames: the identity map of 1 GiB takes a
// handful, each task space a few more.
const tableFrames = 4 << 20

// splitPool is step 2: the first tableFrames bytes of the board's pool
// become the FramePool of page-table frames, and the range after them the
// managed frames it returns.
func (k *Kernel) splitPool() boot.Region {
	pool := k.Board.Pool
	split := pool.Start + tableFrames
	k.tables = NewFramePool(k.Memory, pmap.PAddr(pool.Start), pmap.PAddr(split))
	return boot.Region{Name: "managed frames", Kind: boot.Pool, Start: split, End: pool.End}
}

// startMachine is steps 3 and 4: the architecture's machine layer (start:
// startArch, in machine_<arch>.go) builds the kernel's page tables, moves
// the CPU onto them and installs the trap machinery. Its self-checks run
// with the board's in step 8.
func (k *Kernel) startMachine(start func(machine.Config) (machine.Machine, error), managed boot.Region) error {
	m, err := start(machine.Config{
		Memory:   k.Board.Memory,
		Tables:   k.tables,
		Managed:  managed,
		AddFixup: k.Board.AddFixup,
	})
	if err != nil {
		return err
	}
	k.machine = m
	k.checks = append(append([]boot.Check(nil), m.Checks()...), k.Board.Checks...)
	fmt.Fprintf(k.Out, "machine: %s\n", m.Summary())
	return nil
}

// startVM is step 5: the vm system over the frames the machine leaves it,
// at most pool=SIZE of them.
func (k *Kernel) startVM() error {
	frames := k.machine.VMFrames()
	size := frames.Size()
	if k.poolLimit != 0 && k.poolLimit < size {
		size = k.poolLimit
	}
	vs, err := vm.NewSystem(vm.Config{Pmap: k.machine.System(), Memory: k.Memory,
		PoolBase: pmap.PAddr(frames.Start), PoolSize: size})
	if err != nil {
		return err
	}
	k.vm = vs
	k.vmPool = boot.Region{Name: "vm pool", Kind: boot.Pool, Start: frames.Start, End: frames.Start + size}
	collectAfterPool()
	fmt.Fprintf(k.Out, "pool: %d KiB (%d pages) of %d KiB for the vm system\n",
		size>>10, size>>pmap.PageShift, frames.Size()>>10)
	return nil
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

// startTasks is step 7: the task layer, running threads on the machine
// with the board's clock, their maps in the vm system.
func (k *Kernel) startTasks() error {
	cpu, err := task.MachineCPU(k.machine, k.Board.Nanotime)
	if err != nil {
		return err
	}
	userMin, userMax := k.machine.UserRange()
	k.tasks, err = task.New(task.Config{
		CPU: cpu, VM: k.vm, Pmap: k.machine.System(), Memory: k.Memory,
		Out: k.Out, Random: func(b []byte) { rand.Read(b) },
		UserMin: userMin, UserMax: userMax, Trace: k.trace, CPULimit: int64(k.cpuLimit),
	})
	return err
}
