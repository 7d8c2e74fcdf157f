// Package shell is tamach's console shell: a prompt on the serial console
// with line editing, commands to start, list, kill and wait for tasks, and
// introspection tools that draw the vm's and the pmap's structures (vmmap,
// vm_stat, vmobject, pmap, pagers). docs/shell.md shows a session.
//
// The whole shell is one loop that a lecture can draw:
//
//	for {
//	    byte typed?  ──yes──▶ edit the line; Enter runs the command
//	        │ no
//	    Step: one quantum of one runnable thread ──nothing ran──▶ Idle a little
//	}
//
// Tasks run only while the loop steps the scheduler, so a command always
// sees them stopped between two quanta. A foreground run (and wait) steps
// until its task ends, still reading the console: Ctrl-C stops it, other
// bytes are kept as type-ahead for the next prompt, so commands piped in
// are never lost.
//
// The package is machine-independent: it reaches the kernel through the
// Kernel interface (kernel/shell_glue.go implements it on the real task
// layer, vm and pmap; the tests use a fake) and the console through a
// read-one-byte function and an io.Writer.
package shell

import (
	"fmt"
	"io"
	"strings"

	"github.com/tamach/tamach/pmap"
	"github.com/tamach/tamach/vm"
)

// Kernel is what the shell needs of the kernel. Every method is called
// from the shell's loop, between scheduler steps.
type Kernel interface {
	// Start loads the program name (program disk, else the bundle) as a
	// new task, runnable, and returns its id.
	Start(name string) (pid int, err error)
	// Step runs one quantum of one runnable thread; false if none ran.
	Step() bool
	// Now is the clock, in nanoseconds.
	Now() int64
	// Idle waits a little (a millisecond or so, less if a sleeper is due).
	Idle()
	// Tasks lists the task table, by id.
	Tasks() []Proc
	// Status reports whether task pid has ended and how ("exit 0",
	// "killed by signal 9"); an error for a pid not in the table.
	Status(pid int) (status string, ended bool, err error)
	// Reap removes an ended task started by the shell from the table.
	Reap(pid int) error
	// Kill ends a live task with SIGKILL.
	Kill(pid int) error
	// VMStat is the vm system's counters.
	VMStat() vm.Statistics
	// VMMap lists task pid's map entries.
	VMMap(pid int) ([]vm.EntryView, error)
	// Chain is the entry and shadow chain behind addr in task pid.
	Chain(pid int, addr uint64) (vm.EntryView, []vm.ObjectView, error)
	// Walk is the hardware walk of addr in task pid's page tables, and
	// the name of the table format ("x86-64 4-level", "VMSAv8-64 4KB
	// granule").
	Walk(pid int, addr uint64) (format string, steps []pmap.WalkStep, err error)
	// Pagers lists the pagers: the default pager's store, then each
	// object with a pager.
	Pagers() []PagerInfo
	// SetTrace turns the trace of system calls and page faults on or off.
	SetTrace(on bool)
	// Halt powers the machine off: QEMU exits with status (0: success).
	// It does not return on the machine; a fake may return.
	Halt(status int)
}

// Proc is one line of ps.
type Proc struct {
	PID, Parent int
	Name        string
	State       string // runnable, running, sleeping, waiting, zombie
	Threads     int
	Resident    uint64 // pages mapped in its address space
	Faults      uint64
	Syscalls    uint64
}

// PagerInfo is one line of pagers. Counts that do not apply are -1.
type PagerInfo struct {
	Name     string
	Object   uint64 // 0 for a backing store as a whole
	Size     uint64 // bytes of the object
	Resident int    // the object's resident pages
	PagedOut int    // pages the pager holds for the object
	Slots    int64  // a store's slots in all, and in use
	Used     int64
	Reads    int64
	Writes   int64
}

// Shell is one console session.
type Shell struct {
	K    Kernel
	In   func() (c byte, ok bool) // one byte typed, without waiting
	Out  io.Writer
	Arch string // "amd64" or "arm64", for the banner only

	line      []byte
	typeahead []byte
	lastCR    bool           // the last byte was '\r': a '\n' after it is the same Enter
	bg        []int          // tasks started with &, not yet reported
	names     map[int]string // names of the tasks the shell started
	done      map[int]string // statuses of reaped background tasks, for wait
	fail      int            // the status halt exits with: the last failed foreground run's
	halted    bool
}

// Prompt is printed before each command.
const Prompt = "tamach> "

// Control bytes the line editor knows.
const (
	ctrlC     = 0x03
	backspace = 0x08
	ctrlU     = 0x15
	del       = 0x7f
)

