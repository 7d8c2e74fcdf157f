package kernel

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/tamach/tamach/pmap"
)

// The kernel command line: words separated by spaces, each a bare name
// ("halt") or name=value ("pool=64M"). It is read and checked as a whole
// before the boot goes on (Start), so that a mistyped word ends the run at
// once with a failing status instead of being noticed, or not, later.
//
// Options set how the kernel boots (pool=SIZE, trace); the other words are
// actions, carried out in order once the kernel is up.

// Command is one word the kernel understands on its command line.
type Command struct {
	Name string
	Help string
	// Value says what follows "=": "" for a bare word (a value is then
	// an error), or a description such as "SIZE" (a value is required).
	Value string
	// Option words configure the boot and are applied before it; the
	// others are actions.
	Option bool
	// Check validates the value of an option or action before anything
	// runs; nil accepts any (non-empty, when Value is set) value.
	Check func(value string) error
	// Run performs an action, or applies an option to the boot's
	// settings. It returns true when the kernel must stop following the
	// command line (the machine is going down).
	Run func(k *Kernel, value string) (stop bool)
}

// commands are the words, in the order help lists them.
var commands []Command

func init() {
	// Set in init: cmdHelp refers to commands.
	commands = []Command{
		{Name: "pool", Value: "SIZE", Option: true, Check: checkPool, Run: optPool,
			Help: "give the vm system at most SIZE bytes of page frames (e.g. 16M)"},
		{Name: "trace", Option: true, Run: optTrace,
			Help: "print every system call tasks make"},
		{Name: "cpulimit", Value: "DURATION", Option: true, Check: checkCPULimit, Run: optCPULimit,
			Help: "kill a task with SIGXCPU once it has used DURATION (e.g. 5s) of CPU time"},
		{Name: "tasks", Run: cmdTasks,
			Help: "run every program bundled in the kernel; a failure makes QEMU exit non-zero"},
		{Name: "run", Value: "NAME[+NAME...]", Check: checkRun, Run: cmdRun,
			Help: "run programs from the program disk, else bundled ones (fwcfg: the ELF of make qemu RUN=path); QEMU exits with the last one's status"},
		{Name: "shell", Run: cmdShell,
			Help: "a shell on the console: run, ps, kill, wait, vmmap, vm_stat, vmobject, pmap, pagers, trace, halt (docs/shell.md)"},
		{Name: "programs", Run: cmdPrograms,
			Help: "list the program disk (a tar archive on a virtio disk)"},
		{Name: "selfcheck", Run: cmdSelfcheck,
			Help: "run the boot self-checks again"},
		{Name: "echo", Value: "TEXT", Run: cmdEcho,
			Help: "print TEXT"},
		{Name: "halt", Run: cmdHalt,
			Help: "power the machine off (QEMU exits 0)"},
		{Name: "panic", Run: cmdPanic,
			Help: "panic deliberately (QEMU exits non-zero after the backtrace)"},
		{Name: "fault", Run: cmdFault,
			Help: "touch an unmapped address from the kernel (CPU exception report, non-zero exit)"},
		{Name: "help", Run: cmdHelp,
			Help: "list these words"},
	}
}

// Commands returns the words the kernel understands, in help's order.
func Commands() []Command { return append([]Command(nil), commands...) }

// word is one parsed word of the command line.
type word struct {
	cmd   *Command
	value string
}

// errCmdline is wrapped by the error of every bad word.
var errCmdline = errors.New("bad word")

// parseCmdline checks every word of line and returns them in order. Every
// bad word (unknown, a value where none belongs, a missing or bad value)
// is described in the error, one line each.
func parseCmdline(line string) ([]word, error) {
	var words []word
	var bad []error
	for _, w := range strings.Fields(line) {
		name, value, hasValue := strings.Cut(w, "=")
		c := lookupCommand(name)
		switch {
		case c == nil:
			bad = append(bad, fmt.Errorf("%w %q: unknown (the word help lists the known ones)", errCmdline, w))
		case c.Value == "" && hasValue:
			bad = append(bad, fmt.Errorf("%w %q: %s takes no value", errCmdline, w, name))
		case c.Value != "" && value == "":
			bad = append(bad, fmt.Errorf("%w %q: %s needs a value: %s=%s", errCmdline, w, name, name, c.Value))
		case c.Check != nil:
			if err := c.Check(value); err != nil {
				bad = append(bad, fmt.Errorf("%w %q: %v", errCmdline, w, err))
				continue
			}
			fallthrough
		default:
			words = append(words, word{cmd: c, value: value})
		}
	}
	if err := errors.Join(bad...); err != nil {
		return nil, err
	}
	return words, nil
}

