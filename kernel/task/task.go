package task

import (
	"errors"
	"fmt"
	"io"

	"github.com/tamach/tamach/pmap"
	"github.com/tamach/tamach/vm"

	"github.com/tamach/tamach/kernel/machine"
)

// Config describes the machine to New.
type Config struct {
	CPU    CPU          // runs threads
	VM     *vm.System   // the vm system tasks' maps live in
	Pmap   pmap.System  // creates task address spaces
	Memory pmap.Memory  // the kernel's view of physical memory
	Out    io.Writer    // the console: fd 1 and 2, and kernel reports
	Random func([]byte) // fills getrandom's buffers
	// UserMin and UserMax bound every task's map: [UserMin, UserMax).
	UserMin, UserMax vm.VAddr
	// Epoch is CLOCK_REALTIME at boot, in nanoseconds since 1970.
	Epoch int64
	// Trace prints every system call and its result.
	Trace bool
	// CPULimit, when not 0, is the CPU time in nanoseconds a task may
	// use, in user mode and in the kernel on its behalf, before the
	// kernel kills it with SIGXCPU (Linux's RLIMIT_CPU hard limit). A
	// task that loops without end, with or without system calls, then
	// cannot keep the tasks waiting for it, or the run, from ending.
	CPULimit int64
}

// Kernel is the task layer of one machine: the tasks, the run queue and the
// scheduler. It runs on one goroutine (Run); nothing in it is shared with
// another, so it needs no lock.
type Kernel struct {
	cfg   Config
	arch  *Arch
	calls callTable // arch.syscalls and machTraps, indexed by number
	run   runner    // cfg.CPU's Run, or the machine's own (newRunner)

	tasks   map[int]*Task
	nextID  int
	runq    []*Thread // runnable threads, in the order they will run
	sleep   []*Thread // threads in nanosleep, unordered
	blocked int       // threads waiting for a child

	// Stats counts what the scheduler did.
	Stats Stats
}

// Stats are the scheduler's counters.
type Stats struct {
	Runs     uint64 // machine.Run calls
	Syscalls uint64 // system calls and Mach traps
	Faults   uint64 // page faults taken from user mode
	Preempts uint64 // timer interrupts that ended a thread's quantum
	Kills    uint64 // tasks terminated by the kernel
}

// New makes the task layer.
func New(cfg Config) (*Kernel, error) {
	if cfg.CPU == nil || cfg.VM == nil || cfg.Pmap == nil || cfg.Memory == nil || cfg.Out == nil || cfg.Random == nil {
		return nil, errors.New("task.New: incomplete Config")
	}
	if !cfg.UserMin.Aligned() || !cfg.UserMax.Aligned() || cfg.UserMin >= cfg.UserMax {
		return nil, errors.New("task.New: bad user address range")
	}
	a := cfg.CPU.Arch()
	return &Kernel{cfg: cfg, arch: a, calls: newCallTable(a), run: newRunner(cfg.CPU), tasks: map[int]*Task{}, nextID: 1}, nil
}

// Arch reports the instruction set the kernel runs tasks in.
func (k *Kernel) Arch() *Arch { return k.arch }

// TaskState is where a task is in its life:
//
//	alive ──exit/kill──▶ zombie ──wait (or no parent)──▶ reaped
type TaskState uint8

// Task states.
const (
	TaskAlive  TaskState = iota // has threads that run
	TaskZombie                  // exited; its status awaits the parent's wait
	TaskReaped                  // status collected; gone from the table
)

// Task is a program in execution: an address space (a vm map over a pmap),
// threads, its parent and children, and once it has exited, its wait status.
type Task struct {
	ID     int
	Name   string
	Map    *vm.Map
	State  TaskState
	Status WaitStatus

	parent   *Task
	orphan   bool // its parent ended first: reaped as soon as it ends
	children []*Task
	threads  []*Thread
	ports    map[uint32]*port // memory entries, by the name the task sees
	nextPort uint32
	cpu      int64 // CPU time used, in nanoseconds; counted only with Config.CPULimit

	// Syscalls and Faults count the task's system calls (Mach traps
	// included) and page faults from user mode, for ps.
	Syscalls, Faults uint64
}

// Threads reports the number of live threads.
func (t *Task) Threads() int { return len(t.threads) }

