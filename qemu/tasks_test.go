//go:build !tamago

package qemu

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// tasksTimeout bounds a boot that runs the bundled tasks: the vmtests
// program alone touches 64 MiB and forks a dozen children under TCG.
const tasksTimeout = 180 * time.Second

// requireTasks skips when the Makefile does not build the task bundle
// (it must include tasks/tasks.mk).
func requireTasks(t *testing.T) {
	t.Helper()
	root, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	mk, err := os.ReadFile(filepath.Join(root, "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(mk), "tasks/tasks.mk") {
		t.Skip("skip: the Makefile does not include tasks/tasks.mk, so the kernel has no task programs")
	}
}

// TestTasks runs every bundled task program: each prints PASS lines and
// ends as it should (segv killed by SIGSEGV, the others with exit 0).
func TestTasks(t *testing.T) {
	requireTasks(t)
	forEachArch(t, func(t *testing.T, arch string) {
		res := Boot(t, Run{Arch: arch, Cmdline: "tasks", Timeout: tasksTimeout})
		res.Expect(t,
			`^PASS bench: null system call \d+ ns, zero-fill page fault \d+ ns`,
			`^PASS fuzz: 24 children x 400 calls: \d+ exited, \d+ killed$`,
			`^task fuzz\[\d+\]: exit 0 after .*: as expected$`,
			`^PASS hello$`,
			`^task segv\[\d+\]: killed: page fault at pc 0x[0-9a-f]+, address 0x10, read: KERN_INVALID_ADDRESS: [0-9a-f ]+  (mov|ldr) `,
			`^task segv\[\d+\]: killed by signal 11 after .*: as expected$`,
			`^PASS exit-status$`, `^PASS heap-zero-fill$`, `^PASS stack-growth$`, `^PASS fork-cow$`,
			`^task vmtests\[\d+\]: killed: page fault at pc 0x[0-9a-f]+, address 0x[0-9a-f]+, write: KERN_PROTECTION_FAILURE: `,
			`^PASS protect-kill$`,
			`^task vmtests\[\d+\]: killed: page fault at pc (0x[0-9a-f]+), address 0x[0-9a-f]+, execute: KERN_PROTECTION_FAILURE: [0-9a-f ]+  ret`,
			`^PASS exec-nx$`, `^PASS unmapped$`, `^PASS share-inherit$`, `^PASS memory-entry$`,
			`^PASS copy-read-write$`, `^PASS wire$`, `^PASS dealloc-frees$`,
			`^task vmtests\[\d+\]: exit 0 after .*: as expected$`,
			`^tasks: PASS$`, `^end of command line: powering off$`)
		if res.Find(`^FAIL `) != nil {
			t.Errorf("a task printed FAIL; console tail:\n%s", res.Tail(60))
		}
		res.ExpectExit(t, true)
	})
}

// TestRunKilledTaskExitsNonZero: run=segv ends QEMU with the killed task's
// status, 128 + SIGSEGV.
func TestRunKilledTaskExitsNonZero(t *testing.T) {
	requireTasks(t)
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
	requireTasks(t)
	forEachArch(t, func(t *testing.T, arch string) {
		res := Boot(t, Run{Arch: arch, Make: []string{"RUN=build/" + arch + "/tasks/hello.elf"}})
		res.Expect(t, `^cmdline: "run=fwcfg"$`, `^PASS hello$`, `^task run\[1\]: exit 0 after `, `^end of command line: powering off$`)
		res.ExpectExit(t, true)
	})
}

// TestTaskNumbers measures a null system call and a zero-fill fault in
// guest instructions (-icount shift=0).
func TestTaskNumbers(t *testing.T) {
	requireTasks(t)
	forEachArch(t, func(t *testing.T, arch string) {
		res := Boot(t, Run{Arch: arch, Cmdline: "run=bench", ICount: true})
		m := res.Find(`^PASS bench: null system call (\d+) ns, zero-fill page fault (\d+) ns`)
		if m == nil {
			t.Fatalf("no bench line; console tail:\n%s", res.Tail(20))
		}
		t.Logf("%s: null system call %s instructions, zero-fill page fault %s instructions", arch, m[1], m[2])
		res.ExpectExit(t, true)
	})
}
