//go:build !tamago

package qemu

import (
	"context"
	"fmt"
	"os/exec"
	"testing"
	"time"
)

// Short fuzz runs for make test: a few seconds of make fuzz's boot on
// each architecture (docs/reliability.md, "Fuzzing"). make fuzz CALLS=N
// runs longer ones.
const (
	fuzzCalls = 6000
	fuzzSeed  = 1
)

// TestFuzz boots the fuzz task built for fuzzCalls calls as the one program
// of the command line: the kernel must survive (normal power-off, exit
// status 0), the task must make every call, and every vm frame and
// page-table frame the run took must be free again after it.
func TestFuzz(t *testing.T) {
	forEachArch(t, func(t *testing.T, arch string) {
		Require(t, arch)
		Build(t, arch)
		root, err := RepoRoot()
		if err != nil {
			t.Fatal(err)
		}
		vars := []string{"ARCH=" + arch, fmt.Sprintf("CALLS=%d", fuzzCalls), fmt.Sprintf("SEED=%d", fuzzSeed)}
		ctx, cancel := context.WithTimeout(context.Background(), BuildTimeout)
		defer cancel()
		if out, err := exec.CommandContext(ctx, "make", append([]string{"-s", "--no-print-directory", "-C", root, "fuzz-elf"}, vars...)...).CombinedOutput(); err != nil {
			t.Fatalf("make fuzz-elf: %v\n%s", err, out)
		}
		elf := fmt.Sprintf("build/%s/fuzz/fuzz-%d-%d.elf", arch, fuzzCalls, fuzzSeed)
		res := Boot(t, Run{Arch: arch, Cmdline: "cpulimit=60s", Timeout: 120 * time.Second, Make: []string{"RUN=" + elf}})
		res.Expect(t, `^cmdline: "cpulimit=60s run=fwcfg"$`,
			fmt.Sprintf(`^fuzz: seed %d, %d calls \(%s\)$`, fuzzSeed, fuzzCalls, arch),
			fmt.Sprintf(`^PASS fuzz: seed %d: %d calls from \d+ children and their forks: \d+ exited, \d+ killed$`, fuzzSeed, fuzzCalls),
			`^task run\[1\]: exit 0 after .*: as expected$`,
			`^frames: \d+ free after run, \d+ before; page-table frames: \d+ free after, \d+ before$`,
			`^end of command line: powering off$`)
		expectFramesBack(t, res, "run")
		if m := res.Find(`^FAIL `); m != nil {
			t.Errorf("%q; console tail:\n%s", m[0], res.Tail(40))
		}
		if m := res.Find(`^fuzz: (\d+) Linux calls, (\d+) Mach traps`); m != nil {
			t.Logf("%s: %s Linux calls, %s Mach traps; %s", arch, m[1], m[2], res.Find(`^task run\[1\]: (.*)$`)[1])
		}
		res.ExpectExit(t, true)
	})
}

// expectFramesBack checks the kernel's line after program name: the vm's
// free frames and the page-table frames after it equal their numbers before.
func expectFramesBack(t *testing.T, res *Result, name string) {
	t.Helper()
	m := res.Find(`^frames: (\d+) free after ` + name + `, (\d+) before; page-table frames: (\d+) free after, (\d+) before$`)
	if m == nil {
		t.Fatalf("no frames line after %s; console tail:\n%s", name, res.Tail(20))
	}
	if m[1] != m[2] || m[3] != m[4] {
		t.Errorf("after %s: vm frames %s free, %s before; page-table frames %s free, %s before: frames leaked", name, m[1], m[2], m[3], m[4])
	}
}
