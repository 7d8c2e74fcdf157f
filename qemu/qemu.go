//go:build !tamago

// Package qemu boots tamach images under QEMU for tests: it builds the image
// with the Makefile, runs it with a timeout, captures the console, and
// matches the lines a test expects, printing the console's tail when they
// are not there.
//
// Every run goes through `make qemu`, the command a user types, so the tests
// exercise the same QEMU command line the README documents.
package qemu

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Run describes one boot.
type Run struct {
	Arch    string        // "amd64" or "arm64"
	Board   string        // BOARD=...; "" for the architecture's default board (microvm, virt)
	Cmdline string        // the kernel command line (the host file opt/tamach/cmdline)
	Timeout time.Duration // the whole run, QEMU start to exit; 0 means DefaultTimeout
	ICount  bool          // QEMU -icount shift=0,sleep=off
	Make    []string      // extra make variables, e.g. "VIRT_EL=3"
	// NoCmdline gives make no CMDLINE at all, so that make qemu's
	// default applies (the word tasks) instead of an empty command line.
	NoCmdline bool
	// Stdin is written to QEMU's standard input (the console, -serial
	// stdio) at the start, as `printf ... | make qemu` would; then, for
	// each step of Script in turn, the harness waits until the console
	// has a line matching Expect and writes Send. Standard input stays
	// open until QEMU exits.
	Stdin  string
	Script []Step
}

// Step is one exchange of a scripted console session.
type Step struct {
	Expect string // a regular expression a console line must match (after the previous step's)
	Send   string // written once it does; "$1" and so on are replaced by Expect's submatches
}

// syncBuffer is the console as it is being written, readable meanwhile.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// feed writes r's input to w: Stdin, then each Script step once the
// console shows its line. It stops at the first step not seen before done
// is closed.
func (r Run) feed(w io.Writer, out *syncBuffer, done <-chan struct{}) {
	io.WriteString(w, r.Stdin)
	from := 0 // console bytes already matched
	for _, st := range r.Script {
		re := regexp.MustCompile(st.Expect)
		for {
			con := out.String()
			lines := strings.Split(con[from:], "\n")
			found := false
			for i, l := range lines[:len(lines)-1] { // whole lines only
				if m := re.FindStringSubmatch(strings.TrimRight(l, "\r")); m != nil {
					send := st.Send
					for j := len(m) - 1; j >= 1; j-- {
						send = strings.ReplaceAll(send, fmt.Sprintf("$%d", j), m[j])
					}
					io.WriteString(w, send)
					from += len(strings.Join(lines[:i+1], "\n")) + 1
					found = true
					break
				}
			}
			if found {
				break
			}
			select {
			case <-done:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}
}

// DefaultTimeout bounds a boot that sets no timeout of its own. TCG on a
// loaded 2-core CI machine boots in seconds; a minute means a hang.
const DefaultTimeout = 60 * time.Second

// Result is what a boot left behind.
type Result struct {
	Console  string        // everything QEMU and the kernel printed
	ExitCode int           // QEMU's exit status (-1 if it was killed)
	TimedOut bool          // the run hit its timeout and was killed
	Elapsed  time.Duration // wall time of the run
}

// RepoRoot is the repository's top directory (the one holding the Makefile).
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "Makefile")); err == nil {
			if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
				return dir, nil
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("qemu: no Makefile and go.mod above the working directory")
		}
		dir = parent
	}
}

// makeVar asks the Makefile for one value of a board (targets
// print-goroot, print-qemu, print-qemu-machine, ...).
func makeVar(root, target, board string) (string, error) {
	out, err := exec.Command("make", "-s", "--no-print-directory", "-C", root, target, "BOARD="+board, "ARCH=").Output()
	return strings.TrimSpace(string(out)), err
}

// DefaultBoard is the board an architecture boots without BOARD=: microvm
// for amd64, virt for arm64 (the Makefile's DEFAULT_BOARD_<arch>).
func DefaultBoard(arch string) string {
	return map[string]string{"amd64": "microvm", "arm64": "virt"}[arch]
}

