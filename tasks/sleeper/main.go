//go:build tamago

// Command sleeper is a task to look at from the console shell
// (docs/shell.md): it writes a 64 KiB buffer, forks, and the child writes
// one page of it (a copy-on-write fault: the child's entry gets a shadow
// object over the parent's) and then sleeps until it is killed; the parent
// writes another page, waits for the child and exits 0. It never ends by
// itself, so the word tasks (every bundled program) leaves it out
// (tasks/bundle: Interactive).
package main

import (
	"fmt"
	"time"
	"unsafe"

	"github.com/tamach/tamach/tasks/mach"
)

// buf is in .bss: zero-fill anonymous memory, copied on write after fork.
var buf [16 * mach.PageSize]byte

func main() {
	for i := range buf {
		buf[i] = byte(i / mach.PageSize)
	}
	addr := uintptr(unsafe.Pointer(&buf[0]))
	id, err := mach.Fork()
	if err != nil {
		fmt.Printf("FAIL sleeper: task_fork: %v\n", err)
		mach.Exit(1)
	}
	if id == 0 {
		buf[1*mach.PageSize] = 0xc1 // copy-on-write: page 1 is the child's own now
		fmt.Printf("sleeper: child %d sleeping, buffer at %#x, page 1 (written after fork) at %#x\n",
			mach.TaskID(), addr, addr+mach.PageSize)
		for {
			time.Sleep(time.Second)
		}
	}
	buf[2*mach.PageSize] = 0x9a // and page 2 the parent's
	// The parent prints only once the child has ended: two tasks writing
	// the console at once may interleave their lines.
	_, status, err := mach.Wait(id)
	fmt.Printf("sleeper: parent %d: child %d ended: %v %v\n", mach.TaskID(), id, status, err)
}
