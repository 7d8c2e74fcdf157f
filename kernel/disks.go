package kernel

import (
	"errors"
	"fmt"

	"github.com/tamach/tamach/boot"
	"github.com/tamach/tamach/kernel/tarfs"
	"github.com/tamach/tamach/pmap"
	"github.com/tamach/tamach/vm/defpager"
)

// The disks (step 6 of the boot): the program disk, then the default
// pager. The program disk is found first, by content: it is the first disk
// whose first block is a tar header (docs/tasks.md, "Programs from a
// disk"). The default pager then takes the first disk that is neither the
// program disk nor a damaged archive, so that paging never overwrites what
// may be someone's programs (docs/pager.md).

// findDisks is step 6.
func (k *Kernel) findDisks() {
	var disks []boot.BlockDevice
	if k.Board.Disks != nil {
		disks = k.Board.Disks()
	}
	k.findProgramDisk(disks)
	k.attachDefaultPager(k.swapCandidates(disks))
}

// findProgramDisk looks for the program disk among disks and prints what
// it found. A disk whose first block is not a tar header is left for the
// default pager; one that starts like an archive but is damaged is
// reported and left alone.
func (k *Kernel) findProgramDisk(disks []boot.BlockDevice) {
	k.notSwap = map[boot.BlockDevice]bool{}
	for _, d := range disks {
		a, err := tarfs.Open(d)
		switch {
		case errors.Is(err, tarfs.ErrNotArchive):
			continue
		case err != nil:
			k.notSwap[d] = true
			fmt.Fprintf(k.Out, "programs: %s starts like a tar archive but cannot be read: %v\n", d.Name(), err)
			continue
		}
		k.notSwap[d] = true
		if k.programDisk != nil {
			fmt.Fprintf(k.Out, "programs: %s is a second tar archive: ignored (the program disk is %s)\n", d.Name(), k.programDisk.Name())
			continue
		}
		k.programDisk = a
		fmt.Fprintf(k.Out, "programs: %s: tar archive of %d files (%d KiB), headers read in %d pages\n",
			d.Name(), len(a.Files()), archiveBytes(a)>>10, a.Stats().HeaderPages)
	}
}

func archiveBytes(a *tarfs.Archive) int64 {
	var n int64
	for _, f := range a.Files() {
		n += f.Size
	}
	return n
}

// swapCandidates are the disks the default pager may use: all but the
// program disk and damaged archives.
func (k *Kernel) swapCandidates(disks []boot.BlockDevice) []boot.BlockDevice {
	var ds []boot.BlockDevice
	for _, d := range disks {
		if !k.notSwap[d] {
			ds = append(ds, d)
		}
	}
	return ds
}

// attachDefaultPager makes the first usable one of disks the vm system's
// backing store for anonymous memory. A disk is usable when it is writable,
// has room, and passes a write test: its last page is read and written
// back unchanged, then flushed. A disk that fails it is reported and left
// alone (one bad disk must not stop the kernel: it holds nothing the
// kernel needs to run). The disk's last page is left out of the store: the
// virtio-blk self-check (boot/virtio CheckDisk), which the word selfcheck
// runs again at any time, writes it and restores it, and must never
// overwrite a slot. With no usable disk, anonymous memory stays resident.
func (k *Kernel) attachDefaultPager(disks []boot.BlockDevice) {
	for _, d := range disks {
		if why := swapUnusable(d); why != "" {
			fmt.Fprintf(k.Out, "pager: %s is not used for paging: %s\n", d.Name(), why)
			continue
		}
		dp, err := defpager.New(d, d.Pages()-1)
		if err != nil {
			fmt.Fprintf(k.Out, "pager: %s is not used for paging: %v\n", d.Name(), err)
			continue
		}
		dp.OnRetire = func(slot uint64, err error) {
			var ioe *defpager.IOError
			if errors.As(err, &ioe) {
				err = ioe.Err // the driver's error names the disk and the page
			}
			fmt.Fprintf(k.Out, "pager: slot %d retired: %v; its page goes to another slot\n", slot, err)
		}
		dp.OnFail = func(err error) {
			fmt.Fprintf(k.Out, "pager: %s stopped answering: %v; nothing more is paged out, and a task that needs a page it held is killed\n", d.Name(), err)
		}
		k.vm.SetDefaultPager(dp.NewPager)
		k.defpager = dp
		slots := dp.Stats().Slots
		fmt.Fprintf(k.Out, "pager: default pager on %s: %d pages (%d KiB) of backing store, last page kept for the self-check\n",
			d.Name(), slots, slots*pmap.PageSize>>10)
		return
	}
	fmt.Fprintln(k.Out, "pager: no disk: anonymous memory is never paged out")
}

// swapUnusable says why d cannot be the backing store, or "" if it can.
func swapUnusable(d boot.BlockDevice) string {
	if ro, ok := d.(interface{ ReadOnly() bool }); ok && ro.ReadOnly() {
		return "it is read-only"
	}
	if d.Pages() < 2 {
		return fmt.Sprintf("%d pages are too few", d.Pages())
	}
	last := d.Pages() - 1
	var p [pmap.PageSize]byte
	if err := d.ReadPage(last, &p); err != nil {
		return fmt.Sprintf("the read test failed: %v", err)
	}
	if err := d.WritePage(last, &p); err != nil {
		return fmt.Sprintf("the write test failed: %v", err)
	}
	if err := d.Flush(); err != nil {
		return fmt.Sprintf("the write test failed: %v", err)
	}
	return ""
}

// cmdPrograms is the word programs.
func cmdPrograms(k *Kernel, _ string) bool {
	if k.programDisk == nil {
		fmt.Fprintln(k.Out, "programs: no program disk (make qemu attaches build/<arch>/programs.tar unless PROGRAMS= is empty)")
		return false
	}
	for _, f := range k.programDisk.Files() {
		fmt.Fprintf(k.Out, "programs: %-24s %9d bytes\n", f.Name, f.Size)
	}
	return false
}