// BoardArch is the architecture of board (the Makefile's ARCH_<board>), or
// "" when the Makefile does not know the board.
func BoardArch(board string) string {
	root, err := RepoRoot()
	if err != nil {
		return ""
	}
	arch, err := makeVar(root, "print-arch", board)
	if err != nil {
		return ""
	}
	return arch
}

// Missing returns one line saying what is missing to boot board (the
// TamaGo toolchain, QEMU, the board's QEMU machine), or "" when everything
// is there.
func Missing(board string) string {
	root, err := RepoRoot()
	if err != nil {
		return err.Error()
	}
	goroot, err := makeVar(root, "print-goroot", board)
	if err != nil {
		return fmt.Sprintf("cannot ask the Makefile for the toolchain path: %v", err)
	}
	if _, err := os.Stat(filepath.Join(goroot, "bin", "go")); err != nil {
		return fmt.Sprintf("the TamaGo toolchain is missing from %s: run 'go tool tamago version' with internet access to install it (README.md)", goroot)
	}
	bin, err := makeVar(root, "print-qemu", board)
	if err != nil || bin == "" {
		return fmt.Sprintf("cannot ask the Makefile for the QEMU binary of %s", board)
	}
	if _, err := exec.LookPath(bin); err != nil {
		return fmt.Sprintf("%s is missing: apt-get install qemu-system-x86 qemu-system-arm qemu-utils", bin)
	}
	machine, err := makeVar(root, "print-qemu-machine", board)
	if err != nil || machine == "" {
		return fmt.Sprintf("cannot ask the Makefile for the QEMU machine of %s", board)
	}
	if !hasMachine(bin, machine) {
		since, _ := makeVar(root, "print-qemu-since", board)
		why := fmt.Sprintf("%s has no %s machine", bin, machine)
		if since != "" {
			why += " (QEMU " + since + " or later)"
		}
		return why
	}
	return ""
}

var machines sync.Map // QEMU binary -> its `-machine help` output

// hasMachine reports whether `bin -machine help` lists machine.
func hasMachine(bin, machine string) bool {
	v, ok := machines.Load(bin)
	if !ok {
		out, _ := exec.Command(bin, "-machine", "help").Output()
		v, _ = machines.LoadOrStore(bin, string(out))
	}
	for _, l := range strings.Split(v.(string), "\n") {
		if f := strings.Fields(l); len(f) > 0 && f[0] == machine {
			return true
		}
	}
	return false
}

// Require skips the test with one line when arch's default board cannot
// be booted here.
func Require(t testing.TB, arch string) {
	t.Helper()
	RequireBoard(t, DefaultBoard(arch))
}

// RequireBoard skips the test with one line when board cannot be booted
// here.
func RequireBoard(t testing.TB, board string) {
	t.Helper()
	if why := Missing(board); why != "" {
		t.Skipf("skip: QEMU boot test for %s: %s", board, why)
	}
}

var builds sync.Map // board -> *buildOnce

type buildOnce struct {
	once sync.Once
	err  error
	log  string
}

// BuildTimeout bounds building one kernel image.
const BuildTimeout = 10 * time.Minute

// Build builds the kernel of arch's default board once per test binary.
func Build(t testing.TB, arch string) {
	t.Helper()
	BuildBoard(t, DefaultBoard(arch))
}

// BuildBoard builds the kernel of board once per test binary.
func BuildBoard(t testing.TB, board string) {
	t.Helper()
	v, _ := builds.LoadOrStore(board, &buildOnce{})
	b := v.(*buildOnce)
	b.once.Do(func() {
		root, err := RepoRoot()
		if err != nil {
			b.err = err
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), BuildTimeout)
		defer cancel()
		cmd := exec.CommandContext(ctx, "make", "-s", "--no-print-directory", "-C", root, "kernel", "BOARD="+board, "ARCH=")
		out, err := cmd.CombinedOutput()
		b.log, b.err = string(out), err
	})
	if b.err != nil {
		t.Fatalf("building the %s kernel failed: %v\n%s", board, b.err, b.log)
	}
}

