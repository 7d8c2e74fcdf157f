//go:build tamago

// Command bench measures a kernel's cheapest paths from user mode, on
// tamach (a task, make bench) and on Linux (as /init, make bench-linux),
// each through that kernel's own calls (sys.go): a null system call
// (getpid, which tamach leaves unimplemented: trap, table lookup, -ENOSYS,
// return; Linux: trap, getpid, return), a zero-fill page fault, a
// copy-on-write fault, fork of a task with 1 MiB and 64 MiB written (to
// the child's first instruction and to the parent's return),
// vm_allocate+vm_deallocate of a page (mmap+munmap on Linux), vm_protect
// of 1 MiB (mprotect), the counter at the program's first instruction
// (boot to first task) and, on Linux, execve to the new image's first
// instruction and, as /init with a swap disk, paging under an 8 MiB memory
// cgroup (linuxpressure.go; on tamach, tasks/pressure measures paging). Time is the CPU's counter read from user mode (clock_*.s),
// which under QEMU -icount shift=0 counts guest instructions. The other
// threads of the Go runtime may run while this one works, so each figure
// is the fastest of many short batches, which fit in one quantum.
//
// Every result is a line PASS bench: ...; cmd/benchtable turns them into
// a table.
package main

import (
	"fmt"
	"runtime"

	"github.com/tamach/tamach/tasks/mach"
)

const (
	batches   = 50
	perBatch  = 64
	faultArea = batches * perBatch * mach.PageSize
	// protectSize is what vm_protect changes: 1 MiB, every page resident.
	protectSize = 1 << 20
)

// nullNr is getpid: Linux's cheapest call, a number tamach leaves
// unimplemented.
var nullNr = map[string]int64{"amd64": 39, "arm64": 172}[runtime.GOARCH]

var clk clock

// fastest runs f batches times and returns the least time per operation
// in nanoseconds.
func fastest(f func(batch int)) int64 {
	best := uint64(1 << 62)
	for b := range batches {
		start := ticks()
		f(b)
		best = min(best, ticks()-start)
	}
	return clk.ns(best) / perBatch
}

func main() {
	reportExec()
	k := detect()
	clk = newClock()
	fmt.Printf("bench: kernel %s, %s, first instruction at %d ns since reset\n",
		k.name(), runtime.GOARCH, clk.ns(entryTicks))
	err := run(k)
	if err != nil {
		fmt.Println("FAIL bench:", err)
	}
	if l, ok := k.(linux); ok {
		if pid, _ := sys(sysGetpid); pid == 1 && err == nil {
			l.pressure()
		}
		l.powerOff()
	}
	if err != nil {
		mach.Exit(1)
	}
}

func run(k kernel) error {
	null := fastest(func(int) {
		for range perBatch {
			mach.Syscall(nullNr, 0, 0, 0, 0, 0, 0)
		}
	})
	area, err := k.allocate(faultArea)
	if err != nil {
		return fmt.Errorf("allocate: %w", err)
	}
	zero := fastest(func(b int) {
		base := area + uint64(b*perBatch)*mach.PageSize
		for i := range uint64(perBatch) {
			*word(base + i*mach.PageSize) = 1
		}
	})
	k.deallocate(area, faultArea)
	fmt.Printf("PASS bench: null system call %d ns, zero-fill page fault %d ns (guest instructions under ICOUNT=1)\n",
		null, zero)
	if err := forks(k); err != nil {
		return err
	}
	if err := vmCalls(k); err != nil {
		return err
	}
	if l, ok := k.(linux); ok {
		t, err := l.execStart("/init")
		if err != nil {
			fmt.Println("bench: no execve measurement:", err)
		} else {
			fmt.Printf("PASS bench: execve to the new image's first instruction %d ns\n", clk.ns(t))
		}
	}
	return nil
}

// vmCalls times allocating and freeing a page, and changing the
// protection of 1 MiB of resident memory (read-only, then back).
func vmCalls(k kernel) error {
	var failed error
	alloc := fastest(func(int) {
		for range perBatch {
			a, err := k.allocate(mach.PageSize)
			if err == nil {
				err = k.deallocate(a, mach.PageSize)
			}
			if err != nil {
				failed = err
			}
		}
	})
	if failed != nil {
		return fmt.Errorf("allocate and deallocate: %w", failed)
	}
	area, err := k.allocate(protectSize)
	if err != nil {
		return fmt.Errorf("allocate: %w", err)
	}
	defer k.deallocate(area, protectSize)
	for off := uint64(0); off < protectSize; off += mach.PageSize {
		*word(area + off) = 1
	}
	protect := fastest(func(int) {
		for i := range perBatch {
			if err := k.protect(area, protectSize, i%2 == 1); err != nil {
				failed = err
			}
		}
	})
	if failed != nil {
		return fmt.Errorf("protect: %w", failed)
	}
	fmt.Printf("PASS bench: allocate+deallocate of a page %d ns, protect of 1 MiB %d ns\n", alloc, protect)
	return nil
}
