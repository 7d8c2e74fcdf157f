package kernel

import (
	"fmt"
	"os"

	"github.com/tamach/tamach/kernel/shell"
	"github.com/tamach/tamach/kernel/task"
	"github.com/tamach/tamach/pmap"
	"github.com/tamach/tamach/vm"
)

// The word shell: the console shell (kernel/shell) on this kernel. shellKernel
// is the shell's view of the kernel: each method is a few lines over the
// task layer, the vm system or a task's pmap.

// cmdShell runs the shell until its halt, which powers the machine off.
func cmdShell(k *Kernel, _ string) bool {
	if k.Board.ReadByte == nil {
		fmt.Fprintf(k.Out, "shell: the board %s cannot read its console\n", k.Board.Name)
		return false
	}
	s := &shell.Shell{K: &shellKernel{k}, In: k.Board.ReadByte, Out: k.Out, Arch: k.Board.Arch}
	s.Run()
	return true
}

type shellKernel struct{ k *Kernel }

// shellIdle is how long the shell idles when no thread can run: short
// enough that typing (and QEMU's feeding of piped input, a FIFO's worth at
// a time) never waits noticeably.
const shellIdle = 1_000_000 // ns

func (s *shellKernel) Start(name string) (int, error) {
	ps, err := s.k.programs([]string{name})
	if err != nil {
		return 0, err
	}
	p := ps[0]
	img, err := s.k.tasks.LoadFile(p.Name, p.File, p.Size)
	if err != nil {
		return 0, err
	}
	// The task's map holds the image's objects: the image's own
	// references can go at once.
	defer img.Release()
	t, err := s.k.tasks.Spawn(p.Name, img)
	if err != nil {
		return 0, err
	}
	return t.ID, nil
}

func (s *shellKernel) Step() bool { return s.k.tasks.Step() }
func (s *shellKernel) Idle()      { s.k.tasks.Idle(shellIdle) }
func (s *shellKernel) Now() int64 { return s.k.Board.Nanotime() }

func (s *shellKernel) Tasks() []shell.Proc {
	var ps []shell.Proc
	for _, t := range s.k.tasks.Tasks() {
		p := shell.Proc{PID: t.ID, Parent: t.ParentID(), Name: t.Name, State: t.StateName(),
			Threads: t.Threads(), Faults: t.Faults, Syscalls: t.Syscalls}
		if t.State == task.TaskAlive {
			p.Resident = t.Map.ResidentPages()
		}
		ps = append(ps, p)
	}
	return ps
}

// task finds pid; alive asks for a task whose map still exists.
func (s *shellKernel) task(pid int, alive bool) (*task.Task, error) {
	t, ok := s.k.tasks.Task(pid)
	switch {
	case !ok:
		return nil, fmt.Errorf("%w: %d", task.ErrNoTask, pid)
	case alive && t.State != task.TaskAlive:
		return nil, fmt.Errorf("task %d has ended (%v): its address space is gone", pid, t.Status)
	}
	return t, nil
}

func (s *shellKernel) Status(pid int) (string, bool, error) {
	t, err := s.task(pid, false)
	if err != nil {
		return "", false, err
	}
	return t.Status.String(), t.State != task.TaskAlive, nil
}

func (s *shellKernel) Reap(pid int) error {
	t, err := s.task(pid, false)
	if err != nil {
		return err
	}
	_, err = s.k.tasks.Reap(t)
	return err
}

func (s *shellKernel) Kill(pid int) error { return s.k.tasks.Kill(pid, "killed from the shell") }

func (s *shellKernel) VMStat() vm.Statistics { return s.k.vm.Statistics() }

func (s *shellKernel) VMMap(pid int) ([]vm.EntryView, error) {
	t, err := s.task(pid, true)
	if err != nil {
		return nil, err
	}
	return t.Map.Inspect(), nil
}

func (s *shellKernel) Chain(pid int, addr uint64) (vm.EntryView, []vm.ObjectView, error) {
	t, err := s.task(pid, true)
	if err != nil {
		return vm.EntryView{}, nil, err
	}
	return t.Map.Chain(vm.VAddr(addr))
}

// tableFormats name each architecture's page tables for pmap's header.
var tableFormats = map[string]string{
	"amd64": "x86-64 4-level (Intel SDM Vol. 3A §4.5)",
	"arm64": "VMSAv8-64 stage 1, 4KB granule (Arm ARM D8)",
}

func (s *shellKernel) Walk(pid int, addr uint64) (string, []pmap.WalkStep, error) {
	t, err := s.task(pid, true)
	if err != nil {
		return "", nil, err
	}
	w, ok := t.Map.Pmap().(pmap.Walker)
	if !ok {
		return "", nil, fmt.Errorf("the %s pmap cannot show its walk", s.k.Board.Arch)
	}
	return tableFormats[s.k.Board.Arch], w.Walk(pmap.VAddr(addr)), nil
}

func (s *shellKernel) Pagers() []shell.PagerInfo {
	var ps []shell.PagerInfo
	if dp := s.k.defpager; dp != nil {
		st := dp.Stats()
		ps = append(ps, shell.PagerInfo{Name: dp.String(), Slots: int64(st.Slots), Used: int64(st.Used),
			Reads: int64(st.Reads), Writes: int64(st.Writes), PagedOut: int(st.Used)})
	}
	for _, v := range s.k.vm.Pagers() {
		p := shell.PagerInfo{Name: fmt.Sprint(v.Pager), Object: v.Object, Size: v.Size, Resident: v.Resident,
			PagedOut: v.PagedOut, Slots: -1, Used: -1, Reads: -1, Writes: -1}
		if r, ok := v.Pager.(interface{ Reads() uint64 }); ok {
			p.Reads = int64(r.Reads())
		}
		if v.Internal {
			p.Used = int64(v.PagedOut)
		}
		ps = append(ps, p)
	}
	return ps
}

func (s *shellKernel) SetTrace(on bool) { s.k.tasks.SetTrace(on) }

// Halt powers off, or, after a foreground run that failed, exits with its
// status as the word run does.
func (s *shellKernel) Halt(status int) {
	if status != 0 {
		s.k.printClock("halt")
		fmt.Fprintf(s.k.Out, "halt: exiting with the status %d of the last failed run\n", status)
		os.Exit(status)
	}
	s.k.powerOff("halt")
}
