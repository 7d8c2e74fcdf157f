package vm_test

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/tamach/tamach/vm"
	"github.com/tamach/tamach/vm/vmtest"
)

// Conformance of the memory-entry, map, remap and purgeable calls with XNU
// (issue 11). Every row of docs/vm-conformance-entries.md is one case of
// TestConformanceEntries, named TestConformanceEntries/<call>/<row>; the
// tables of that document are made from the rows below, and the test fails
// if the document does not show them as they are (rerun with
// -vm.conformance.update to rewrite it).

// The tables are rewritten with the flag of conformance_test.go,
// -vm.conformance.update, which rewrites both documents.

const entriesDoc = "../docs/vm-conformance-entries.md"

// entryRow is one edge case of one call.
type entryRow struct {
	name string // subtest name, also the row's name in the document
	what string // the case
	xnu  string // what XNU returns
	cite string // the XNU file and function (or test) that says so
	// differs, when set, says why tamach deliberately returns tamach
	// instead of xnu.
	differs, tamach string
	run             func(t *testing.T, c *entryEnv) string
}

// entryCall is a call and its rows.
type entryCall struct {
	name  string // the XNU call
	api   string // the Go method
	about string // a sentence before the table
	rows  []entryRow
}

// entryCalls lists the calls, in the document's order; each
// conformance_*_test.go file adds its own in an init function.
var entryCalls []*entryCall

// entryEnv is a fresh vm system with one user map for a row.
type entryEnv struct {
	env *vmtest.Env
	m   *vm.Map
}

func newEntryEnv(t *testing.T) *entryEnv {
	t.Helper()
	env := newEnv(t, vmtest.Options{PoolPages: 96, TablePages: 96, DefaultPage: true})
	return &entryEnv{env: env, m: newMap(t, env)}
}

// alloc allocates n pages anywhere with flags and writes byte i+1 at the
// start of page i, so that every page has an object and distinct data.
func (c *entryEnv) alloc(t *testing.T, n int, flags vm.Flags) vm.VAddr {
	t.Helper()
	a, err := c.m.Allocate(0, uint64(n)*page, vm.FlagsAnywhere|flags)
	if err != nil {
		t.Fatal(err)
	}
	cpu := c.env.CPU(c.m)
	for i := 0; i < n; i++ {
		if err := cpu.Store8(a+vm.VAddr(i)*page, byte(i+1)); err != nil {
			t.Fatal(err)
		}
	}
	return a
}

// load reads the byte at va of m.
func (c *entryEnv) load(t *testing.T, m *vm.Map, va vm.VAddr) byte {
	t.Helper()
	v, err := c.env.CPU(m).Load8(va)
	if err != nil {
		t.Fatalf("load %v: %v", va, err)
	}
	return v
}

// store writes v at va of m.
func (c *entryEnv) store(t *testing.T, m *vm.Map, va vm.VAddr, v byte) {
	t.Helper()
	if err := c.env.CPU(m).Store8(va, v); err != nil {
		t.Fatalf("store %v: %v", va, err)
	}
}

// region reports the range, protections and inheritance of the entry at va.
func (c *entryEnv) region(t *testing.T, va vm.VAddr) string {
	t.Helper()
	ri, err := c.m.Region(va, vm.FlavorBasicInfo64)
	if err != nil {
		t.Fatalf("region %v: %v", va, err)
	}
	return fmt.Sprintf("%d pages %v/%v %s", ri.Size/page, ri.Basic.Protection, ri.Basic.MaxProtection,
		inheritName(ri.Basic.Inheritance))
}

func inheritName(i vm.Inherit) string {
	return map[vm.Inherit]string{vm.InheritShare: "share", vm.InheritCopy: "copy",
		vm.InheritNone: "none", vm.InheritDonateCopy: "donate-copy"}[i]
}

// kr names the code of err.
func kr(err error) string { return vm.Code(err).String() }

// TestConformanceEntries runs every row and checks the document.
func TestConformanceEntries(t *testing.T) {
	for _, call := range entryCalls {
		t.Run(call.name, func(t *testing.T) {
			for _, r := range call.rows {
				t.Run(r.name, func(t *testing.T) {
					want := r.xnu
					if r.differs != "" {
						want = r.tamach
					}
					c := newEntryEnv(t)
					if got := r.run(t, c); got != want {
						t.Errorf("%s: got %q, want %q (XNU: %q)", r.what, got, want, r.xnu)
					}
					if err := c.env.Check(); err != nil {
						t.Fatal(err)
					}
					c.m.Destroy()
				})
			}
		})
	}
	t.Run("document", checkConformanceDoc)
}

// Markers around the generated parts of the document.
const (
	entriesCountBegin  = "<!-- conformance:count -->"
	entriesCountEnd    = "<!-- /conformance:count -->"
	entriesTablesBegin = "<!-- conformance:tables -->"
	entriesTablesEnd   = "<!-- /conformance:tables -->"
)

// checkConformanceDoc compares the generated parts of the document with
// the rows, or rewrites them with -vm.conformance.update.
func checkConformanceDoc(t *testing.T) {
	doc, err := os.ReadFile(entriesDoc)
	if err != nil {
		t.Fatal(err)
	}
	text := string(doc)
	text, err = replaceEntriesBetween(text, entriesCountBegin, entriesCountEnd, conformanceCount())
	if err != nil {
		t.Fatal(err)
	}
	text, err = replaceEntriesBetween(text, entriesTablesBegin, entriesTablesEnd, conformanceTables())
	if err != nil {
		t.Fatal(err)
	}
	if text == string(doc) {
		return
	}
	if *updateConformance {
		if err := os.WriteFile(entriesDoc, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("%s does not show the conformance rows as they are: go test ./vm -run TestConformanceEntries -vm.conformance.update", entriesDoc)
}

func replaceEntriesBetween(text, begin, end, body string) (string, error) {
	i, j := strings.Index(text, begin), strings.Index(text, end)
	if i < 0 || j < i {
		return "", fmt.Errorf("%s: no %s ... %s", entriesDoc, begin, end)
	}
	return text[:i+len(begin)] + "\n" + body + text[j:], nil
}

func conformanceCount() string {
	rows, match := 0, 0
	for _, call := range entryCalls {
		for _, r := range call.rows {
			rows++
			if r.differs == "" {
				match++
			}
		}
	}
	return fmt.Sprintf("**%d rows; %d match XNU, %d differ on purpose.**\n", rows, match, rows-match)
}

func conformanceTables() string {
	var b strings.Builder
	for _, call := range entryCalls {
		fmt.Fprintf(&b, "\n### %s (`%s`)\n\n%s\n\n", call.name, call.api, call.about)
		b.WriteString("| row | case | XNU | source | tamach |\n|---|---|---|---|---|\n")
		for _, r := range call.rows {
			tm := "same"
			if r.differs != "" {
				tm = fmt.Sprintf("**%s**: %s", r.tamach, r.differs)
			}
			fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s |\n", r.name, r.what, r.xnu, r.cite, tm)
		}
	}
	b.WriteString("\n")
	return b.String()
}