// ThreadState is where a thread is:
//
//	runnable ⇄ running ──exit──▶ dead
//	running ──nanosleep──▶ sleeping ──time──▶ runnable
//	running ──task_wait──▶ waiting ──child exits──▶ runnable
type ThreadState uint8

// Thread states.
const (
	ThreadRunnable ThreadState = iota
	ThreadRunning
	ThreadSleeping
	ThreadWaiting
	ThreadDead
)

// Thread is one flow of control in a task: its saved user registers and
// where it is in the scheduler.
type Thread struct {
	ID    int
	Task  *Task
	Ctx   machine.Context
	State ThreadState

	wakeAt int64    // ThreadSleeping: Nanotime to wake at
	wait   waitCall // ThreadWaiting: the task_wait in progress
}

// WaitStatus is a task's exit status encoded as Linux's wait(2) encodes
// it: exit code << 8 for an exit, the signal number for a kill.
type WaitStatus uint32

// Exited reports whether the task called exit (rather than being killed).
func (w WaitStatus) Exited() bool { return w&0x7f == 0 }

// ExitCode is the code passed to exit.
func (w WaitStatus) ExitCode() int { return int(w>>8) & 0xff }

// Signal is the signal that killed the task.
func (w WaitStatus) Signal() int { return int(w & 0x7f) }

// Success reports whether the task exited with code 0.
func (w WaitStatus) Success() bool { return w == 0 }

func (w WaitStatus) String() string {
	if w.Exited() {
		return fmt.Sprintf("exit %d", w.ExitCode())
	}
	return fmt.Sprintf("killed by signal %d", w.Signal())
}

func exitStatus(code int) WaitStatus { return WaitStatus(code&0xff) << 8 }
func killStatus(sig int) WaitStatus  { return WaitStatus(sig & 0x7f) }

// newTask makes an empty task with a fresh address space.
func (k *Kernel) newTask(name string, parent *Task, m *vm.Map) *Task {
	t := &Task{ID: k.nextID, Name: name, Map: m, parent: parent, ports: map[uint32]*port{}, nextPort: 1}
	k.nextID++
	k.tasks[t.ID] = t
	if parent != nil {
		parent.children = append(parent.children, t)
	}
	return t
}

// newSpace creates and prepares a user address space.
func (k *Kernel) newSpace() (pmap.Pmap, error) {
	pm, err := k.cfg.Pmap.Create(pmap.KindUser)
	if err != nil {
		return nil, err
	}
	if err := k.cfg.CPU.PrepareSpace(pm); err != nil {
		pm.Destroy()
		return nil, err
	}
	return pm, nil
}

// newMap creates an empty task map over a new address space.
func (k *Kernel) newMap() (*vm.Map, error) {
	pm, err := k.newSpace()
	if err != nil {
		return nil, err
	}
	m, err := k.cfg.VM.NewMap(pm, k.cfg.UserMin, k.cfg.UserMax)
	if err != nil {
		pm.Destroy()
		return nil, err
	}
	return m, nil
}

// newThread adds a runnable thread with context c to t.
func (k *Kernel) newThread(t *Task, c machine.Context) *Thread {
	th := &Thread{ID: k.nextID, Task: t, Ctx: c, State: ThreadRunnable}
	k.nextID++
	t.threads = append(t.threads, th)
	k.runq = append(k.runq, th)
	return th
}

// Spawn loads img into a new task and makes its first thread runnable at
// the image's entry point. The task has no parent.
func (k *Kernel) Spawn(name string, img *Image) (*Task, error) {
	if img.arch != k.arch {
		return nil, fmt.Errorf("task: image %s is for %s, not %s", img.Name, img.arch.Name, k.arch.Name)
	}
	m, err := k.newMap()
	if err != nil {
		return nil, err
	}
	if err := img.Load(m); err != nil {
		m.Destroy()
		return nil, err
	}
	t := k.newTask(name, nil, m)
	c := k.cfg.CPU.NewContext()
	c.SetPC(img.Entry)
	k.newThread(t, c)
	return t, nil
}

// Task returns the live or zombie task with the given id.
func (k *Kernel) Task(id int) (*Task, bool) {
	t, ok := k.tasks[id]
	return t, ok
}

// Live reports the number of tasks that have not exited.
func (k *Kernel) Live() int {
	n := 0
	for _, t := range k.tasks {
		if t.State == TaskAlive {
			n++
		}
	}
	return n
}
