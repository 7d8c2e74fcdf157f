//go:build tamago

package main

import (
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"

	"github.com/tamach/tamach/boot"
	"github.com/tamach/tamach/kernel"
	"github.com/tamach/tamach/kernel/tarfs"
	"github.com/tamach/tamach/pmap"
	"github.com/tamach/tamach/tasks/bundle"
)

func init() {
	kernel.Commands = append(kernel.Commands, kernel.Command{
		Name: "programs",
		Help: "list the programs on the program disk (a tar archive on a virtio disk: make qemu attaches build/<arch>/programs.tar)",
		Run:  cmdPrograms,
	})
}

// The program disk: the first of the board's disks whose contents are a
// tar archive (docs/tasks.md, "Programs from a disk"). Found once, the
// first time a word needs it, and kept for the kernel's life: the images
// of programs run from it read their pages from it on demand.
var (
	programsOnce sync.Once
	programDisk  *tarfs.Archive
	// notSwap are the disks the default pager must not write: the program
	// disk and disks that look like a damaged archive.
	notSwap map[boot.BlockDevice]bool
)

// findPrograms looks for the program disk among disks and prints what it
// found on out. A disk whose first block is not a tar header is left for
// the default pager; one that starts like an archive but is damaged is
// reported and left alone, so that paging never overwrites what may be
// someone's programs.
func findPrograms(out io.Writer, disks []boot.BlockDevice) {
	programsOnce.Do(func() {
		notSwap = map[boot.BlockDevice]bool{}
		for _, d := range disks {
			a, err := tarfs.Open(d)
			switch {
			case errors.Is(err, tarfs.ErrNotArchive):
				continue
			case err != nil:
				notSwap[d] = true
				fmt.Fprintf(out, "programs: %s starts like a tar archive but cannot be read: %v\n", d.Name(), err)
				continue
			}
			notSwap[d] = true
			if programDisk != nil {
				fmt.Fprintf(out, "programs: %s is a second tar archive: ignored (the program disk is %s)\n", d.Name(), programDisk.Name())
				continue
			}
			programDisk = a
			fmt.Fprintf(out, "programs: %s: tar archive of %d files (%d KiB), headers read in %d pages\n",
				d.Name(), len(a.Files()), archiveBytes(a)>>10, a.Stats().HeaderPages)
		}
	})
}

func archiveBytes(a *tarfs.Archive) int64 {
	var n int64
	for _, f := range a.Files() {
		n += f.Size
	}
	return n
}

// cmdPrograms is the word programs.
func cmdPrograms(k *kernel.Kernel, _ string) bool {
	findPrograms(k.Out, board.Disks())
	if programDisk == nil {
		fmt.Fprintln(k.Out, "programs: no program disk (make qemu attaches build/<arch>/programs.tar unless PROGRAMS= is empty)")
		return false
	}
	for _, f := range programDisk.Files() {
		fmt.Fprintf(k.Out, "programs: %-24s %9d bytes\n", f.Name, f.Size)
	}
	return false
}

// diskProgram returns the program called name on the program disk, if
// there is one and it holds name (or name.elf).
func diskProgram(name string) (program, bool) {
	if programDisk == nil {
		return program{}, false
	}
	f, ok := programDisk.Lookup(name)
	if !ok {
		return program{}, false
	}
	c := &countingFile{f: f}
	return program{Name: name, File: c, Size: f.Size, Signal: bundle.ExpectedSignal(name), disk: c}, true
}

// countingFile counts and times the reads of a program's file: the ELF
// parser's few, then one per page-in (the image pager reads a page per
// request).
type countingFile struct {
	f     *tarfs.File
	reads atomic.Uint64
	nanos atomic.Int64 // board.Nanotime units: guest instructions under ICOUNT=1
}

func (c *countingFile) ReadAt(p []byte, off int64) (int, error) {
	start := board.Nanotime()
	n, err := c.f.ReadAt(p, off)
	c.nanos.Add(board.Nanotime() - start)
	c.reads.Add(1)
	return n, err
}

// diskUse is what a program from the disk read: file reads, their time and
// disk pages, sampled before loading, after loading, and at the end of the
// run.
type diskUse struct {
	reads, pages [3]uint64
	nanos        [3]int64
}

func (u *diskUse) sample(i int, p program) {
	u.reads[i], u.nanos[i] = p.disk.reads.Load(), p.disk.nanos.Load()
	u.pages[i] = p.disk.f.Archive().Stats().PagesRead
}

// report says how much of the file was read to load it and while it ran,
// and the mean time of a page-in's read.
func (u *diskUse) report(p program) string {
	pages := (uint64(p.Size) + pmap.PageMask) >> pmap.PageShift
	pageins := u.reads[2] - u.reads[1]
	mean := int64(0)
	if pageins > 0 {
		mean = (u.nanos[2] - u.nanos[1]) / int64(pageins)
	}
	return fmt.Sprintf("program %s: %d-page file on %s: loading read %d disk pages; running paged in %d pages (%d disk pages read, %d ns each)",
		p.disk.f.Name, pages, p.disk.f.Archive().Name(), u.pages[1]-u.pages[0], pageins, u.pages[2]-u.pages[1], mean)
}

// swapCandidates are the disks the default pager may use: all but the
// program disk and damaged archives (findPrograms must have run).
func swapCandidates(disks []boot.BlockDevice) []boot.BlockDevice {
	var ds []boot.BlockDevice
	for _, d := range disks {
		if !notSwap[d] {
			ds = append(ds, d)
		}
	}
	return ds
}
