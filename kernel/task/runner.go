package task

import (
	"fmt"
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

// RunProgram loads the ELF image data as a new task, runs the scheduler
// until that task and every task it forked have ended, and reports how it
// went. The image's memory objects are released at the end; the pages
// tasks took are all back in the vm's free list.
func (k *Kernel) RunProgram(name string, data []byte) Result {
	r := Result{Name: name}
	img, err := NewImage(k.cfg.VM, k.arch, name, data, k.cfg.UserMin, k.cfg.UserMax)
	if err != nil {
		r.Err = err
		return r
	}
	defer img.Release()
	start, before := k.cfg.CPU.Nanotime(), k.Stats
	t, err := k.Spawn(name, img)
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
		FastFaults: s.FastFaults - o.FastFaults, Preempts: s.Preempts - o.Preempts, Kills: s.Kills - o.Kills}
}
