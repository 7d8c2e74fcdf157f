package kernel

import (
	"fmt"
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
