package shell

import (
	"fmt"
	"strconv"
	"strings"
)

// The task commands: run, ps, kill, wait, halt, trace.

func (s *Shell) run(args []string) error {
	background := false
	if n := len(args); n > 0 && args[n-1] == "&" {
		background, args = true, args[:n-1]
	} else if n > 0 && len(args[n-1]) > 1 && strings.HasSuffix(args[n-1], "&") {
		background, args[n-1] = true, strings.TrimSuffix(args[n-1], "&")
	}
	if len(args) != 1 {
		return usage("run")
	}
	pid, err := s.K.Start(args[0])
	if err != nil {
		return err
	}
	s.names[pid] = args[0]
	if background {
		s.bg = append(s.bg, pid)
		fmt.Fprintf(s.Out, "[%d] %s\n", pid, args[0])
		return nil
	}
	status, ok := s.waitFor(pid, true)
	if !ok {
		return nil
	}
	s.K.Reap(pid)
	fmt.Fprintf(s.Out, "[%d] %s: %s\n", pid, args[0], status)
	if status != "exit 0" {
		s.fail = statusCode(status)
	}
	return nil
}

// statusCode is the exit status a shell gives a task's status: the exit
// code, or 128 plus the signal.
func statusCode(status string) int {
	var n int
	if _, err := fmt.Sscanf(status, "exit %d", &n); err == nil {
		return n
	}
	if _, err := fmt.Sscanf(status, "killed by signal %d", &n); err == nil {
		return 128 + n
	}
	return 1
}

// waitFor steps the scheduler until task pid ends and returns its status.
// The console is still read: Ctrl-C kills the task (kill true) or stops
// waiting, and ok is then false if it has not ended; other bytes are kept
// for the next prompt.
func (s *Shell) waitFor(pid int, kill bool) (status string, ok bool) {
	for {
		status, ended, err := s.K.Status(pid)
		if err != nil {
			return err.Error(), false
		}
		if ended {
			return status, true
		}
		if c, got := s.In(); got {
			if c != ctrlC {
				s.typeahead = append(s.typeahead, c)
				continue
			}
			fmt.Fprintln(s.Out, "^C")
			if !kill {
				return "", false
			}
			s.K.Kill(pid)
			continue
		}
		if !s.K.Step() {
			s.K.Idle()
		}
	}
}

// reportBackground prints and reaps the background tasks that have ended.
// At the prompt (atPrompt) the prompt and the line typed so far are
// printed again after the report.
func (s *Shell) reportBackground(atPrompt bool) {
	kept := s.bg[:0]
	for _, pid := range s.bg {
		status, ended, err := s.K.Status(pid)
		if err != nil || !ended {
			if err == nil {
				kept = append(kept, pid)
			}
			continue
		}
		s.K.Reap(pid)
		s.done[pid] = status
		if atPrompt {
			fmt.Fprintf(s.Out, "\n[%d] %s: %s\n%s%s", pid, s.names[pid], status, Prompt, s.line)
		} else {
			fmt.Fprintf(s.Out, "[%d] %s: %s\n", pid, s.names[pid], status)
		}
	}
	s.bg = kept
}

func (s *Shell) ps(args []string) error {
	if len(args) != 0 {
		return usage("ps")
	}
	fmt.Fprintf(s.Out, "%5s %5s %-12s %-9s %7s %8s %8s %8s\n",
		"PID", "PPID", "NAME", "STATE", "THREADS", "RESIDENT", "FAULTS", "SYSCALLS")
	for _, p := range s.K.Tasks() {
		fmt.Fprintf(s.Out, "%5d %5d %-12s %-9s %7d %8d %8d %8d\n",
			p.PID, p.Parent, p.Name, p.State, p.Threads, p.Resident, p.Faults, p.Syscalls)
	}
	return nil
}

// pid parses a task id and checks that the table holds it.
func (s *Shell) pid(arg string) (int, error) {
	n, err := strconv.Atoi(arg)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%q is not a task id (ps lists them)", arg)
	}
	if _, _, err := s.K.Status(n); err != nil {
		return 0, err
	}
	return n, nil
}

func (s *Shell) kill(args []string) error {
	if len(args) != 1 {
		return usage("kill")
	}
	pid, err := s.pid(args[0])
	if err != nil {
		return err
	}
	return s.K.Kill(pid)
}

func (s *Shell) wait(args []string) error {
	switch len(args) {
	case 0:
		if len(s.bg) == 0 {
			fmt.Fprintln(s.Out, "wait: no background task")
			return nil
		}
		for len(s.bg) > 0 {
			if _, ok := s.waitFor(s.bg[0], false); !ok {
				return nil
			}
			s.reportBackground(false)
		}
		return nil
	case 1:
	default:
		return usage("wait")
	}
	n, err := strconv.Atoi(args[0])
	if err != nil || n <= 0 {
		return fmt.Errorf("%q is not a task id (ps lists them)", args[0])
	}
	if status, ok := s.done[n]; ok {
		fmt.Fprintf(s.Out, "[%d] %s: %s\n", n, s.names[n], status)
		return nil
	}
	if !s.isBackground(n) {
		if _, _, err := s.K.Status(n); err != nil {
			return err
		}
		return fmt.Errorf("task %d was not started with run ... & (its parent waits for it)", n)
	}
	if _, ok := s.waitFor(n, false); ok {
		s.reportBackground(false)
	}
	return nil
}

func (s *Shell) isBackground(pid int) bool {
	for _, p := range s.bg {
		if p == pid {
			return true
		}
	}
	return false
}

func (s *Shell) trace(args []string) error {
	if len(args) != 1 || args[0] != "on" && args[0] != "off" {
		return usage("trace")
	}
	s.K.SetTrace(args[0] == "on")
	fmt.Fprintf(s.Out, "trace: %s\n", args[0])
	return nil
}

func (s *Shell) halt(args []string) error {
	if len(args) != 0 {
		return usage("halt")
	}
	s.halted = true
	s.K.Halt(s.fail)
	return nil
}

// sleep steps the scheduler for the given seconds; Ctrl-C ends it early.
func (s *Shell) sleep(args []string) error {
	if len(args) != 1 {
		return usage("sleep")
	}
	secs, err := strconv.ParseFloat(args[0], 64)
	if err != nil || secs < 0 || secs > 3600 {
		return fmt.Errorf("%q is not a number of seconds up to 3600", args[0])
	}
	until := s.K.Now() + int64(secs*1e9)
	for s.K.Now() < until {
		if c, ok := s.In(); ok {
			if c == ctrlC {
				fmt.Fprintln(s.Out, "^C")
				return nil
			}
			s.typeahead = append(s.typeahead, c)
			continue
		}
		s.reportBackground(false)
		if !s.K.Step() {
			s.K.Idle()
		}
	}
	return nil
}