// Run is the shell's loop; it returns once halt has run (on the machine
// Halt does not return).
func (s *Shell) Run() {
	if s.names == nil {
		s.names, s.done = map[int]string{}, map[int]string{}
	}
	fmt.Fprintf(s.Out, "tamach shell (%s): type help for the commands\n", s.Arch)
	fmt.Fprint(s.Out, Prompt)
	for !s.halted {
		if c, ok := s.read(); ok {
			s.key(c)
			continue
		}
		s.reportBackground(true)
		if !s.K.Step() {
			s.K.Idle()
		}
	}
}

// read takes the next byte: type-ahead first, then the console.
func (s *Shell) read() (byte, bool) {
	if len(s.typeahead) > 0 {
		c := s.typeahead[0]
		s.typeahead = s.typeahead[1:]
		return c, true
	}
	return s.In()
}

// key edits the line with one byte; Enter runs it.
func (s *Shell) key(c byte) {
	wasCR := s.lastCR
	s.lastCR = c == '\r'
	switch {
	case c == '\n' && wasCR:
		// the second half of a terminal's CR LF
	case c == '\r' || c == '\n':
		fmt.Fprint(s.Out, "\n")
		line := string(s.line)
		s.line = s.line[:0]
		s.Exec(line)
		if !s.halted {
			fmt.Fprint(s.Out, Prompt)
		}
	case c == backspace || c == del:
		if len(s.line) > 0 {
			s.line = s.line[:len(s.line)-1]
			fmt.Fprint(s.Out, "\b \b")
		}
	case c == ctrlU:
		fmt.Fprint(s.Out, strings.Repeat("\b \b", len(s.line)))
		s.line = s.line[:0]
	case c == ctrlC:
		fmt.Fprint(s.Out, "^C\n"+Prompt)
		s.line = s.line[:0]
	case c >= 0x20 && c < 0x7f:
		if len(s.line) < maxLine {
			s.line = append(s.line, c)
			s.Out.Write([]byte{c})
		}
	}
}

// maxLine bounds a command line; bytes beyond it are dropped.
const maxLine = 256

// command is one shell command.
type command struct {
	name, args, help string
	run              func(s *Shell, args []string) error
}

var commands []command

func init() {
	commands = []command{
		{"help", "", "list the commands", (*Shell).help},
		{"run", "NAME [&]", "run a program (program disk, else bundled); & returns to the prompt at once", (*Shell).run},
		{"ps", "", "list tasks: pid, parent, name, state, threads, resident pages, page faults, system calls", (*Shell).ps},
		{"kill", "PID", "end a task (SIGKILL)", (*Shell).kill},
		{"wait", "[PID]", "wait for a task started with & to end (all of them without PID)", (*Shell).wait},
		{"vmmap", "PID", "the task's map, one line per entry (macOS vmmap)", (*Shell).vmmap},
		{"vm_stat", "", "the vm system's counters (macOS vm_stat)", (*Shell).vmStat},
		{"vmobject", "PID ADDR", "the shadow chain behind an address, object by object", (*Shell).vmobject},
		{"pmap", "PID ADDR", "the page-table walk of an address, one line per level", (*Shell).pmap},
		{"pagers", "", "the pagers: pages, slots, reads and writes", (*Shell).pagers},
		{"sleep", "SECONDS", "let the tasks run for a while (e.g. 0.5), for scripts piped in", (*Shell).sleep},
		{"trace", "on|off", "print every system call and page fault of tasks", (*Shell).trace},
		{"halt", "", "power off (QEMU exits 0, or with the status of the last failed run)", (*Shell).halt},
	}
}

// Exec runs one command line and prints its output, or one error line.
func (s *Shell) Exec(line string) {
	if s.names == nil {
		s.names, s.done = map[int]string{}, map[int]string{}
	}
	words := strings.Fields(line)
	if len(words) == 0 {
		return
	}
	for _, c := range commands {
		if c.name == words[0] {
			if err := c.run(s, words[1:]); err != nil {
				fmt.Fprintf(s.Out, "%s: %v\n", c.name, err)
			}
			return
		}
	}
	fmt.Fprintf(s.Out, "%s: unknown command (help lists them)\n", words[0])
}

func (s *Shell) help(args []string) error {
	if len(args) != 0 {
		return usage("help")
	}
	for _, c := range commands {
		fmt.Fprintf(s.Out, "  %-18s %s\n", strings.TrimSpace(c.name+" "+c.args), c.help)
	}
	fmt.Fprintln(s.Out, "  line editing: backspace, Ctrl-U erases the line, Ctrl-C stops a foreground run")
	return nil
}

// usage is the error of a command given the wrong arguments.
func usage(name string) error {
	for _, c := range commands {
		if c.name == name {
			return fmt.Errorf("usage: %s", strings.TrimSpace(c.name+" "+c.args))
		}
	}
	return fmt.Errorf("usage: %s", name)
}
