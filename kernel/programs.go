package kernel

import (
	"bytes"
	"fmt"
	"io"
	"sync/atomic"

	"github.com/tamach/tamach/kernel/tarfs"
	"github.com/tamach/tamach/kernel/task"
	"github.com/tamach/tamach/pmap"
	"github.com/tamach/tamach/tasks/bundle"
)

// runFile is the file `make qemu RUN=path` passes an ELF in (fw_cfg on
// QEMU, Board.ReadFile); the program name fwcfg stands for it.
const runFile = "opt/tamach/run"

// runPrograms runs the named programs (from the program disk, else the
// kernel's bundle; the name fwcfg: the ELF in runFile), or every bundled
// one but the interactive ones (bundle.Interactive) when names is empty,
// one after the other, printing a line for each.
// It reports whether each ended as it should and the exit status of the
// last one (its exit code, or 128 plus the signal that killed it).
func (k *Kernel) runPrograms(names []string) (ok bool, status int) {
	progs, err := k.programs(names)
	if err != nil {
		fmt.Fprintf(k.Out, "tasks: %v\n", err)
		return false, 1
	}
	if len(progs) == 0 {
		fmt.Fprintln(k.Out, "tasks: no programs bundled (make tasks-bundle before the kernel)")
		return false, 1
	}
	ok = true
	for _, p := range progs {
		vmBefore, tablesBefore := k.vm.Statistics().FreeCount, k.tables.Free()
		r := k.runProgram(p)
		good := r.Err == nil && (p.Signal == 0 && r.Status.Success() ||
			p.Signal != 0 && !r.Status.Exited() && r.Status.Signal() == p.Signal)
		fmt.Fprintf(k.Out, "%v: %s\n", r, map[bool]string{true: "as expected", false: "FAILED"}[good])
		// RunImage returns once the program and every task it forked are
		// gone: every page they took must be back in the vm's free list
		// and every page-table frame back in the table pool. The fuzz and
		// isolation boot tests assert the two pairs are equal.
		fmt.Fprintf(k.Out, "frames: %d free after %s, %d before; page-table frames: %d free after, %d before\n",
			k.vm.Statistics().FreeCount, p.Name, vmBefore, k.tables.Free(), tablesBefore)
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

// program is one ELF image to run: bundled in the kernel, passed by the
// host, or a file on the program disk.
type program struct {
	Name   string
	File   io.ReaderAt
	Size   int64
	Signal int           // the signal it is meant to be killed by, 0 to exit 0
	disk   *countingFile // File, when it is on the program disk; nil for the others
}

func inMemory(name string, elf []byte, signal int) program {
	return program{Name: name, File: bytes.NewReader(elf), Size: int64(len(elf)), Signal: signal}
}

// programs finds the named programs: the host's file for the name fwcfg,
// then the program disk's files, then the bundled ones. No names: every
// bundled one.
func (k *Kernel) programs(names []string) ([]program, error) {
	var ps []program
	if len(names) == 0 {
		for _, b := range bundle.Programs() {
			if bundle.Interactive(b.Name) {
				continue // it runs until killed: shell only
			}
			ps = append(ps, inMemory(b.Name, b.ELF, b.Signal))
		}
		return ps, nil
	}
	for _, n := range names {
		if n == "fwcfg" {
			if k.Board.ReadFile == nil {
				return nil, fmt.Errorf("the board %s takes no file from the host", k.Board.Name)
			}
			data, err := k.Board.ReadFile(runFile)
			if err != nil {
				return nil, fmt.Errorf("reading %s: %w", runFile, err)
			}
			ps = append(ps, inMemory("run", data, 0))
			continue
		}
		if p, ok := k.diskProgram(n); ok {
			ps = append(ps, p)
			continue
		}
		b, ok := bundle.Lookup(n)
		if !ok {
			where := "no program disk"
			if k.programDisk != nil {
				where = "not on the program disk " + k.programDisk.Name()
			}
			return nil, fmt.Errorf("no program %q: %s, and not bundled in the kernel (the word programs lists the disk)", n, where)
		}
		ps = append(ps, inMemory(b.Name, b.ELF, b.Signal))
	}
	return ps, nil
}

// diskProgram returns the program called name on the program disk, if
// there is one and it holds name (or name.elf).
func (k *Kernel) diskProgram(name string) (program, bool) {
	if k.programDisk == nil {
		return program{}, false
	}
	f, ok := k.programDisk.Lookup(name)
	if !ok {
		return program{}, false
	}
	c := &countingFile{f: f, nanotime: k.Board.Nanotime}
	return program{Name: name, File: c, Size: f.Size, Signal: bundle.ExpectedSignal(name), disk: c}, true
}

// runProgram loads p and runs it; for a program from the disk it prints how
// much of the file it read at load and while it ran. Then it prints when
// loading began, for make bench: tasks/bench reads the counter at its
// first instruction, and cmd/benchtable takes the difference as the cost
// of program start.
func (k *Kernel) runProgram(p program) task.Result {
	var began int64
	if k.Board.Nanotime != nil {
		began = k.Board.Nanotime()
	}
	var use diskUse
	if p.disk != nil {
		use.sample(0, p)
	}
	img, err := k.tasks.LoadFile(p.Name, p.File, p.Size)
	if err != nil {
		return task.Result{Name: p.Name, Err: err}
	}
	var r task.Result
	if p.disk == nil {
		r = k.tasks.RunImage(img)
	} else {
		use.sample(1, p)
		r = k.tasks.RunImage(img)
		use.sample(2, p)
		fmt.Fprintln(k.Out, use.report(p))
	}
	if k.Board.Nanotime != nil {
		fmt.Fprintf(k.Out, "clock: load of %s began at %d ns since reset\n", p.Name, began)
	}
	return r
}

// countingFile counts and times the reads of a program's file: the ELF
// parser's few, then one per page-in (the image pager reads a page per
// request).
type countingFile struct {
	f        *tarfs.File
	nanotime func() int64
	reads    atomic.Uint64
	nanos    atomic.Int64 // board clock: guest instructions under ICOUNT=1
}

func (c *countingFile) ReadAt(p []byte, off int64) (int, error) {
	start := c.nanotime()
	n, err := c.f.ReadAt(p, off)
	c.nanos.Add(c.nanotime() - start)
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
