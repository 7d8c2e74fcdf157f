package kernel

import (
	"fmt"
	"io"
	"os"
	"strings"
)

// Command is one word the kernel understands on its command line. A word is
// either a bare name ("halt") or name=value ("echo=hello").
type Command struct {
	Name string
	Help string
	// Run performs the word. It returns true when the kernel must stop
	// following the command line (the machine is going down).
	Run func(k *Kernel, value string) (stop bool)
}

// Commands are the words the kernel understands, in the order help lists
// them. Set in init to break the initialisation cycle through cmdHelp.
var Commands []Command

func init() {
	Commands = []Command{
		{"halt", "power the machine off (QEMU exits 0)", cmdHalt},
		{"panic", "panic deliberately (QEMU exits non-zero after the backtrace)", cmdPanic},
		{"fault", "touch an unmapped address from the kernel (CPU exception report, non-zero exit)", cmdFault},
		{"selfcheck", "run the boot self-checks again", cmdSelfcheck},
		{"echo", "echo=TEXT prints TEXT", cmdEcho},
		{"tasks", "run every bundled task program; a failure makes QEMU exit non-zero", cmdTasks},
		{"run", "run=NAME[+NAME...] runs task programs from the program disk, else bundled ones (fwcfg: the ELF file of make qemu RUN=path); QEMU exits with the last one's status", cmdRun},
		{"trace", "print every system call tasks make", cmdTrace},
		{"help", "list these words", cmdHelp},
	}
}

// Follow carries out the words of the command line in order. It returns true
// if a word stopped the kernel. Unknown words are reported and skipped.
func (k *Kernel) Follow(line string) (stopped bool) {
	for _, word := range strings.Fields(line) {
		name, value, _ := strings.Cut(word, "=")
		c, ok := lookupCommand(name)
		if !ok {
			fmt.Fprintf(k.Out, "cmdline: unknown word %q (the word help lists the known ones)\n", word)
			continue
		}
		if c.Run(k, value) {
			return true
		}
	}
	return false
}

func lookupCommand(name string) (Command, bool) {
	for _, c := range Commands {
		if c.Name == name {
			return c, true
		}
	}
	return Command{}, false
}

func cmdHalt(k *Kernel, _ string) bool {
	k.powerOff("halt")
	return true
}

func cmdPanic(k *Kernel, _ string) bool {
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
	if err := k.RunChecks(); err != nil {
		fmt.Fprintf(k.Out, "selfcheck: %v\n", err)
	}
	return false
}

func cmdEcho(k *Kernel, value string) bool {
	fmt.Fprintln(k.Out, value)
	return false
}

func cmdHelp(k *Kernel, _ string) bool {
	fmt.Fprintln(k.Out, "command-line words:")
	for _, c := range Commands {
		fmt.Fprintf(k.Out, "  %-10s %s\n", c.Name, c.Help)
	}
	return false
}

// powerOff prints why and when the machine goes down, then powers it off.
func (k *Kernel) powerOff(why string) {
	k.printClock("power-off")
	fmt.Fprintf(k.Out, "%s: powering off\n", why)
	k.Board.PowerOff()
}

// Tasks runs user programs for the words tasks and run; cmd/tamach sets it
// once the machine can run user code. It runs the named programs (from the
// program disk, else the kernel's bundle; the name fwcfg: the ELF in fw_cfg
// file opt/tamach/run), or every bundled one when names is empty, one after the other, printing a line for each, and
// reports whether each ended as it should and the exit status of the last
// one (its exit code, or 128 plus the signal that killed it).
var Tasks func(out io.Writer, names []string) (ok bool, status int)

// Trace turns on the tracing of tasks' system calls; cmd/tamach sets it.
var Trace func()

func cmdTasks(k *Kernel, _ string) bool {
	if Tasks == nil {
		fmt.Fprintln(k.Out, "tasks: this kernel cannot run user tasks")
		k.Board.Fail()
		return true
	}
	if ok, _ := Tasks(k.Out, nil); !ok {
		fmt.Fprintln(k.Out, "tasks: FAIL")
		k.Board.Fail()
		return true
	}
	fmt.Fprintln(k.Out, "tasks: PASS")
	return false
}

func cmdRun(k *Kernel, value string) bool {
	names := strings.FieldsFunc(value, func(r rune) bool { return r == '+' || r == ',' })
	if Tasks == nil || len(names) == 0 {
		fmt.Fprintln(k.Out, "run: no program named, or this kernel cannot run user tasks")
		k.Board.Fail()
		return true
	}
	if _, status := Tasks(k.Out, names); status != 0 {
		k.printClock("task exit")
		fmt.Fprintf(k.Out, "run: exiting with the task's status %d\n", status)
		os.Exit(status)
	}
	return false
}

func cmdTrace(k *Kernel, _ string) bool {
	if Trace != nil {
		Trace()
	}
	return false
}
