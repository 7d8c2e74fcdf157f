// Package kernel is tamach's machine-independent kernel: what runs once a
// board package has brought the machine up. Main prints the banner and the
// memory map, runs the boot self-checks, and then follows the command line.
package kernel

import (
	"fmt"
	"io"
	"strings"

	"github.com/tamach/tamach/boot"
)

// Version is the kernel version, set at link time by the Makefile
// (-X github.com/tamach/tamach/kernel.Version=...).
var Version = "dev"

// Kernel is the state of one boot: the board it runs on, where it prints,
// and the self-checks it runs.
type Kernel struct {
	Board  *boot.Board
	Out    io.Writer
	Checks []boot.Check // machine-independent and per-arch checks; the board's are added by Boot
}

// Banner is the first line the kernel prints: "tamach <version> <arch>/<board>".
func (k *Kernel) Banner() string {
	return fmt.Sprintf("tamach %s %s/%s", Version, k.Board.Arch, k.Board.Name)
}

// Boot prints the banner, the board facts and the memory map, and runs every
// self-check. It returns an error if any check failed.
func (k *Kernel) Boot() error {
	fmt.Fprintln(k.Out, k.Banner())
	k.printClock("banner")
	if k.Board.Info != nil {
		for _, line := range k.Board.Info() {
			fmt.Fprintf(k.Out, "board: %s\n", line)
		}
	}
	k.printMemoryMap()
	return k.RunChecks()
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
		p.Start, p.End-1, FormatSize(p.Size()), p.Size()/pageSize)
}

// pageSize is the size of one page frame of the pool.
const pageSize = 4096

// RunChecks runs the kernel's and the board's self-checks in order, printing
// one line each, and returns an error naming the checks that failed.
func (k *Kernel) RunChecks() error {
	var failed []string
	checks := append(append([]boot.Check(nil), k.Checks...), k.Board.Checks...)
	for _, c := range checks {
		note, err := c.Run()
		if err != nil {
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
