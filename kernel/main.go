package kernel

import (
	"fmt"
	"os"

	"github.com/tamach/tamach/boot"
)

// Main is the kernel's entry point, called by cmd/tamach once the board is
// up. It boots (banner, memory map, self-checks), follows the command line,
// and powers the machine off. It never returns: a failed self-check panics,
// which the board turns into a failing exit.
func Main(b *boot.Board, checks []boot.Check) {
	k := &Kernel{Board: b, Out: os.Stdout, Checks: checks}
	if err := k.Boot(); err != nil {
		panic("kernel.Main: " + err.Error())
	}
	line, err := b.Cmdline()
	if err != nil {
		fmt.Fprintf(k.Out, "cmdline: none (%v)\n", err)
	}
	fmt.Fprintf(k.Out, "cmdline: %q\n", line)
	if !k.Follow(line) {
		k.powerOff("end of command line")
	}
	select {} // PowerOff does not return
}
