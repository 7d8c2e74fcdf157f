//go:build !tamago

package qemu

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// tasksTimeout bounds a boot that runs the bundled tasks: the vmtests
// program alone touches 64 MiB and forks a dozen children under TCG.
const tasksTimeout = 180 * time.Second

// tasksLines are what running every bundled task program prints, in
// order, on any board.
var tasksLines = []string{
	`^PASS bench: null system call \d+ ns, zero-fill page fault \d+ ns`,
	`^PASS bench: copy-on-write fault \d+ ns; fork with 1 MiB written: `,
	`^PASS bench: allocate\+deallocate of a page \d+ ns, protect of 1 MiB \d+ ns$`,
	`^PASS fpu-fork: the child runs with the parent's rounding mode `,
	`^fuzz: seed 1, 5000 calls \((amd64|arm64)\)$`,
	`^PASS fuzz: seed 1: 5000 calls from \d+ children and their forks: \d+ exited, \d+ killed$`,
	`^task fuzz\[\d+\]: exit 0 after .*: as expected$`,
	`^frames: \d+ free after fuzz, \d+ before; `,
	`^PASS hello$`,
	`^PASS isolation: linux-efault$`, `^PASS isolation: touch-kills$`, `^PASS isolation: fork-frames-private$`,
	`^task isolation\[\d+\]: exit 0 after .*: as expected$`,
	`^task segv\[\d+\]: killed: page fault at pc 0x[0-9a-f]+, address 0x10, read: KERN_INVALID_ADDRESS: [0-9a-f ]+  (mov|ldr) `,
	`^task segv\[\d+\]: killed by signal 11 after .*: as expected$`,
	`^PASS exit-status$`, `^PASS heap-zero-fill$`, `^PASS stack-growth$`, `^PASS fork-cow$`,
	`^task vmtests\[\d+\]: killed: page fault at pc 0x[0-9a-f]+, address 0x[0-9a-f]+, write: KERN_PROTECTION_FAILURE: `,
	`^PASS protect-kill$`,
	`^task vmtests\[\d+\]: killed: page fault at pc (0x[0-9a-f]+), address 0x[0-9a-f]+, execute: KERN_PROTECTION_FAILURE: [0-9a-f ]+  ret`,
	`^PASS exec-nx$`, `^PASS unmapped$`, `^PASS share-inherit$`, `^PASS preempt-syscalls$`, `^PASS memory-entry$`,
	`^PASS copy-read-write$`, `^PASS wire$`, `^PASS dealloc-frees$`,
	// The other vm calls (tasks/vmtests/machvm.go), one line per call.
	`^PASS vm-remap$`, `^PASS vm-remap-new$`, `^PASS vm-map-return-data-addr$`,
	`^PASS vm-msync$`, `^PASS vm-behavior-set$`, `^PASS vm-purgable-control$`,
	`^PASS memory-entry-purgable-control$`, `^PASS task-purgable-info$`,
	`^PASS vm-machine-attribute$`, `^PASS vm-read-overwrite$`, `^PASS vm-read-list$`,
	`^PASS vm-region-recurse$`, `^PASS vm-page-range-query$`, `^PASS vm-page-info$`,
	`^task vmtests\[\d+\]: exit 0 after .*: as expected$`,
	`^tasks: PASS$`, `^end of command line: powering off$`,
}

// TestTasks runs every bundled task program: each prints PASS lines and
// ends as it should (segv killed by SIGSEGV, the others with exit 0).
func TestTasks(t *testing.T) {
	forEachArch(t, func(t *testing.T, arch string) {
		res := Boot(t, Run{Arch: arch, Cmdline: "tasks", Timeout: tasksTimeout})
		res.Expect(t, tasksLines...)
		if res.Find(`^FAIL `) != nil {
			t.Errorf("a task printed FAIL; console tail:\n%s", res.Tail(60))
		}
		expectFramesBack(t, res, "fuzz")
		expectFramesBack(t, res, "vmtests")
		res.ExpectExit(t, true)
	})
}

// TestRunKilledTaskExitsNonZero: run=segv ends QEMU with the killed task's
// status, 128 + SIGSEGV.
func TestRunKilledTaskExitsNonZero(t *testing.T) {
	forEachArch(t, func(t *testing.T, arch string) {
		res := Boot(t, Run{Arch: arch, Cmdline: "run=segv"})
		res.Expect(t, `^segv: reading address 0x10$`,
			`^task segv\[1\]: killed: page fault at pc 0x[0-9a-f]+, address 0x10, read: KERN_INVALID_ADDRESS: `,
			`^run: exiting with the task's status 139$`)
		res.ExpectExit(t, false)
	})
}

