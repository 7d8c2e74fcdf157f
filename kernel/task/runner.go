package task

import (
	"bytes"
	"fmt"
	"io"
)

// Result is how one program ran.
type Result struct {
	Name   string
	ID     int
	Status WaitStatus
	Nanos  int64 // from load to the end of the last task it forked
	Stats  Stats // the scheduler's counters for the run
	Err    error // the image could not be loaded: Status is meaningless
}

func (r Result) String() string {
	if r.Err != nil {
		return fmt.Sprintf("%s: %v", r.Name, r.Err)
	}
	return fmt.Sprintf("task %s[%d]: %v after %d.%03d ms: %d system calls, %d page faults, %d preemptions, %d kills",
		r.Name, r.ID, r.Status, r.Nanos/1e6, r.Nanos/1e3%1e3, r.Stats.Syscalls, r.Stats.Faults, r.Stats.Preempts, r.Stats.Kills)
}

// RunProgram is RunFile for an ELF image held in memory.
func (k *Kernel) RunProgram(name string, data []byte) Result {
	return k.RunFile(name, bytes.NewReader(data), int64(len(data)))
}

// RunFile loads the ELF image in the size bytes of file as a new task
// (LoadFile) and runs it (RunImage).
func (k *Kernel) RunFile(name string, file io.ReaderAt, size int64) Result {
	img, err := k.LoadFile(name, file, size)
	if err != nil {
		return Result{Name: name, Err: err}
	}
	return k.RunImage(img)
}

// LoadFile parses the ELF image in the size bytes of file for this
// kernel's architecture and user range (NewImageAt: its pages are read
// from file when a task first touches them).
func (k *Kernel) LoadFile(name string, file io.ReaderAt, size int64) (*Image, error) {
	return NewImageAt(k.cfg.VM, k.arch, name, file, size, k.cfg.UserMin, k.cfg.UserMax)
}

// RunImage runs img as a new task, runs the scheduler until that task and
// every task it forked have ended, and reports how it went. It releases
// img: its memory objects die with the last task that maps them, and the
// pages tasks took are all back in the vm's free list.
func (k *Kernel) RunImage(img *Image) Result {
	defer img.Release()
	r := Result{Name: img.Name}
	start, before := k.cfg.CPU.Nanotime(), k.Stats
	t, err := k.Spawn(img.Name, img)
	if err != nil {
		r.Err = err
		return r
	}
	k.Run()
	r.ID, r.Status = t.ID, t.Status
	r.Nanos = k.cfg.CPU.Nanotime() - start
	r.Stats = k.Stats.minus(before)
	k.reap(t)
	return r
}

func (s Stats) minus(o Stats) Stats {
	return Stats{Runs: s.Runs - o.Runs, Syscalls: s.Syscalls - o.Syscalls, Faults: s.Faults - o.Faults,
		Preempts: s.Preempts - o.Preempts, Kills: s.Kills - o.Kills}
}