// Boot builds the image if needed and boots it once.
func Boot(t testing.TB, r Run) *Result {
	t.Helper()
	board := r.board()
	RequireBoard(t, board)
	BuildBoard(t, board)
	res, err := r.start()
	if err != nil {
		t.Fatalf("qemu: %v", err)
	}
	t.Logf("%s boot %q: exit %d after %v", board, r.Cmdline, res.ExitCode, res.Elapsed.Round(time.Millisecond))
	if res.TimedOut {
		t.Fatalf("qemu: %s boot %q timed out after %v; console tail:\n%s", board, r.Cmdline, r.timeout(), res.Tail(40))
	}
	return res
}

// board is the board r boots.
func (r Run) board() string {
	if r.Board != "" {
		return r.Board
	}
	return DefaultBoard(r.Arch)
}

func (r Run) timeout() time.Duration {
	if r.Timeout == 0 {
		return DefaultTimeout
	}
	return r.Timeout
}

// start runs `make qemu` in its own process group, so that a timeout kills
// QEMU and not only make.
func (r Run) start() (*Result, error) {
	root, err := RepoRoot()
	if err != nil {
		return nil, err
	}
	// Build has made the image; NOBUILD=1 boots it as it is.
	args := []string{"-s", "--no-print-directory", "-C", root, "qemu", "NOBUILD=1", "BOARD=" + r.board(), "ARCH="}
	if !r.NoCmdline {
		args = append(args, "CMDLINE="+r.Cmdline)
	}
	if r.ICount {
		args = append(args, "ICOUNT=1")
	}
	args = append(args, r.Make...)
	cmd := exec.Command("make", args...)
	var out syncBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.Stdin = nil
	var stdin io.WriteCloser
	if r.Stdin != "" || len(r.Script) > 0 {
		if stdin, err = cmd.StdinPipe(); err != nil {
			return nil, err
		}
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	done := make(chan error, 1)
	exited := make(chan struct{})
	if stdin != nil {
		go func() {
			r.feed(stdin, &out, exited)
			<-exited
			stdin.Close()
		}()
	}
	go func() { err := cmd.Wait(); close(exited); done <- err }()
	res := &Result{}
	select {
	case err = <-done:
	case <-time.After(r.timeout()):
		res.TimedOut = true
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		err = <-done
	}
	res.Elapsed = time.Since(start)
	res.Console = out.String()
	res.ExitCode = 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		res.ExitCode = ee.ExitCode()
	} else if err != nil {
		return nil, err
	}
	return res, nil
}

// Tail returns the last n lines of the console.
func (res *Result) Tail(n int) string {
	lines := strings.Split(strings.TrimRight(res.Console, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// Expect checks that the console has a line matching each regular
// expression, in the given order, and fails the test with the console's tail
// if not.
func (res *Result) Expect(t testing.TB, patterns ...string) {
	t.Helper()
	if i, ok := res.match(patterns); !ok {
		t.Fatalf("console has no line matching %q (after the lines matching %q); console tail:\n%s",
			patterns[i], patterns[:i], res.Tail(40))
	}
}

// match returns the index of the first pattern not found, in order.
func (res *Result) match(patterns []string) (int, bool) {
	lines := strings.Split(res.Console, "\n")
	at := 0
	for i, p := range patterns {
		re := regexp.MustCompile(p)
		found := false
		for at < len(lines) {
			l := strings.TrimRight(lines[at], "\r")
			at++
			if re.MatchString(l) {
				found = true
				break
			}
		}
		if !found {
			return i, false
		}
	}
	return len(patterns), true
}

// Find returns the submatches of the first line matching pattern, or nil.
func (res *Result) Find(pattern string) []string {
	re := regexp.MustCompile(pattern)
	for _, l := range strings.Split(res.Console, "\n") {
		if m := re.FindStringSubmatch(strings.TrimRight(l, "\r")); m != nil {
			return m
		}
	}
	return nil
}

// ExpectExit checks QEMU's exit status: zero when ok is true, non-zero
// otherwise.
func (res *Result) ExpectExit(t testing.TB, ok bool) {
	t.Helper()
	if (res.ExitCode == 0) != ok {
		t.Fatalf("qemu exited with status %d, want %s; console tail:\n%s",
			res.ExitCode, map[bool]string{true: "0", false: "non-zero"}[ok], res.Tail(40))
	}
}
