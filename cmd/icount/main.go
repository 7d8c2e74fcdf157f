//go:build !tamago

// Command icount is make count's instruction counter: it counts, exactly,
// the instructions of whole traps and names the functions they run in. It
// runs a command that boots the kernel halted under QEMU's gdb stub
// (make qemu-gdb, with GDBPORT= a free port appended), sets a breakpoint on
// a kernel function, continues past skip hits of it, then single-steps: to
// the next return to user mode, and from there through n whole traps, each
// from the first instruction in the kernel after user mode to the first
// one back in user mode. With -from-at the first trap is counted from the
// breakpoint instead: the rest of the trap it stopped in (a fork, from
// -at 'kernel/task.trapTaskFork').
//
//	icount -elf build/arm64/tamach.elf -arch arm64 -at 'kernel/task.(*Kernel).syscall' -skip 1500 -n 3 -- make qemu-gdb ...
//
// QEMU's gdb stub masks interrupts and timers while it single-steps, so a
// counted trap is the program's own system call or fault: what `make
// bench` times, one instruction at a time (docs/performance.md, "Counting
// instructions").
package main

import (
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/tamach/tamach/cmd/internal/symtab"
)

// arch is how to read an architecture's program counter and privilege
// through the stub, in gdb's register numbering (QEMU's gdbstub for
// target/i386 and target/arm).
type arch struct {
	pcReg   int                    // RIP; PC
	modeReg int                    // CS; CPSR
	user    func(mode uint64) bool // the privilege is user mode
	bpKind  int                    // breakpoint instruction size
}

var arches = map[string]arch{
	// CS's low two bits are the current privilege level, 3 in user mode
	// (Intel SDM Vol. 3A §5.5).
	"amd64": {pcReg: 16, modeReg: 18, user: func(cs uint64) bool { return cs&3 == 3 }, bpKind: 1},
	// CPSR (PSTATE as gdb sees it): EL is bits [3:2], 0 at EL0 (Arm ARM
	// C5.2.18, "SPSR_EL1", whose layout gdb's cpsr follows).
	"arm64": {pcReg: 32, modeReg: 33, user: func(cpsr uint64) bool { return cpsr>>2&3 == 0 }, bpKind: 4},
}

// cpu is what counting needs of the target.
type cpu interface {
	step() error
	cont() error
	pc() (uint64, error)
	user() (bool, error)
	breakpoint(on bool, addr uint64) error
}

// remote is a cpu behind a gdb stub.
type remote struct {
	s *stub
	a arch
}

func (r remote) step() error { return r.s.resume("s") }
func (r remote) cont() error { return r.s.resume("c") }
func (r remote) pc() (uint64, error) {
	return r.s.register(r.a.pcReg)
}
func (r remote) user() (bool, error) {
	m, err := r.s.register(r.a.modeReg)
	return r.a.user(m), err
}
func (r remote) breakpoint(on bool, addr uint64) error {
	return r.s.breakpoint(on, addr, r.a.bpKind)
}

// Count is what count saw.
type Count struct {
	Kernel []int          // instructions in the kernel, per trap
	User   []int          // instructions in user mode before each trap
	PCs    map[uint64]int // the kernel's program counters, over all traps
	FromAt bool           // the first trap is counted from the breakpoint
}

// count stops at the skip+1st hit of the breakpoint at addr, steps to user
// mode, then steps through n traps. With fromAt, the part of the trap from
// the breakpoint to user mode is the first of the n. No phase may take
// more than limit steps (a program that never returns to user mode).
func count(c cpu, addr uint64, skip, n, limit int, fromAt bool) (*Count, error) {
	if err := c.breakpoint(true, addr); err != nil {
		return nil, err
	}
	for hit := 0; ; hit++ {
		if err := c.cont(); err != nil {
			return nil, fmt.Errorf("continuing to hit %d of the breakpoint: %w", hit+1, err)
		}
		// A stub stops again at once at the breakpoint it stopped at, as
		// gdb does: step over it without it before going on.
		if err := c.breakpoint(false, addr); err != nil {
			return nil, err
		}
		if hit == skip {
			break
		}
		if err := c.step(); err != nil {
			return nil, err
		}
		if err := c.breakpoint(true, addr); err != nil {
			return nil, err
		}
	}
	// stepWhile steps while the CPU's privilege is user, calling each
	// with the program counter first; it returns the steps taken.
	stepWhile := func(user bool, each func(pc uint64)) (int, error) {
		for k := 0; ; k++ {
			u, err := c.user()
			if err != nil {
				return k, err
			}
			if u != user {
				return k, nil
			}
			if k == limit {
				return k, fmt.Errorf("still in %s after %d instructions", modeName(user), limit)
			}
			if each != nil {
				pc, err := c.pc()
				if err != nil {
					return k, err
				}
				each(pc)
			}
			if err := c.step(); err != nil {
				return k, err
			}
		}
	}
	res := &Count{PCs: map[uint64]int{}, FromAt: fromAt}
	var record func(pc uint64)
	if fromAt {
		record = func(pc uint64) { res.PCs[pc]++ }
	}
	k, err := stepWhile(false, record)
	if err != nil {
		return nil, fmt.Errorf("to user mode after the breakpoint: %w", err)
	}
	first := 0
	if fromAt {
		res.User, res.Kernel = append(res.User, 0), append(res.Kernel, k)
		first = 1
	}
	for i := first; i < n; i++ {
		u, err := stepWhile(true, nil)
		if err != nil {
			return res, fmt.Errorf("trap %d: %w", i+1, err)
		}
		k, err := stepWhile(false, func(pc uint64) { res.PCs[pc]++ })
		if err != nil {
			return res, fmt.Errorf("trap %d: %w", i+1, err)
		}
		res.User, res.Kernel = append(res.User, u), append(res.Kernel, k)
	}
	return res, nil
}

