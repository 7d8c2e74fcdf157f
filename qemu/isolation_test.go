//go:build !tamago

package qemu

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// isolationChecks are the checks tasks/isolation prints a line for, in
// order (docs/reliability.md, "Isolation").
var isolationChecks = []string{
	"linux-efault", "mach-invalid-address", "mach-result-pointers", "no-map-kernel",
	"no-protect-kernel", "regions-user-only", "touch-kills", "max-protection",
	"fork-parent-to-child", "fork-child-to-parent", "fork-frames-private",
}

// isolationTouches is how many children touch-kills makes: a read, a write
// and a jump at each kernel address of the architecture's list.
var isolationTouches = map[string]int{"amd64": 3 * 6, "arm64": 3 * 5}

// TestIsolation runs tasks/isolation: every check passes, each child that
// touches a kernel address is killed with the kernel's report naming that
// address, and every frame comes back after the program.
func TestIsolation(t *testing.T) {
	forEachArch(t, func(t *testing.T, arch string) {
		res := Boot(t, Run{Arch: arch, Cmdline: "run=isolation"})
		var want []string
		for _, c := range isolationChecks {
			want = append(want, fmt.Sprintf(`^PASS isolation: %s$`, c))
		}
		want = append(want, `^task isolation\[1\]: exit 0 after .*: as expected$`,
			`^frames: \d+ free after isolation, \d+ before; `, `^end of command line: powering off$`)
		res.Expect(t, want...)
		if m := res.Find(`^FAIL isolation: .*`); m != nil {
			t.Errorf("%s", m[0])
		}
		kills := 0
		for _, l := range splitLines(res.Console) {
			if isolationKill.MatchString(l) {
				kills++
			}
		}
		if kills != isolationTouches[arch] {
			t.Errorf("%d kill reports for kernel addresses, want %d; console tail:\n%s", kills, isolationTouches[arch], res.Tail(40))
		}
		expectFramesBack(t, res, "isolation")
		res.ExpectExit(t, true)
	})
}

// isolationKill is the kernel's report of a child of tasks/isolation killed
// for touching a kernel address (the upper half, or the first addresses
// past the user range).
var isolationKill = regexp.MustCompile(`^task isolation\[\d+\]: killed: page fault at pc 0x[0-9a-f]+, address 0x(ffff[0-9a-f]{12}|7ffffffff000|1000000000000), (read|write|execute): KERN_(INVALID_ADDRESS|PROTECTION_FAILURE)`)

func splitLines(s string) []string { return strings.Split(strings.ReplaceAll(s, "\r", ""), "\n") }
