//go:build tamago

package kernel

import (
	"fmt"
	"os"
	"strings"

	"github.com/tamach/tamach/boot"
	"github.com/tamach/tamach/pmap"
)

// Start boots tamach on the board b, which has brought the CPU, console and
// clock up (boot/<board>); cmd/tamach calls it from main. It is the whole
// boot sequence, in order, and never returns: the command line ends with
// the machine powered off. A step that fails panics, which the board turns
// into a register dump, a backtrace and a failing exit.
func Start(b *boot.Board) {
	k := &Kernel{Board: b, Out: os.Stdout, Memory: pmap.Identity{}}
	k.printBanner()

	// The command line is read and checked first: options such as
	// pool=SIZE shape the steps below, and a mistyped word ends the run
	// here, before anything else happens.
	words := k.readCommandLine()
	k.applyOptions(words)

	// 1. The memory map the board found: RAM, the kernel image, the Go
	//    heap, DMA, devices, and the page-frame pool.
	k.printMemoryMap()

	// 2. The frame pool, split: the first frames hold the kernel's page
	//    tables and trap areas (a FramePool); the VM system manages the
	//    rest.
	managed := k.splitPool()

	// 3. The kernel's own page tables (pmap/<arch>) and 4. the trap
	//    machinery (kernel/machine/<arch>): GDT/IDT/TSS/SYSCALL or the
	//    EL1 vectors, and the trampoline that enters user mode.
	k.must("machine", k.startMachine(startArch, managed))

	// 5. The vm system over the managed frames (at most pool=SIZE).
	k.must("vm", k.startVM())

	// 6. The disks: the program disk (a tar archive) and then the
	//    default pager, which pages anonymous memory out to the first
	//    other disk.
	k.findDisks()

	// 7. The task layer, on the vm system and the machine.
	k.must("tasks", k.startTasks())

	// 8. The self-checks of the machine and of the board.
	k.must("self-checks", k.runChecks())

	// 9. The command line's actions, in order.
	if !k.follow(words) {
		k.powerOff("end of command line")
	}
	select {} // PowerOff does not return
}

// must stops the boot when step failed.
func (k *Kernel) must(step string, err error) {
	if err != nil {
		panic(fmt.Sprintf("kernel.Start: %s: %v", step, err))
	}
}

// readCommandLine reads the board's command line, prints it and checks
// every word. A bad line is reported, one line per bad word ("cmdline: bad
// word ..."), and ends the run with a failing status (Board.Fail).
func (k *Kernel) readCommandLine() []word {
	line, err := k.Board.Cmdline()
	if err != nil {
		fmt.Fprintf(k.Out, "cmdline: none (%v)\n", err)
	}
	fmt.Fprintf(k.Out, "cmdline: %q\n", line)
	words, err := parseCmdline(line)
	if err != nil {
		for _, l := range strings.Split(err.Error(), "\n") {
			fmt.Fprintf(k.Out, "cmdline: %s\n", l)
		}
		k.Board.Fail()
	}
	return words
}