func modeName(user bool) string {
	if user {
		return "user mode"
	}
	return "the kernel"
}

// modulePrefix is left off the names printed.
const modulePrefix = "github.com/tamach/tamach/"

// report writes the counts per trap and the kernel's instructions by
// function, as a mean per trap.
func report(w io.Writer, c *Count, syms *symtab.Table) {
	n := len(c.Kernel)
	if n == 0 {
		return
	}
	for i := range c.Kernel {
		if i == 0 && c.FromAt {
			fmt.Fprintf(w, "trap 1: from the breakpoint, %d in the kernel\n", c.Kernel[i])
			continue
		}
		fmt.Fprintf(w, "trap %d: %d instructions in user mode, then %d in the kernel\n", i+1, c.User[i], c.Kernel[i])
	}
	byFn := map[string]int{}
	total := 0
	for pc, k := range c.PCs {
		name := syms.Lookup(pc)
		switch {
		case name != "":
			name = strings.TrimPrefix(name, modulePrefix)
		case pc >= 1<<63:
			name = "(trampoline: its upper-half mapping)"
		default:
			name = "(no symbol)"
		}
		byFn[name] += k
		total += k
	}
	names := make([]string, 0, len(byFn))
	for k := range byFn {
		names = append(names, k)
	}
	sort.Slice(names, func(i, j int) bool {
		if byFn[names[i]] != byFn[names[j]] {
			return byFn[names[i]] > byFn[names[j]]
		}
		return names[i] < names[j]
	})
	fmt.Fprintf(w, "kernel instructions per trap, mean of %d, by function:\n", n)
	for _, k := range names {
		fmt.Fprintf(w, "%9.1f  %s\n", float64(byFn[k])/float64(n), k)
	}
	fmt.Fprintf(w, "%9.1f  total\n", float64(total)/float64(n))
}

// funcName is the symbol for a name given on the command line: as it is if
// the table has it, else under the module's path.
func funcName(syms *symtab.Table, name string) (string, uint64, bool) {
	for _, n := range []string{name, modulePrefix + name} {
		if a, ok := syms.Addr(n); ok {
			return n, a, true
		}
	}
	return "", 0, false
}

func main() {
	elfPath := flag.String("elf", "", "the kernel ELF file, with its symbols")
	archName := flag.String("arch", "", "amd64 or arm64")
	at := flag.String("at", "", "the kernel function to stop in, e.g. 'kernel/task.(*Kernel).pageFault'")
	skip := flag.Int("skip", 0, "hits of the breakpoint to let pass first")
	n := flag.Int("n", 3, "traps to count")
	logPath := flag.String("log", "", "where the command's output goes (default: stderr)")
	timeout := flag.Duration("timeout", 5*time.Minute, "the whole run's limit")
	limit := flag.Int("limit", 2_000_000, "most instructions to step in one phase")
	fromAt := flag.Bool("from-at", false, "count the first trap from the breakpoint on (a fork: -at 'kernel/task.trapTaskFork')")
	flag.Parse()
	a, ok := arches[*archName]
	if *elfPath == "" || !ok || *at == "" || *n < 1 || *skip < 0 || flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: icount -elf kernel.elf -arch amd64|arm64 -at function [-skip n] [-n traps] [-from-at] [-log file] -- command...")
		os.Exit(2)
	}
	if err := run(a, *elfPath, *at, *skip, *n, *limit, *fromAt, *logPath, *timeout, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "icount:", err)
		os.Exit(1)
	}
}

func run(a arch, elfPath, at string, skip, n, limit int, fromAt bool, logPath string, timeout time.Duration, command []string) error {
	syms, err := symtab.Load(elfPath)
	if err != nil {
		return err
	}
	name, addr, ok := funcName(syms, at)
	if !ok {
		return fmt.Errorf("%s has no function %q (nor %q)", elfPath, at, modulePrefix+at)
	}
	port, err := freePort()
	if err != nil {
		return err
	}
	cmd := exec.Command(command[0], append(command[1:], fmt.Sprintf("GDBPORT=%d", port))...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if logPath != "" {
		f, err := os.Create(logPath)
		if err != nil {
			return err
		}
		defer f.Close()
		cmd.Stdout, cmd.Stderr = f, f
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return err
	}
	defer func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // never leave QEMU behind
		cmd.Wait()
	}()
	deadline := time.Now().Add(timeout)
	conn, err := dial(port, deadline)
	if err != nil {
		return err
	}
	defer conn.Close()
	s := newStub(conn, deadline)
	if err := s.noAck(); err != nil {
		return err
	}
	if _, err := s.send("?"); err != nil {
		return err
	}
	traps, where := "traps", "after"
	if n == 1 {
		traps = "trap"
	}
	if fromAt {
		where = "from"
	}
	fmt.Printf("icount: %d %s %s hit %d of %s\n", n, traps, where, skip+1, strings.TrimPrefix(name, modulePrefix))
	c, err := count(remote{s, a}, addr, skip, n, limit, fromAt)
	if c != nil {
		report(os.Stdout, c, syms)
	}
	s.kill()
	return err
}

// dial connects to the gdb stub on port, waiting for QEMU to open it.
func dial(port int, deadline time.Time) (net.Conn, error) {
	for {
		c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), time.Second)
		if err == nil {
			return c, nil
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("no gdb stub on port %d: %w", port, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// freePort returns a TCP port on 127.0.0.1 that nothing listens on now.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
