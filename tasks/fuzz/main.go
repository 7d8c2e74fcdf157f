//go:build tamago

// Command fuzz makes system calls and Mach traps with random numbers and
// arguments from forked children: the kernel must answer every one with an
// error or a result (or kill the child), never stop. It prints PASS fuzz
// with the count of children that exited and were killed.
package main

import (
	"fmt"
	"os"

	"github.com/tamach/tamach/tasks/mach"
)

const (
	children      = 24
	callsPerChild = 400
)

// Numbers the fuzz leaves out: the calls that end the task or block it
// (exit, exit_group, nanosleep, task_wait) or multiply it (task_fork);
// every other number, known or not, is fair game.
var skip = map[int64]bool{
	60: true, 231: true, 35: true, // amd64 exit, exit_group, nanosleep
	93: true, 94: true, 101: true, // arm64 exit, exit_group, nanosleep
	-60: true, -61: true,
}

// rng is xorshift64 (Marsaglia, 2003): no allocation, safe in a forked child.
type rng uint64

func (r *rng) next() uint64 {
	x := uint64(*r)
	x ^= x << 13
	x ^= x >> 7
	x ^= x << 17
	*r = rng(x)
	return x
}

// arg picks an argument: a small number, a page multiple, an address near
// the task's own memory, or anything.
func (r *rng) arg(base uint64) uintptr {
	switch r.next() % 4 {
	case 0:
		return uintptr(r.next() % 64)
	case 1:
		return uintptr(r.next() % 64 * mach.PageSize)
	case 2:
		return uintptr(base + r.next()%(1<<22))
	}
	return uintptr(r.next())
}

// fuzz is the child's loop.
func fuzz(seed uint64, base uint64) {
	r := rng(seed | 1)
	for range callsPerChild {
		nr := int64(r.next()%400) - 80
		if skip[nr] {
			continue
		}
		mach.Syscall(nr, r.arg(base), r.arg(base), r.arg(base), r.arg(base), r.arg(base), r.arg(base))
	}
	mach.Exit(0)
}

func main() {
	scratch, err := mach.Allocate(0, 1<<22, mach.FlagsAnywhere)
	if err != nil {
		fmt.Println("FAIL fuzz: vm_allocate:", err)
		os.Exit(1)
	}
	exited, killed := 0, 0
	for i := range children {
		id, err := mach.Fork()
		if err != nil {
			fmt.Println("FAIL fuzz: fork:", err)
			os.Exit(1)
		}
		if id == 0 {
			fuzz(uint64(i)*0x9e3779b97f4a7c15, scratch)
		}
		_, st, err := mach.Wait(id)
		switch {
		case err != nil:
			fmt.Println("FAIL fuzz: wait:", err)
			os.Exit(1)
		case st.Exited():
			exited++
		default:
			killed++
		}
	}
	fmt.Printf("PASS fuzz: %d children x %d calls: %d exited, %d killed\n", children, callsPerChild, exited, killed)
}
