package task

import (
	"strings"
	"testing"
)

// TestCPULimit: a task that never ends (here a loop the timer preempts,
// and one that makes system calls forever) is killed with SIGXCPU once it
// has used Config.CPULimit, and the task waiting for it goes on.
func TestCPULimit(t *testing.T) {
	forArches(t, func(t *testing.T, a *Arch) {
		tk := newTestKernel(t, a, 1024)
		tk.cfg.CPULimit = 2_000_000
		var statuses []WaitStatus
		task := tk.spawn(t, "parent", func(u *User) {
			scratch := mmapAnon(u, 4096)
			for _, loop := range []func(u *User){
				func(u *User) {
					for {
						u.Preempt()
					}
				},
				func(u *User) {
					for {
						u.Sys("sched_yield")
					}
				},
			} {
				if r, _ := u.Fork(scratch, loop); r != 0 {
					u.Exit(1)
				}
				if u.Trap(TrapTaskWait, ^uint64(0), scratch, scratch+8) != 0 {
					u.Exit(2)
				}
				statuses = append(statuses, WaitStatus(u.Load64(scratch+8)&0xffffffff))
			}
			u.Exit(0)
		})
		tk.run(t)
		tk.wantStatus(t, task, 0)
		for _, st := range statuses {
			if st.Exited() || st.Signal() != sigXCPU {
				t.Errorf("child %v, want killed by signal %d", st, sigXCPU)
			}
		}
		if len(statuses) != 2 || strings.Count(tk.out.String(), "CPU time limit of 2 ms exceeded") != 2 {
			t.Errorf("statuses %v; console:\n%s", statuses, tk.out.String())
		}
	})
}