func lookupCommand(name string) *Command {
	for i := range commands {
		if commands[i].Name == name {
			return &commands[i]
		}
	}
	return nil
}

// applyOptions applies the option words, in order.
func (k *Kernel) applyOptions(words []word) {
	for _, w := range words {
		if w.cmd.Option {
			w.cmd.Run(k, w.value)
		}
	}
}

// follow carries out the action words in order. It returns true if a word
// stopped the kernel.
func (k *Kernel) follow(words []word) (stopped bool) {
	for _, w := range words {
		if !w.cmd.Option && w.cmd.Run(k, w.value) {
			return true
		}
	}
	return false
}

// minPool is the smallest pool= accepted: room for a Go task's runtime,
// stacks and page-table-free working set while the pageout thresholds
// (vm/pageout_policy.go: FreeMin 10 + frames/100) still leave pages to use.
const minPool = 1 << 20

func checkPool(value string) error {
	n, err := ParseSize(value)
	if err != nil {
		return err
	}
	if n < minPool {
		return fmt.Errorf("%s is below the minimum of %d KiB", value, minPool>>10)
	}
	return nil
}

// optPool is pool=SIZE: a limit on the frames the vm system gets.
func optPool(k *Kernel, value string) bool {
	n, _ := ParseSize(value) // checked by checkPool
	k.poolLimit = n &^ pmap.PageMask
	return false
}

// optTrace is trace: tasks' system calls are printed.
func optTrace(k *Kernel, _ string) bool {
	k.trace = true
	return false
}

func checkCPULimit(value string) error {
	d, err := time.ParseDuration(value)
	if err != nil {
		return err
	}
	if d <= 0 {
		return errors.New("the limit must be positive")
	}
	return nil
}

// optCPULimit is cpulimit=DURATION: the CPU time a task may use (the fuzz
// runs set it, so that a forked child that damaged its own Go runtime into
// an endless loop cannot hang the run).
func optCPULimit(k *Kernel, value string) bool {
	d, _ := time.ParseDuration(value) // checked by checkCPULimit
	k.cpuLimit = d
	return false
}

func checkRun(value string) error {
	if len(runNames(value)) == 0 {
		return errors.New("no program named")
	}
	return nil
}

// runNames splits run's value into program names.
func runNames(value string) []string {
	return strings.FieldsFunc(value, func(r rune) bool { return r == '+' || r == ',' })
}

func cmdHalt(k *Kernel, _ string) bool {
	k.powerOff("halt")
	return true
}

func cmdPanic(*Kernel, string) bool {
	panic("kernel: panic requested on the command line")
}

func cmdFault(k *Kernel, _ string) bool {
	fmt.Fprintf(k.Out, "fault: reading unmapped address %#x\n", UnmappedAddress)
	v := touch(UnmappedAddress)
	// Reaching this line means the address was mapped after all: the
	// test that expects a CPU exception report fails on it.
	fmt.Fprintf(k.Out, "fault: no exception, read %#x\n", v)
	return false
}

func cmdSelfcheck(k *Kernel, _ string) bool {
	if err := k.runChecks(); err != nil {
		fmt.Fprintf(k.Out, "selfcheck: %v\n", err)
	}
	return false
}

func cmdEcho(k *Kernel, value string) bool {
	fmt.Fprintln(k.Out, value)
	return false
}

func cmdHelp(k *Kernel, _ string) bool {
	fmt.Fprintln(k.Out, "command-line words (options first: they apply to the whole boot):")
	for _, c := range commands {
		name := c.Name
		if c.Value != "" {
			name += "=" + c.Value
		}
		fmt.Fprintf(k.Out, "  %-20s %s\n", name, c.Help)
	}
	return false
}

func cmdTasks(k *Kernel, _ string) bool {
	if ok, _ := k.runPrograms(nil); !ok {
		fmt.Fprintln(k.Out, "tasks: FAIL")
		k.Board.Fail()
		return true
	}
	fmt.Fprintln(k.Out, "tasks: PASS")
	return false
}

func cmdRun(k *Kernel, value string) bool {
	if _, status := k.runPrograms(runNames(value)); status != 0 {
		k.printClock("task exit")
		fmt.Fprintf(k.Out, "run: exiting with the task's status %d\n", status)
		os.Exit(status)
	}
	return false
}

// powerOff prints why and when the machine goes down, then powers it off.
func (k *Kernel) powerOff(why string) {
	k.printClock("power-off")
	fmt.Fprintf(k.Out, "%s: powering off\n", why)
	k.Board.PowerOff()
}
