//go:build !tamago

package qemu

import (
	"context"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestCount runs make count on the null system call of tasks/bench: every
// counted trap is one whole system call, in the same number of kernel
// instructions each time (interrupts are masked while the stub steps), and
// the table by function adds up to that number and names the handler and
// the trampoline.
func TestCount(t *testing.T) {
	forEachArch(t, func(t *testing.T, arch string) {
		Require(t, arch)
		Build(t, arch)
		root, err := RepoRoot()
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		// The bench's null loop makes 3,200 calls; 1,500 in is inside it.
		cmd := exec.CommandContext(ctx, "make", "-s", "--no-print-directory", "-C", root, "count", "NOBUILD=1",
			"BOARD="+DefaultBoard(arch), "ARCH=", "RUN=bench", "AT=kernel/task.(*Kernel).syscall", "SKIP=1500", "N=2")
		out, err := cmd.CombinedOutput()
		if ctx.Err() != nil {
			t.Fatalf("make count timed out\n%s", out)
		}
		if err != nil {
			t.Fatalf("make count: %v\n%s", err, out)
		}
		text := string(out)
		traps := regexp.MustCompile(`(?m)^trap (\d): (\d+) instructions in user mode, then (\d+) in the kernel$`).FindAllStringSubmatch(text, -1)
		if len(traps) != 2 {
			t.Fatalf("want 2 trap lines:\n%s", text)
		}
		if traps[0][2] != traps[1][2] || traps[0][3] != traps[1][3] {
			t.Errorf("two null system calls counted differently:\n%s", text)
		}
		total := regexp.MustCompile(`(?m)^ +([0-9.]+)  total$`).FindStringSubmatch(text)
		if total == nil || total[1] != traps[0][3]+".0" {
			t.Errorf("the table's total is not the trap's %s instructions:\n%s", traps[0][3], text)
		}
		sum := 0.0
		for _, l := range strings.Split(text, "\n") {
			f := strings.Fields(l)
			if len(f) >= 2 && f[len(f)-1] != "total" {
				if v, err := strconv.ParseFloat(f[0], 64); err == nil {
					sum += v
				}
			}
		}
		if want, _ := strconv.ParseFloat(traps[0][3], 64); sum != want {
			t.Errorf("the functions add up to %v, not %v:\n%s", sum, want, text)
		}
		for _, want := range []string{`kernel/task.(*Kernel).syscall`, `(trampoline: its upper-half mapping)`, `.(*Machine).Run`} {
			if !strings.Contains(text, want) {
				t.Errorf("no %s in:\n%s", want, text)
			}
		}
		t.Logf("%s: a null system call is %s instructions in the kernel", arch, traps[0][3])
	})
}
