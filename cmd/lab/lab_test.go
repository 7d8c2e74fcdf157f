//go:build !tamago

package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const sample = `package x

func f() int {
	// LAB demo: begin
	return 42
	// LAB demo: stub
	// panic("lab demo: not implemented: f")
	// LAB demo: end
}

func g() {
	if true {
		// LAB other: begin
		println("other")
		// LAB other: stub
		// panic("lab other: not implemented")
		// LAB other: end
	}
}
`

func TestCutOneLab(t *testing.T) {
	lines, n, err := cut("x.go", splitLines(sample), "demo")
	if err != nil || n != 1 {
		t.Fatalf("cut: %d regions, %v", n, err)
	}
	got := strings.Join(lines, "\n")
	if !strings.Contains(got, "\tpanic(\"lab demo: not implemented: f\")\n}") || strings.Contains(got, "return 42") {
		t.Fatalf("demo's solution not replaced by its stub:\n%s", got)
	}
	if !strings.Contains(got, "// LAB other: begin") || !strings.Contains(got, `println("other")`) {
		t.Fatalf("another lab's region was touched:\n%s", got)
	}
}

func TestBadRegions(t *testing.T) {
	for name, src := range map[string]string{
		"unclosed":     "// LAB a: begin\nx\n// LAB a: stub\n",
		"no stub":      "// LAB a: begin\nx\n// LAB a: end\n",
		"nested":       "// LAB a: begin\n// LAB b: begin\n",
		"mismatched":   "// LAB a: begin\nx\n// LAB a: stub\n// y\n// LAB b: end\n",
		"code in stub": "// LAB a: begin\nx\n// LAB a: stub\ny()\n// LAB a: end\n",
	} {
		if _, err := parseRegions(name, splitLines(src)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestUncomment(t *testing.T) {
	for in, want := range map[string]string{
		"\t// return nil": "\treturn nil",
		"\t\t//":          "",
		"// x // y":       "x // y",
		"\tcode()":        "\tcode()",
	} {
		if got := uncomment(in); got != want {
			t.Errorf("uncomment(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestVerdict(t *testing.T) {
	for name, c := range map[string]struct {
		out  string
		err  error
		want string
	}{
		"pass":    {"=== RUN   TestA\n--- PASS: TestA (0.00s)\nPASS\nok  x 0.1s\n", nil, ""},
		"none":    {"testing: warning: no tests to run\nPASS\nok  x 0.1s\n", nil, "no test ran"},
		"skip":    {"=== RUN   TestB\n--- SKIP: TestB (0.00s)\n    b_test.go:9: skip: QEMU missing\nPASS\n", nil, "skipped: b_test.go:9: skip: QEMU missing"},
		"fail":    {"--- FAIL: TestC (0.00s)\n    c_test.go:3: got 1, want 2\nFAIL\n", errors.New("exit status 1"), "test TestC failed: got 1, want 2"},
		"panic":   {"panic: lab cow: not implemented: copyOnWrite\n\ngoroutine 1\n", errors.New("exit status 2"), "panic: lab cow: not implemented: copyOnWrite"},
		"nobuild": {"vm/x.go:3:1: syntax error\n", errors.New("exit status 1"), "does not build: vm/x.go:3:1: syntax error"},
	} {
		if got := verdict(c.out, c.err); !strings.HasPrefix(got, c.want) || (c.want == "") != (got == "") {
			t.Errorf("%s: verdict %q, want %q", name, got, c.want)
		}
	}
}

// TestReferenceTree checks the regions and the lab table of this tree: every
// lab has regions, a handout and tests; every region is well formed.
func TestReferenceTree(t *testing.T) {
	root, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := checkTree(root); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, l := range labs {
		if seen[l.Name] || len(l.Tests) == 0 || l.points() == 0 {
			t.Errorf("lab %s: duplicate, or no tests", l.Name)
		}
		seen[l.Name] = true
		for _, n := range l.Needs {
			if _, ok := lookupLab(n); !ok {
				t.Errorf("lab %s needs unknown lab %s", l.Name, n)
			}
		}
		handout, err := os.ReadFile(filepath.Join(root, "docs", "labs", l.Name+".md"))
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range l.Tests {
			if tc.Boot != (tc.Pkg == "./qemu") {
				t.Errorf("lab %s test %s: boot tests are exactly those of ./qemu", l.Name, tc.Name)
			}
			if row := fmt.Sprintf("| `%s` | %d |", tc.Name, tc.Points); !strings.Contains(string(handout), row) {
				t.Errorf("docs/labs/%s.md: the grading table lacks the row %q", l.Name, row)
			}
		}
	}
}

// TestSkeletonsBuild writes each lab's student tree and checks that it
// builds and vets on the host: a stub must compile. (.ci/run also builds
// the kernels of each skeleton and grades it.)
func TestSkeletonsBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: not building every skeleton")
	}
	root, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range labs {
		t.Run(l.Name, func(t *testing.T) {
			if l.Name == skeletonOf(root) {
				t.Skip("this tree is that lab's skeleton")
			}
			dest := filepath.Join(t.TempDir(), l.Name)
			if _, err := skeleton(root, dest, &l); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command("go", "vet", "./...")
			cmd.Dir = dest
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("go vet in the %s skeleton: %v\n%s", l.Name, err, out)
			}
			data, err := os.ReadFile(filepath.Join(dest, "go.mod"))
			if err != nil || !strings.Contains(string(data), "module github.com/tamach/tamach") {
				t.Fatalf("the skeleton's go.mod: %v", err)
			}
		})
	}
}
