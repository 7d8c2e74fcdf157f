//go:build !tamago

package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"time"
)

// gradeOptions change how a lab is graded.
type gradeOptions struct {
	// HostOnly grades only the host tests (GRADE_HOST_ONLY=1): the boot
	// tests count as failed, with that reason. CI uses it for skeletons.
	HostOnly bool
}

// grade runs every test of lab l in the tree at root, one `go test` each so
// that a panic in one cannot take the others down, and prints
// "PASS name (points)" or "FAIL name (points): why" per test, then
// "score: N/M". It reports whether the score is full.
func grade(w io.Writer, root string, l *Lab, o gradeOptions) bool {
	fmt.Fprintf(w, "grading lab %s: %s\n", l.Name, l.Title)
	score, hostScore, hostPoints := 0, 0, 0
	for _, t := range l.Tests {
		if !t.Boot {
			hostPoints += t.Points
		}
		start := time.Now()
		why := ""
		if t.Boot && o.HostOnly {
			why = "not run: a boot test, and GRADE_HOST_ONLY is set"
		} else {
			why = runTest(root, t)
		}
		took := time.Since(start).Round(100 * time.Millisecond)
		if why == "" {
			score += t.Points
			if !t.Boot {
				hostScore += t.Points
			}
			fmt.Fprintf(w, "PASS %s (%d) [%v]\n", t.Name, t.Points, took)
		} else {
			fmt.Fprintf(w, "FAIL %s (%d): %s [%v]\n", t.Name, t.Points, why, took)
		}
	}
	if o.HostOnly {
		fmt.Fprintf(w, "host tests: %d/%d\n", hostScore, hostPoints)
	}
	fmt.Fprintf(w, "score: %d/%d\n", score, l.points())
	return score == l.points()
}

// runTest runs one test and returns "" if it passed, else one line saying
// why not.
func runTest(root string, t Test) string {
	timeout := t.Timeout
	if timeout == 0 {
		timeout = defaultTestTimeout
	}
	args := append([]string{"test", "-count=1", "-v", "-timeout", timeout.String(), "-run", t.Run, t.Pkg}, t.Args...)
	ctx, cancel := context.WithTimeout(context.Background(), timeout+30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GOFLAGS=")
	// Its own process group, so that a timeout also kills the QEMU a
	// boot test started.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if ctx.Err() != nil {
		return fmt.Sprintf("timed out after %v", timeout)
	}
	return verdict(out.String(), err)
}

var (
	passLine = regexp.MustCompile(`(?m)^\s*--- PASS: `)
	skipLine = regexp.MustCompile(`(?m)^\s*--- SKIP: .*\n\s*(.*)$`)
	failLine = regexp.MustCompile(`(?m)^\s*--- FAIL: (\S+)`)
	panicMsg = regexp.MustCompile(`(?m)^panic: (.*)$`)
	errLine  = regexp.MustCompile(`(?m)^\s+\S+_test\.go:\d+: (.*)$`)
	buildErr = regexp.MustCompile(`(?m)^(\S+\.go:\d+:\d+: .*)$`)
	// notImpl is a stub's message anywhere in the output, such as in the
	// console of a kernel a boot test booted.
	notImpl = regexp.MustCompile(`lab [a-z0-9-]+: not implemented[^"\n]*`)
)

// verdict reads go test's verbose output: "" when every selected test
// passed and at least one ran; a skip is a failure (a boot test that could
// not boot has not shown anything), and so is selecting no test at all.
func verdict(out string, err error) string {
	switch {
	case panicMsg.MatchString(out):
		msg, _, _ := strings.Cut(panicMsg.FindStringSubmatch(out)[1], " [recovered")
		return oneLine("panic: " + msg)
	case failLine.MatchString(out) && notImpl.MatchString(out):
		return oneLine("test " + failLine.FindStringSubmatch(out)[1] + " failed: " + notImpl.FindString(out))
	case failLine.MatchString(out):
		why := "test " + failLine.FindStringSubmatch(out)[1] + " failed"
		if m := errLine.FindStringSubmatch(out); m != nil {
			why += ": " + m[1]
		}
		return oneLine(why)
	case skipLine.MatchString(out):
		return oneLine("skipped: " + skipLine.FindStringSubmatch(out)[1])
	case err != nil && buildErr.MatchString(out):
		return oneLine("does not build: " + buildErr.FindStringSubmatch(out)[1])
	case err != nil:
		return oneLine(fmt.Sprintf("go test failed (%v): %s", err, lastLine(out)))
	case !passLine.MatchString(out):
		return "no test ran (the -run pattern selects nothing)"
	}
	return ""
}

// oneLine shortens s to one line of at most 200 bytes.
func oneLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	s = strings.TrimSpace(s)
	if len(s) > 200 {
		s = s[:197] + "..."
	}
	return s
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}
