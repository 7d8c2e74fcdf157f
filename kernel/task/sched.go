package task

import (
	"fmt"

	"github.com/tamach/tamach/kernel/machine"
)

// maxFaultRepeats bounds how often one instruction may fault on the same
// address after the vm reported the fault resolved: more means the vm and
// the MMU disagree, and the task is stopped rather than spinning forever.
const maxFaultRepeats = 8

// Run schedules the runnable threads round-robin until no task is left
// alive: it is Step in a loop, idling while only sleepers remain. A thread
// runs until its quantum ends (a timer interrupt), it sleeps, waits or
// yields, or its task ends; system calls and resolved page faults do not
// end its turn.
func (k *Kernel) Run() {
	for {
		if k.Step() {
			continue
		}
		if len(k.sleep) == 0 {
			if k.blocked > 0 {
				fmt.Fprintf(k.cfg.Out, "task: %d threads wait for children and nothing can run\n", k.blocked)
			}
			return
		}
		k.cfg.CPU.Idle(k.earliestWake())
	}
}

// Step is one turn of the scheduler, and never blocks: it wakes the
// sleepers whose time has come, runs the thread at the front of the run
// queue for one quantum (or until it sleeps, waits, yields or ends) and
// puts it at the back if it can still run. It reports whether a thread
// ran; false means every thread sleeps or waits, or there is none. A
// console shell interleaves Step with polling the keyboard.
func (k *Kernel) Step() bool {
	th := k.next()
	if th == nil {
		return false
	}
	k.runThread(th)
	if th.State == ThreadRunning {
		th.State = ThreadRunnable
		k.runq = append(k.runq, th)
	}
	return true
}

// Idle waits at most max nanoseconds, less if a sleeping thread is due
// before: what a loop that calls Step does when Step ran nothing.
func (k *Kernel) Idle(max int64) {
	until := k.cfg.CPU.Nanotime() + max
	if len(k.sleep) > 0 {
		until = min(until, k.earliestWake())
	}
	k.cfg.CPU.Idle(until)
}

// next returns the next runnable thread, or nil when none is.
func (k *Kernel) next() *Thread {
	k.wakeSleepers()
	for len(k.runq) > 0 {
		th := k.runq[0]
		k.runq = k.runq[1:]
		if th.State == ThreadRunnable {
			return th
		}
	}
	return nil
}

// wakeSleepers makes the sleepers whose time has come runnable.
func (k *Kernel) wakeSleepers() {
	if len(k.sleep) == 0 {
		return
	}
	now := k.cfg.CPU.Nanotime()
	kept := k.sleep[:0]
	for _, th := range k.sleep {
		switch {
		case th.State != ThreadSleeping:
		case now >= th.wakeAt:
			th.State = ThreadRunnable
			k.runq = append(k.runq, th)
		default:
			kept = append(kept, th)
		}
	}
	clear(k.sleep[len(kept):])
	k.sleep = kept
}

func (k *Kernel) earliestWake() int64 {
	t := k.sleep[0].wakeAt
	for _, th := range k.sleep[1:] {
		t = min(t, th.wakeAt)
	}
	return t
}

// runThread runs th until its turn ends: it handles each trap, and enters
// user mode again as long as the thread is still running.
func (k *Kernel) runThread(th *Thread) {
	th.State = ThreadRunning
	var last machine.Trap
	repeats := 0
	var since int64
	if k.cfg.CPULimit > 0 {
		since = k.cfg.CPU.Nanotime()
	}
	for th.State == ThreadRunning {
		if k.cfg.CPULimit > 0 && k.overLimit(th, &since) {
			return
		}
		trap := k.run.Run(th.Ctx, th.Task.Map.Pmap())
		k.Stats.Runs++
		switch trap.Kind {
		case machine.TrapSyscall:
			k.Stats.Syscalls++
			th.Task.Syscalls++
			k.syscall(th)
		case machine.TrapPageFault:
			if trap.Kind == last.Kind && trap.Addr == last.Addr && trap.Access == last.Access {
				repeats++
			} else {
				repeats = 0
			}
			k.pageFault(th, trap, repeats)
		case machine.TrapInterrupt:
			k.Stats.Preempts++
			return
		default:
			k.exception(th, trap)
		}
		last = trap
	}
}

// overLimit charges th's task the time since *since and kills it with
// SIGXCPU if its CPU time is past Config.CPULimit.
func (k *Kernel) overLimit(th *Thread, since *int64) bool {
	now := k.cfg.CPU.Nanotime()
	t := th.Task
	t.cpu += now - *since
	*since = now
	if t.cpu <= k.cfg.CPULimit {
		return false
	}
	k.kill(t, sigXCPU, fmt.Sprintf("CPU time limit of %d ms exceeded at pc %#x: %s",
		k.cfg.CPULimit/1e6, th.Ctx.PC(), k.instruction(t, th.Ctx.PC())))
	return true
}

// yield ends th's turn: it goes to the back of the run queue.
func (k *Kernel) yield(th *Thread) {
	th.State = ThreadRunnable
	k.runq = append(k.runq, th)
}

// sleepUntil puts th to sleep until Nanotime reaches at.
func (k *Kernel) sleepUntil(th *Thread, at int64) {
	th.State = ThreadSleeping
	th.wakeAt = at
	k.sleep = append(k.sleep, th)
}

// exitThread ends one thread; the last one ends its task with status.
func (k *Kernel) exitThread(th *Thread, status WaitStatus) {
	t := th.Task
	k.dropThread(th)
	if len(t.threads) == 0 {
		k.exitTask(t, status)
	}
}

// dropThread marks th dead and removes it from its task. The run queue and
// the sleep list skip dead threads.
func (k *Kernel) dropThread(th *Thread) {
	if th.State == ThreadWaiting {
		k.blocked--
	}
	th.State = ThreadDead
	t := th.Task
	for i, o := range t.threads {
		if o == th {
			t.threads = append(t.threads[:i], t.threads[i+1:]...)
			break
		}
	}
}

// exitTask ends every thread of t, frees its address space and memory
// entries, makes it a zombie with status, hands its children to no one and
// tells its parent.
func (k *Kernel) exitTask(t *Task, status WaitStatus) {
	if t.State != TaskAlive {
		return
	}
	for len(t.threads) > 0 {
		k.dropThread(t.threads[0])
	}
	t.State, t.Status = TaskZombie, status
	for _, p := range t.ports {
		p.release()
	}
	t.ports = nil
	t.Map.Destroy()
	for _, c := range t.children {
		c.parent, c.orphan = nil, true
		if c.State == TaskZombie {
			k.reap(c)
		}
	}
	t.children = nil
	switch {
	case t.parent != nil:
		k.notifyParent(t.parent)
	case t.orphan:
		k.reap(t) // no one will wait for it
	}
}

// kill terminates t with the signal sig after printing why, one line.
func (k *Kernel) kill(t *Task, sig int, why string) {
	k.Stats.Kills++
	fmt.Fprintf(k.cfg.Out, "task %s[%d]: killed: %s\n", t.Name, t.ID, why)
	k.exitTask(t, killStatus(sig))
}

// reap removes a zombie from the task table and from its parent's children.
func (k *Kernel) reap(t *Task) {
	t.State = TaskReaped
	delete(k.tasks, t.ID)
	if p := t.parent; p != nil {
		for i, c := range p.children {
			if c == t {
				p.children = append(p.children[:i], p.children[i+1:]...)
				break
			}
		}
	}
}