// TestRunELFFromFwCfg: make qemu RUN=file runs an ELF the kernel was not
// built with, read from fw_cfg.
func TestRunELFFromFwCfg(t *testing.T) {
	forEachArch(t, func(t *testing.T, arch string) {
		res := Boot(t, Run{Arch: arch, Make: []string{"RUN=build/" + arch + "/tasks/hello.elf"}})
		res.Expect(t, `^cmdline: "run=fwcfg"$`, `^PASS hello$`, `^task run\[1\]: exit 0 after `, `^end of command line: powering off$`)
		res.ExpectExit(t, true)
	})
}

// TestTaskNumbers measures, in guest instructions (-icount shift=0), a
// null system call, a zero-fill and a copy-on-write fault, and task_fork
// with 1 MiB and 64 MiB written (to the child running, to the parent
// resuming).
func TestTaskNumbers(t *testing.T) {
	forEachArch(t, func(t *testing.T, arch string) {
		res := Boot(t, Run{Arch: arch, Cmdline: "run=bench", ICount: true})
		m := res.Find(`^PASS bench: null system call (\d+) ns, zero-fill page fault (\d+) ns`)
		f := res.Find(`^PASS bench: copy-on-write fault (\d+) ns; fork with 1 MiB written: child runs after (\d+) ns, parent resumes after (\d+) ns; with 64 MiB: (\d+) ns, (\d+) ns$`)
		v := res.Find(`^PASS bench: allocate\+deallocate of a page (\d+) ns, protect of 1 MiB (\d+) ns$`)
		if m == nil || f == nil || v == nil {
			t.Fatalf("no bench lines; console tail:\n%s", res.Tail(20))
		}
		t.Logf("%s: vm_allocate+vm_deallocate %s instructions, vm_protect of 1 MiB %s", arch, v[1], v[2])
		t.Logf("%s: null system call %s instructions, zero-fill page fault %s, copy-on-write fault %s", arch, m[1], m[2], f[1])
		t.Logf("%s: fork with 1 MiB written: child runs after %s instructions, parent resumes after %s; with 64 MiB: %s, %s", arch, f[2], f[3], f[4], f[5])
		res.ExpectExit(t, true)
	})
}

// stdtestsTimeout bounds one boot that runs a standard library test binary
// (regexp's, the slowest, takes about 9 s under TCG).
const stdtestsTimeout = 90 * time.Second

var made sync.Map // "target arch" -> *buildOnce

// makeOnce runs `make target ARCH=arch` once per test binary (the results
// stay in build/<arch>/ for the boots that follow).
func makeOnce(t *testing.T, target, arch string) {
	t.Helper()
	v, _ := made.LoadOrStore(target+" "+arch, &buildOnce{})
	b := v.(*buildOnce)
	b.once.Do(func() {
		root, err := RepoRoot()
		if err != nil {
			b.err = err
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), BuildTimeout)
		defer cancel()
		out, err := exec.CommandContext(ctx, "make", "-s", "--no-print-directory", "-C", root, target, "ARCH="+arch).CombinedOutput()
		b.log, b.err = string(out), err
	})
	if b.err != nil {
		t.Fatalf("make %s ARCH=%s failed: %v\n%s", target, arch, b.err, b.log)
	}
}

// stdtestFiles lists the standard library packages make stdtests builds and
// the files they are built into, relative to the repository.
func stdtestFiles(t *testing.T, arch string) (pkgs, files []string) {
	t.Helper()
	root, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	list, err := makeVar(root, "print-stdtests", DefaultBoard(arch))
	if err != nil || list == "" {
		t.Fatalf("cannot ask the Makefile for the standard library tests (make print-stdtests): %v", err)
	}
	for _, p := range strings.Fields(list) {
		pkgs = append(pkgs, p)
		files = append(files, filepath.Join("build", arch, "stdtests", strings.ReplaceAll(p, "/", "-")+".test"))
	}
	return pkgs, files
}

// TestStdTests runs Go standard library test binaries, built unmodified
// with `go test -c` for GOOS=tamago, as tasks: each must print PASS and exit
// 0, as it does as a Linux process.
func TestStdTests(t *testing.T) {
	forEachArch(t, func(t *testing.T, arch string) {
		Require(t, arch)
		Build(t, arch)
		makeOnce(t, "stdtests", arch)
		pkgs, files := stdtestFiles(t, arch)
		for i, p := range pkgs {
			t.Run(strings.ReplaceAll(p, "/", "-"), func(t *testing.T) {
				res := Boot(t, Run{Arch: arch, Timeout: stdtestsTimeout, Make: []string{"RUN=" + files[i]}})
				res.Expect(t, `^cmdline: "run=fwcfg"$`, `^PASS$`, `^task run\[1\]: exit 0 after `, `^end of command line: powering off$`)
				if m := res.Find(`^(FAIL|--- FAIL|panic:)`); m != nil {
					t.Fatalf("%s printed %q; console tail:\n%s", p, m[0], res.Tail(40))
				}
				res.ExpectExit(t, true)
			})
		}
	})
}

