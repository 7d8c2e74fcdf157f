// Package kernel is tamach's machine-independent kernel: what runs once a
// board package has brought the machine up. Its entry point, Start
// (start.go), is the boot sequence, top to bottom: memory map, frame pool,
// the kernel's own page tables and trap machinery (kernel/machine), the vm
// system, the disks (program disk and default pager), the self-checks, and
// then the command line. docs/boot.md and docs/tour.md follow it.
package kernel

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/tamach/tamach/boot"
	"github.com/tamach/tamach/kernel/machine"
	"github.com/tamach/tamach/kernel/tarfs"
	"github.com/tamach/tamach/kernel/task"
	"github.com/tamach/tamach/pmap"
	"github.com/tamach/tamach/vm"
	"github.com/tamach/tamach/vm/defpager"
)

// Version is the kernel version, set at link time by the Makefile
// (-X github.com/tamach/tamach/kernel.Version=...).
var Version = "dev"

// Kernel is the state of one boot, filled in step by step by Start.
type Kernel struct {
	Board *boot.Board
	Out   io.Writer
	// Memory is the kernel's view of physical memory: pmap.Identity on
	// the machine (the kernel runs on an identity map), an arena in
	// host tests.
	Memory pmap.Memory

	// Options from the command line (cmdline.go).
	poolLimit uint64        // pool=SIZE: most bytes of frames for the vm system; 0 for all
	trace     bool          // trace: print tasks' system calls
	cpuLimit  time.Duration // cpulimit=: CPU time a task may use, 0 for no limit

	tables  *FramePool      // frames for page tables and trap areas
	machine machine.Machine // the CPU's trap machinery, on the kernel's page tables
	vm      *vm.System      // the Mach VM system
	vmPool  boot.Region     // the frames the vm system manages
	checks  []boot.Check    // the machine's and the board's self-checks

	programDisk *tarfs.Archive            // the program disk, or nil
	notSwap     map[boot.BlockDevice]bool // disks the default pager must not write
	tasks       *task.Kernel              // the task layer
	defpager    *defpager.DefaultPager    // the default pager, or nil without a swap disk
}

// Banner is the first line the kernel prints: "tamach <version> <arch>/<board>".
func (k *Kernel) Banner() string {
	return fmt.Sprintf("tamach %s %s/%s", Version, k.Board.Arch, k.Board.Name)
}

// printBanner prints the banner, the clock and the board's facts.
func (k *Kernel) printBanner() {
	fmt.Fprintln(k.Out, k.Banner())
	k.printClock("banner")
	if k.Board.Info != nil {
		for _, line := range k.Board.Info() {
			fmt.Fprintf(k.Out, "board: %s\n", line)
		}
	}
}

// printMemoryMap prints one line per region and the page-frame pool's size.
func (k *Kernel) printMemoryMap() {
	fmt.Fprintln(k.Out, "memory map:")
	for _, r := range k.Board.Memory {
		fmt.Fprintf(k.Out, "  %#012x-%#012x %10s  %-6s %s\n",
			r.Start, r.End-1, FormatSize(r.Size()), r.Kind, r.Name)
	}
	p := k.Board.Pool
	fmt.Fprintf(k.Out, "page-frame pool: %#x-%#x, %s, %d frames\n",
		p.Start, p.End-1, FormatSize(p.Size()), p.Size()/pmap.PageSize)
}

// runChecks runs the machine's and the board's self-checks in order,
// printing one line each, and returns an error naming the checks that
// failed, but for optional ones (a device the kernel runs without), which
// are only reported.
func (k *Kernel) runChecks() error {
	var failed []string
	for _, c := range k.checks {
		note, err := c.Run()
		switch {
		case err != nil && c.Optional:
			fmt.Fprintf(k.Out, "selfcheck %s: FAIL: %v (optional: the kernel goes on without it)\n", c.Name, err)
			continue
		case err != nil:
			fmt.Fprintf(k.Out, "selfcheck %s: FAIL: %v\n", c.Name, err)
			failed = append(failed, c.Name)
			continue
		}
		if note != "" {
			note = " (" + note + ")"
		}
		fmt.Fprintf(k.Out, "selfcheck %s: ok%s\n", c.Name, note)
	}
	if len(failed) > 0 {
		return fmt.Errorf("self-checks failed: %s", strings.Join(failed, ", "))
	}
	return nil
}

// FormatSize prints a byte count in the largest binary unit not above it:
// exactly when the unit divides it ("16 MiB"), else to one decimal
// ("751.9 MiB").
func FormatSize(n uint64) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB"}
	i, unit := 0, uint64(1)
	for i < len(units)-1 && n >= unit*1024 {
		unit *= 1024
		i++
	}
	if n%unit == 0 {
		return fmt.Sprintf("%d %s", n/unit, units[i])
	}
	return fmt.Sprintf("%.1f %s", float64(n)/float64(unit), units[i])
}

// printClock prints how long after reset the kernel reached event, in
// nanoseconds of the board's clock: guest instructions under QEMU -icount
// shift=0. Boards without a clock print nothing.
func (k *Kernel) printClock(event string) {
	if k.Board.Nanotime != nil {
		fmt.Fprintf(k.Out, "clock: %s at %d ns since reset\n", event, k.Board.Nanotime())
	}
}
