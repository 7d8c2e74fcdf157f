package task

import (
	"errors"
	"fmt"
	"sort"
)

// What a console shell (kernel/shell) asks of the task layer: the task
// table, one task's parent and thread states, kill and reap, and the trace
// switch. Every call is made from the goroutine that runs the scheduler.

// Tasks returns the tasks in the table (alive and zombies), by id.
func (k *Kernel) Tasks() []*Task {
	ts := make([]*Task, 0, len(k.tasks))
	for _, t := range k.tasks {
		ts = append(ts, t)
	}
	sort.Slice(ts, func(i, j int) bool { return ts[i].ID < ts[j].ID })
	return ts
}

// ParentID is the id of t's parent, 0 when it has none (started by the
// kernel, or its parent ended first).
func (t *Task) ParentID() int {
	if t.parent == nil {
		return 0
	}
	return t.parent.ID
}

// StateName says where t is, as ps prints it: "zombie" or "reaped" for an
// ended task; for a live one the state of its threads, the most active
// first: "running", "runnable", "sleeping" (nanosleep) or "waiting" (for a
// child).
func (t *Task) StateName() string {
	switch t.State {
	case TaskZombie:
		return "zombie"
	case TaskReaped:
		return "reaped"
	}
	best := ThreadDead
	for _, th := range t.threads {
		best = min(best, th.State)
	}
	return [...]string{"runnable", "running", "sleeping", "waiting", "dead"}[best]
}

// ErrNoTask is returned for an id the task table does not hold.
var ErrNoTask = errors.New("no such task")

// Kill ends the live task id as SIGKILL would, printing the kernel's
// one-line report with why.
func (k *Kernel) Kill(id int, why string) error {
	t, ok := k.tasks[id]
	switch {
	case !ok:
		return fmt.Errorf("%w: %d", ErrNoTask, id)
	case t.State != TaskAlive:
		return fmt.Errorf("task %d has already ended (%v)", id, t.Status)
	}
	k.kill(t, sigKILL, why)
	return nil
}

// Reap collects the status of a zombie no task will wait for (it has no
// parent) and removes it from the table.
func (k *Kernel) Reap(t *Task) (WaitStatus, error) {
	if t.State != TaskZombie {
		return 0, fmt.Errorf("task %d has not ended", t.ID)
	}
	if t.parent != nil {
		return 0, fmt.Errorf("task %d is its parent %d's to wait for", t.ID, t.parent.ID)
	}
	k.reap(t)
	return t.Status, nil
}

// SetTrace turns the trace of tasks' system calls and page faults on or
// off (the command-line option trace sets it at boot).
func (k *Kernel) SetTrace(on bool) { k.cfg.Trace = on }

// Tracing reports whether the trace is on.
func (k *Kernel) Tracing() bool { return k.cfg.Trace }
