//go:build tamago

// Command storefull runs the vm system out of memory: a forked child
// allocates four times the page pool and dirties page after page until
// neither a free frame nor a free slot of the backing store is left. The
// fault that finds none fails with KERN_RESOURCE_SHORTAGE, and the kernel
// kills the child with a report saying so. The parent counts the pages
// the child got through a page it shares with it, sees it killed by
// SIGSEGV, and prints PASS store-full; the kernel and the parent carry on.
//
// It needs a small pool and a small disk (boot with pool=4M and a 1 MiB
// disk, say): on a larger pool it prints SKIP and exits 0, so that a run of
// every bundled program stays short.
package main

import (
	"fmt"
	"os"

	"github.com/tamach/tamach/tasks/mach"
)

const (
	pageSize = 4096
	// factor is how many times the pool the child tries to touch.
	factor = 4
	// maxPoolPages is the largest pool the test runs on: 32 MiB.
	maxPoolPages = 32 << 20 / pageSize
)

func main() {
	st, err := mach.VMStatistics()
	if err != nil {
		fmt.Printf("FAIL store-full: vm_statistics: %v\n", err)
		os.Exit(1)
	}
	if st.PoolPages > maxPoolPages {
		fmt.Printf("SKIP store-full: a pool of %d pages is larger than %d; boot with pool=4M and a 1 MiB disk\n",
			st.PoolPages, maxPoolPages)
		return
	}
	if err := run(factor * st.PoolPages); err != nil {
		fmt.Printf("FAIL store-full: %v\n", err)
		os.Exit(1)
	}
}

// run forks a child that dirties n pages and checks that it is killed by
// SIGSEGV before it gets through them.
func run(n uint64) error {
	count, err := mach.Allocate(0, pageSize, mach.FlagsAnywhere)
	if err != nil {
		return fmt.Errorf("allocate the shared page: %v", err)
	}
	if err := mach.SetInherit(count, pageSize, mach.InheritShare); err != nil {
		return fmt.Errorf("share the counter page: %v", err)
	}
	addr, err := mach.Allocate(0, n*pageSize, mach.FlagsAnywhere)
	if err != nil {
		return fmt.Errorf("allocate %d pages: %v", n, err)
	}
	fmt.Printf("store-full: child dirties up to %d pages\n", n)
	id, err := mach.Fork()
	if err != nil {
		return fmt.Errorf("fork: %v", err)
	}
	if id == 0 {
		dirty(addr, n, wordAt(count))
		mach.Exit(0)
	}
	_, ws, err := mach.Wait(id)
	if err != nil {
		return fmt.Errorf("wait: %v", err)
	}
	got := *wordAt(count)
	if ws.Exited() || ws.Signal() != mach.SIGSEGV {
		return fmt.Errorf("child ended with %v after %d of %d pages, want killed by signal %d", ws, got, n, mach.SIGSEGV)
	}
	st, _ := mach.VMStatistics()
	fmt.Printf("PASS store-full: child killed by signal %d after dirtying %d of %d pages; pageouts %d\n",
		ws.Signal(), got, n, st.Pageouts)
	return nil
}

// dirty writes one word into each of the n pages at addr, counting the
// pages done in *count.
func dirty(addr, n uint64, count *uint64) {
	for i := range n {
		*wordAt(addr + i*pageSize) = i + 1
		*count = i + 1
	}
}
