//go:build tamago

// Command bench measures the kernel's cheapest paths from user mode: a null
// system call (a number the kernel does not implement: trap, table lookup,
// -ENOSYS, return), a zero-fill page fault (trap, vm fault, zeroed frame,
// pmap enter, return) and a copy-on-write fault (the same with a page
// copied into the child's shadow object); and task_fork of a task with
// 1 MiB and 64 MiB written, from the call to the child's first instruction
// and to the parent's return. Time is CLOCK_MONOTONIC, which under
// QEMU -icount shift=0 (make qemu ICOUNT=1) counts guest instructions. The
// other threads of the Go runtime spin while this one works, so each
// figure is the fastest of many short batches, which fit in one quantum.
package main

import (
	"fmt"
	"runtime"
	"time"

	"github.com/tamach/tamach/tasks/mach"
)

const (
	batches   = 50
	perBatch  = 64
	faultArea = batches * perBatch * mach.PageSize
)

// nullNr is a Linux number the kernel leaves unimplemented: getpid.
var nullNr = map[string]int64{"amd64": 39, "arm64": 172}[runtime.GOARCH]

// fastest runs f batches times and returns the least time per operation.
func fastest(f func(batch int)) time.Duration {
	best := time.Duration(1 << 62)
	for b := range batches {
		start := time.Now()
		f(b)
		best = min(best, time.Since(start))
	}
	return best / perBatch
}

func main() {
	null := fastest(func(int) {
		for range perBatch {
			mach.Syscall(nullNr, 0, 0, 0, 0, 0, 0)
		}
	})
	area, err := mach.Allocate(0, faultArea, mach.FlagsAnywhere)
	if err != nil {
		fmt.Println("FAIL bench: vm_allocate:", err)
		return
	}
	zero := fastest(func(b int) {
		base := area + uint64(b*perBatch)*mach.PageSize
		for i := range uint64(perBatch) {
			*word(base + i*mach.PageSize) = 1
		}
	})
	fmt.Printf("PASS bench: null system call %d ns, zero-fill page fault %d ns (guest instructions under ICOUNT=1)\n",
		null.Nanoseconds(), zero.Nanoseconds())
	if err := forks(); err != nil {
		fmt.Println("FAIL bench:", err)
		mach.Exit(1)
	}
}
