// Command pcprof is make profile's sampler: it runs a command that boots
// QEMU with a human monitor on a Unix socket (QEMU's -monitor
// unix:PATH,server=on,wait=off), asks the monitor for the CPU's registers
// over and over while the guest runs (HMP "info registers"), and when the
// command ends prints the functions of the kernel ELF file its program
// counters fall in, most samples first.
//
//	pcprof -elf build/arm64/tamach.elf -sock build/arm64/profile/monitor.sock -log console.txt -- make qemu ...
//
// The samples are taken in host time: a guest instruction that QEMU's TCG
// emulates slowly (a TLB flush, a page-table walk, I/O) is sampled more
// often than its share of guest instructions, so the profile shows where
// the emulated machine spends its time, a close relative of where the
// guest's instructions go, not a count of them. A program counter
// outside the kernel's symbols is counted as "(task)", or as
// "(trampoline)" in the upper half, where the trap trampoline has its own
// mapping.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"regexp"
	"sort"
	"strconv"
	"time"

	"github.com/tamach/tamach/cmd/internal/symtab"
)

// pcLine finds the program counter in "info registers": RIP=... on x86,
// PC=... on Arm.
var pcLine = regexp.MustCompile(`(?:RIP|PC)=([0-9a-fA-F]{8,16})`)

// Profile counts samples by function.
type Profile map[string]int

// Add counts the program counter pc.
func (p Profile) Add(s *symtab.Table, pc uint64) {
	name := s.Lookup(pc)
	switch {
	case name != "":
	case pc >= 1<<63:
		// The upper half outside the image: the trap trampoline's own
		// mapping (kernel/machine/<arch>/trampoline.go).
		name = "(trampoline)"
	default:
		name = "(task)"
	}
	p[name]++
}

// Top writes the n functions with the most samples.
func (p Profile) Top(w io.Writer, n int) {
	total := 0
	names := make([]string, 0, len(p))
	for k, v := range p {
		names = append(names, k)
		total += v
	}
	sort.Slice(names, func(i, j int) bool {
		if p[names[i]] != p[names[j]] {
			return p[names[i]] > p[names[j]]
		}
		return names[i] < names[j]
	})
	fmt.Fprintf(w, "%d samples\n%8s %6s  %s\n", total, "samples", "share", "function")
	for i, k := range names {
		if i == n {
			break
		}
		fmt.Fprintf(w, "%8d %5.1f%%  %s\n", p[k], 100*float64(p[k])/float64(total), k)
	}
}

// sample asks the monitor for the registers every interval until the
// connection ends, and counts each program counter.
func sample(conn net.Conn, s *symtab.Table, p Profile, interval time.Duration) {
	r := bufio.NewReader(conn)
	go func() {
		for {
			if _, err := io.WriteString(conn, "info registers\n"); err != nil {
				return
			}
			time.Sleep(interval)
		}
	}()
	for {
		line, err := r.ReadString('\n')
		if m := pcLine.FindStringSubmatch(line); m != nil {
			if pc, err := strconv.ParseUint(m[1], 16, 64); err == nil {
				p.Add(s, pc)
			}
		}
		if err != nil {
			return
		}
	}
}

func main() {
	elfPath := flag.String("elf", "", "the kernel ELF file, with its symbols")
	sock := flag.String("sock", "", "the monitor's Unix socket, which the command's QEMU creates")
	logPath := flag.String("log", "", "where the command's output goes (default: stdout)")
	interval := flag.Duration("interval", time.Millisecond, "time between samples")
	top := flag.Int("top", 30, "how many functions to print")
	flag.Parse()
	if *elfPath == "" || *sock == "" || flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: pcprof -elf kernel.elf -sock monitor.sock [-log file] -- command...")
		os.Exit(2)
	}
	syms, err := symtab.Load(*elfPath)
	if err != nil {
		fmt.Fprintln(os.Stderr, "pcprof:", err)
		os.Exit(1)
	}
	os.Remove(*sock)
	cmd := exec.Command(flag.Arg(0), flag.Args()[1:]...)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if *logPath != "" {
		f, err := os.Create(*logPath)
		if err != nil {
			fmt.Fprintln(os.Stderr, "pcprof:", err)
			os.Exit(1)
		}
		defer f.Close()
		cmd.Stdout, cmd.Stderr = f, f
	}
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "pcprof:", err)
		os.Exit(1)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	p := Profile{}
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		for {
			select {
			case <-done:
				done <- nil
				return
			default:
			}
			conn, err := net.Dial("unix", *sock)
			if err != nil {
				time.Sleep(20 * time.Millisecond)
				continue
			}
			sample(conn, syms, p, *interval)
			conn.Close()
			return
		}
	}()
	<-sampled
	werr := <-done
	if werr != nil {
		fmt.Fprintln(os.Stderr, "pcprof: the command:", werr)
	}
	p.Top(os.Stdout, *top)
}