// taskOutput is the console of a `make qemu RUN=file` boot from the command
// line to the kernel's line about the task's end: the kernel's lines about
// the vm system (pool, pager), then what the task printed.
func taskOutput(t *testing.T, res *Result) string {
	t.Helper()
	_, after, ok := strings.Cut(res.Console, "cmdline: \"run=fwcfg\"\n")
	if !ok {
		t.Fatalf("no cmdline line; console tail:\n%s", res.Tail(20))
	}
	i := strings.Index(after, "task run[1]: ")
	if i < 0 {
		t.Fatalf("no line about the task's end; console tail:\n%s", res.Tail(20))
	}
	// The kernel's own line about when the load began (make bench reads
	// it) comes between the task's output and its end: leave it out.
	var out strings.Builder
	for _, l := range strings.SplitAfter(after[:i], "\n") {
		if !strings.HasPrefix(l, "clock: load of ") {
			out.WriteString(l)
		}
	}
	return out.String()
}

// TestTaskBinariesRunOnLinux checks the claim that a task binary is a Linux
// program: the amd64 builds of tasks/hello and of the sort package's test
// run on this host as processes, exit 0 and print exactly what they print
// as tamach tasks.
func TestTaskBinariesRunOnLinux(t *testing.T) {
	if runtime.GOOS != "linux" || runtime.GOARCH != "amd64" {
		t.Skipf("skip: amd64 task binaries run as processes only on linux/amd64, not %s/%s", runtime.GOOS, runtime.GOARCH)
	}
	Require(t, "amd64")
	Build(t, "amd64")
	makeOnce(t, "stdtests", "amd64")
	root, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"build/amd64/tasks/hello.elf", "build/amd64/stdtests/sort.test"} {
		t.Run(filepath.Base(f), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, filepath.Join(root, f))
			cmd.Env = []string{}
			linux, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("%s as a Linux process: %v\n%s", f, err, linux)
			}
			res := Boot(t, Run{Arch: "amd64", Timeout: stdtestsTimeout, Make: []string{"RUN=" + f}})
			res.ExpectExit(t, true)
			// The task's lines come last, right before the kernel's
			// line about its end, and follow a whole line.
			if tamach := taskOutput(t, res); len(linux) == 0 || !strings.HasSuffix("\n"+tamach, "\n"+string(linux)) {
				t.Fatalf("%s printed %q on Linux but tamach's console before the task's end is %q", f, linux, tamach)
			}
			t.Logf("%s: %q on Linux and on tamach", f, linux)
		})
	}
}

// TestBenchTable boots what make bench boots (run=bench, then pool=8M
// run=pressure, both under -icount from the kernel's bundled copies) and
// checks that cmd/benchtable makes a whole table of their consoles: every
// row, each a positive number. The figures are reported, not judged.
func TestBenchTable(t *testing.T) {
	forEachArch(t, func(t *testing.T, arch string) {
		dir := t.TempDir()
		var logs []string
		for i, cmdline := range []string{"run=bench", "pool=8M run=pressure"} {
			res := Boot(t, Run{Arch: arch, Cmdline: cmdline, ICount: true, Make: []string{"PROGRAMS="}, Timeout: pagerTimeout})
			res.ExpectExit(t, true)
			log := filepath.Join(dir, fmt.Sprintf("%d.log", i))
			if err := os.WriteFile(log, []byte(res.Console), 0o644); err != nil {
				t.Fatal(err)
			}
			logs = append(logs, log)
		}
		root, err := RepoRoot()
		if err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command("go", "run", "./cmd/benchtable", "-arch", arch, "-tamach", strings.Join(logs, ","))
		cmd.Dir = root
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("benchtable: %v\n%s", err, out)
		}
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		cell := regexp.MustCompile(`  +([0-9,]+)$`)
		for _, l := range lines[2 : len(lines)-1] { // title, header; footnote
			m := cell.FindStringSubmatch(l)
			if m == nil || strings.Trim(m[1], "0,") == "" {
				t.Errorf("row without a positive figure: %q", l)
			}
		}
		if len(lines) < 3 {
			t.Errorf("no rows:\n%s", out)
		}
		t.Logf("%s:\n%s", arch, out)
	})
}
