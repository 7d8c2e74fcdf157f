//go:build tamago

package main

import (
	"fmt"
	"io"

	"github.com/tamach/tamach/boot"
	"github.com/tamach/tamach/kernel"
	"github.com/tamach/tamach/pmap"
	"github.com/tamach/tamach/vm"
	"github.com/tamach/tamach/vm/defpager"
)

// poolLimit is the most bytes of managed frames the vm system gets (the
// command-line word pool=SIZE); 0 means all of them.
var poolLimit uint64

func init() {
	kernel.Commands = append(kernel.Commands, kernel.Command{
		Name: "pool",
		Help: "pool=SIZE (e.g. 16M) limits the page frames of the vm system; before the first task runs",
		Run:  cmdPool,
	})
}

// cmdPool is the word pool=SIZE. It must come before the vm system exists
// (before the first tasks or run word); later it is refused.
func cmdPool(k *kernel.Kernel, value string) bool {
	n, err := kernel.ParseSize(value)
	switch {
	case err != nil:
		fmt.Fprintf(k.Out, "pool: %v\n", err)
	case n < minPool:
		fmt.Fprintf(k.Out, "pool: %s is below the minimum of %d KiB\n", value, minPool>>10)
	case tasksK != nil || tasksErr != nil:
		fmt.Fprintln(k.Out, "pool: the vm system already runs; pool= must come before the first tasks or run word")
	default:
		poolLimit = n &^ pmap.PageMask
	}
	return false
}

// minPool is the smallest pool= accepted: room for a Go task's runtime,
// stacks and page-table-free working set while the pageout thresholds
// (vm/pageout.go: FreeMin 10 + frames/100) still leave pages to use.
const minPool = 1 << 20

// poolSize is the number of bytes of managed frames the vm system gets out
// of avail: all of them, or pool=SIZE's limit when smaller.
func poolSize(avail uint64) uint64 {
	if poolLimit != 0 && poolLimit < avail {
		return poolLimit
	}
	return avail
}

// attachDefaultPager makes the first of disks (the board's disks but the
// program disk: swapCandidates) the vm system's backing store for
// anonymous memory (DESIGN §5). The disk's last page is left out:
// the virtio-blk self-check (boot/virtio CheckDisk), which the word
// selfcheck runs again at any time, writes it and restores it, and must
// never overwrite a slot. With no disk, anonymous memory stays resident.
func attachDefaultPager(out io.Writer, vs *vm.System, disks []boot.BlockDevice) {
	if len(disks) == 0 {
		fmt.Fprintln(out, "pager: no disk: anonymous memory is never paged out")
		return
	}
	d := disks[0]
	if ro, ok := d.(interface{ ReadOnly() bool }); ok && ro.ReadOnly() {
		fmt.Fprintf(out, "pager: %s is read-only: anonymous memory is never paged out\n", d.Name())
		return
	}
	if d.Pages() < 2 {
		fmt.Fprintf(out, "pager: %s has %d pages, too small for a backing store\n", d.Name(), d.Pages())
		return
	}
	dp, err := defpager.New(d, d.Pages()-1)
	if err != nil {
		fmt.Fprintf(out, "pager: %s: %v\n", d.Name(), err)
		return
	}
	vs.SetDefaultPager(dp.NewPager)
	slots := dp.Stats().Slots
	fmt.Fprintf(out, "pager: default pager on %s: %d pages (%d KiB) of backing store, last page kept for the self-check\n",
		d.Name(), slots, slots*pmap.PageSize>>10)
}
