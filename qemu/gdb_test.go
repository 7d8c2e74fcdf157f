//go:build !tamago

package qemu

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// gdbTimeout bounds one scripted gdb session, QEMU start to exit.
const gdbTimeout = 2 * time.Minute

// TestGDB follows docs/debugging.md: `make qemu-gdb` boots the kernel
// halted, and a scripted gdb-multiarch session breaks in the vm fault
// handler, continues until a task's first page fault reaches it, and prints
// the handler's arguments, a field of the task's map and the fault address
// the CPU recorded (CR2 on x86-64, FAR_EL1 on ARM64). The address handed to
// vm.(*Map).Fault must be the one the MMU reported.
func TestGDB(t *testing.T) {
	gdb, err := exec.LookPath("gdb-multiarch")
	if err != nil {
		t.Skip("skip: gdb test: gdb-multiarch is missing: run 'sudo scripts/deps.sh qemu'")
	}
	forEachArch(t, func(t *testing.T, arch string) {
		Require(t, arch)
		Build(t, arch)
		root, err := RepoRoot()
		if err != nil {
			t.Fatal(err)
		}
		elf, err := makeVar(root, "print-elf", DefaultBoard(arch))
		if err != nil {
			t.Fatalf("cannot ask the Makefile for the kernel ELF: %v", err)
		}
		faultReg := map[string]string{"amd64": "$cr2", "arm64": "$FAR_EL1"}[arch]
		out, console := gdbSession(t, gdb, root, arch, filepath.Join(root, elf), []string{
			"break 'github.com/tamach/tamach/vm.(*Map).Fault'",
			"continue",
			"bt 2",
			"print m.min",
			"print/x va",
			"print/x " + faultReg,
			"kill",
		})
		if t.Failed() {
			return
		}
		for _, want := range []string{
			`(?m)^Breakpoint 1 at 0x[0-9a-f]+: file .*/vm/fault\.go, line \d+\.$`,
			`(?m)^Breakpoint 1, github\.com/tamach/tamach/vm\.\(\*Map\)\.Fault \(m=0x[0-9a-f]+, va=\d+, access=\d`,
			`(?m)^#1 .* in github\.com/tamach/tamach/kernel/task\.\(\*Kernel\)\.pageFault `,
			`(?m)^\$1 = 4096$`, // Map.min: a task's map starts above page 0
		} {
			if !regexp.MustCompile(want).MatchString(out) {
				t.Errorf("gdb output lacks %s\ngdb:\n%s\nconsole tail:\n%s", want, out, lastLines(console, 10))
			}
		}
		m := regexp.MustCompile(`(?m)^\$2 = (0x[0-9a-f]+)\n\$3 = (0x[0-9a-f]+)$`).FindStringSubmatch(out)
		if m == nil {
			t.Fatalf("gdb did not print va and %s\ngdb:\n%s", faultReg, out)
		}
		if m[1] != m[2] {
			t.Errorf("vm.(*Map).Fault got va %s, but %s holds %s", m[1], faultReg, m[2])
		}
		t.Logf("%s: first task fault at %s, %s %s", arch, m[1], faultReg, m[2])
	})
}

// gdbSession boots arch's default board with `make qemu-gdb` on a free
// port, runs gdb in batch mode with the commands, and returns what gdb and
// the console printed.
func gdbSession(t *testing.T, gdb, root, arch, elf string, cmds []string) (gdbOut, console string) {
	t.Helper()
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), gdbTimeout)
	defer cancel()

	q := exec.Command("make", "-s", "--no-print-directory", "-C", root, "qemu-gdb", "NOBUILD=1",
		"BOARD="+DefaultBoard(arch), "ARCH=", "CMDLINE=run=hello", fmt.Sprintf("GDBPORT=%d", port))
	var qout bytes.Buffer
	q.Stdout, q.Stderr = &qout, &qout
	q.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := q.Start(); err != nil {
		t.Fatal(err)
	}
	qdone := make(chan error, 1)
	go func() { qdone <- q.Wait() }()
	exited := false
	defer func() { // never leave QEMU behind
		if !exited {
			syscall.Kill(-q.Process.Pid, syscall.SIGKILL)
			<-qdone
		}
	}()
	if err := waitListening(ctx, port, qdone); err != nil {
		t.Fatalf("qemu-gdb: %v\n%s", err, qout.String())
	}

	script := filepath.Join(t.TempDir(), "session.gdb")
	lines := append([]string{"set pagination off", "set confirm off",
		fmt.Sprintf("target remote 127.0.0.1:%d", port)}, cmds...)
	if err := os.WriteFile(script, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	g := exec.CommandContext(ctx, gdb, "-batch", "-nx", "-x", script, elf)
	out, err := g.CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("gdb session timed out after %v\ngdb:\n%s\nconsole:\n%s", gdbTimeout, out, lastLines(qout.String(), 20))
	}
	if err != nil {
		t.Errorf("gdb: %v", err)
	}
	select {
	case <-qdone:
		exited = true
	case <-time.After(10 * time.Second):
		t.Errorf("QEMU still runs 10 s after gdb's kill")
	}
	return string(out), qout.String()
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

// waitListening waits until QEMU's gdb stub accepts connections on port,
// QEMU exits, or ctx ends. QEMU's socket chardev accepts a new client after
// this probe disconnects.
func waitListening(ctx context.Context, port int, qdone chan error) error {
	for {
		c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), time.Second)
		if err == nil {
			c.Close()
			return nil
		}
		select {
		case err := <-qdone:
			qdone <- err // for the caller's wait
			return fmt.Errorf("QEMU exited before its gdb stub listened: %v", err)
		case <-ctx.Done():
			return fmt.Errorf("no gdb stub on port %d: %v", port, ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// lastLines returns the last n lines of s.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
