package vm_test

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/tamach/tamach/pmap"
	"github.com/tamach/tamach/vm"
	"github.com/tamach/tamach/vm/vmtest"
)

// The conformance tables: one row per edge case of a Mach VM call, with
// the result XNU gives (and the XNU source or test that states it) and
// tamach's. Every row is a subtest, TestConformance/<call>/<row>, that
// runs the call on a fresh fixture and compares the code; rows that check
// more (data, region info, statistics) do it in their run function.
// docs/vm-conformance.md is generated from these tables:
//
//	go test ./vm -run TestConformanceDoc -vm.conformance.update
//
// and TestConformanceDoc fails when the document is out of date.

var updateConformance = flag.Bool("vm.conformance.update", false, "rewrite docs/vm-conformance.md and docs/vm-conformance-entries.md from the conformance tables")

// confRow is one edge case of one call.
type confRow struct {
	name string          // subtest name: short, no spaces
	what string          // the case, for the document
	xnu  vm.KernReturn   // XNU's result
	ref  string          // where XNU states it (file function, or test)
	want *vm.KernReturn  // tamach's result when it deliberately differs (nil: same as xnu)
	why  string          // why tamach differs (required with want)
	run  func(*fx) error // makes the call (and checks more if it wants)
}

// confCall is the table of one call.
type confCall struct {
	call string // vm_allocate, ...
	api  string // the Go method
	rows []confRow
}

// differs marks a row where tamach deliberately returns k instead.
func differs(k vm.KernReturn) *vm.KernReturn { return &k }

// confTables lists every table, in document order; each file adds its own.
var confTables []*confCall

func addTable(c *confCall) bool { confTables = append(confTables, c); return true }

// fx is the fixture a row runs on: map m with
//
//	base        8 pages read-write, page 2 read-only (max rwx), byte 1 at base
//	base+8p     2 pages unmapped (the hole)
//	base+10p    2 pages read-write
//
// and map other with 8 read-write pages at otherBase.
type fx struct {
	t        *testing.T
	env      *vmtest.Env
	m, other *vm.Map
	cpu      *vmtest.CPU
	ocpu     *vmtest.CPU
	extra    []func() // cleanups a row registers (memory entries, ...)
}

const (
	base      vm.VAddr = 0x100000
	hole      vm.VAddr = base + 8*page
	after     vm.VAddr = base + 10*page
	otherBase vm.VAddr = 0x200000
	lastPage  vm.VAddr = ^vm.VAddr(0) &^ (page - 1)
	userMax            = vmtest.UserMax
	roPage             = base + 2*page
)

func newFx(t *testing.T, o vmtest.Options) *fx {
	t.Helper()
	if o.PoolPages == 0 {
		o.PoolPages = 256
	}
	env := newEnv(t, o)
	f := &fx{t: t, env: env, m: newMap(t, env), other: newMap(t, env)}
	f.cpu, f.ocpu = env.CPU(f.m), env.CPU(f.other)
	f.must(f.m.Allocate(base, 8*page, vm.FlagsFixed))
	f.ok(f.m.Protect(roPage, page, false, vm.ProtRead))
	f.must(f.m.Allocate(after, 2*page, vm.FlagsFixed))
	f.must(f.other.Allocate(otherBase, 8*page, vm.FlagsFixed))
	f.ok(f.cpu.Store8(base, 1))
	return f
}

func (f *fx) must(_ vm.VAddr, err error) {
	f.t.Helper()
	if err != nil {
		f.t.Fatal(err)
	}
}

func (f *fx) ok(err error) {
	f.t.Helper()
	if err != nil {
		f.t.Fatal(err)
	}
}

// expect fails the row if cond is false.
func (f *fx) expect(cond bool, format string, args ...any) {
	f.t.Helper()
	if !cond {
		f.t.Errorf(format, args...)
	}
}

// region returns the region info at addr.
func (f *fx) region(m *vm.Map, addr vm.VAddr, flavor vm.RegionFlavor) vm.RegionInfo {
	f.t.Helper()
	ri, err := m.Region(addr, flavor)
	if err != nil {
		f.t.Fatalf("region at %v: %v", addr, err)
	}
	return ri
}

// mapped reports whether va is mapped in m.
func mapped(m *vm.Map, va vm.VAddr) bool { _, _, ok := m.Lookup(va); return ok }

// load reads the byte at va of m through a CPU.
func (f *fx) load(cpu *vmtest.CPU, va vm.VAddr) byte {
	f.t.Helper()
	b, err := cpu.Load8(va)
	if err != nil {
		f.t.Fatalf("load %v: %v", va, err)
	}
	return b
}

func (f *fx) close() {
	f.t.Helper()
	check(f.t, f.env)
	for _, c := range f.extra {
		c()
	}
	f.m.Destroy()
	f.other.Destroy()
	if err := f.env.CheckEmpty(); err != nil {
		f.t.Fatal(err)
	}
}

// TestConformance runs every row of every table.
func TestConformance(t *testing.T) {
	for _, c := range confTables {
		t.Run(c.call, func(t *testing.T) {
			seen := map[string]bool{}
			for _, r := range c.rows {
				if seen[r.name] || strings.ContainsAny(r.name, " /") {
					t.Fatalf("row name %q repeated or not a subtest name", r.name)
				}
				seen[r.name] = true
				if (r.want != nil) != (r.why != "") {
					t.Fatalf("row %s: a difference needs both want and why", r.name)
				}
				t.Run(r.name, func(t *testing.T) {
					f := newFx(t, vmtest.Options{})
					want := r.xnu
					if r.want != nil {
						want = *r.want
					}
					err := r.run(f)
					if got := vm.Code(err); got != want {
						t.Errorf("%s: got %v, want %v", r.what, got, want)
					}
					f.close()
				})
			}
		})
	}
}

// TestConformanceDoc checks that docs/vm-conformance.md lists the tables
// as they are (or rewrites it with -vm.conformance.update).
func TestConformanceDoc(t *testing.T) {
	const path = "../docs/vm-conformance.md"
	old, err := os.ReadFile(path)
	if err != nil && !*updateConformance {
		t.Fatal(err)
	}
	doc := confDoc(string(old))
	if *updateConformance {
		if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if doc != string(old) {
		t.Fatalf("%s is out of date: go test ./vm -run TestConformanceDoc -vm.conformance.update", path)
	}
}

const (
	genBegin   = "<!-- BEGIN GENERATED by go test ./vm -run TestConformanceDoc -vm.conformance.update -->"
	genEnd     = "<!-- END GENERATED -->"
	countBegin = "<!-- BEGIN COUNT (generated) -->"
	countEnd   = "<!-- END COUNT -->"
)

// confDoc replaces the generated part of the document (the count line and
// the tables) and keeps the hand-written text around it.
func confDoc(old string) string {
	var b bytes.Buffer
	rows, same := 0, 0
	for _, c := range confTables {
		for _, r := range c.rows {
			rows++
			if r.want == nil {
				same++
			}
		}
	}
	count := fmt.Sprintf("%s\n**%d rows, %d match XNU, %d differ on purpose** (each difference says why).\n%s\n",
		countBegin, rows, same, rows-same, countEnd)
	fmt.Fprintln(&b, genBegin)
	for _, c := range confTables {
		fmt.Fprintf(&b, "\n### %s (`%s`)\n\n", c.call, c.api)
		fmt.Fprintln(&b, "| row (`TestConformance/"+c.call+"/…`) | case | XNU | XNU source | tamach |")
		fmt.Fprintln(&b, "|---|---|---|---|---|")
		for _, r := range c.rows {
			tm := "same"
			if r.want != nil {
				tm = fmt.Sprintf("**%v**: %s", *r.want, r.why)
			}
			fmt.Fprintf(&b, "| `%s` | %s | %v | %s | %s |\n", r.name, esc(r.what), r.xnu, esc(r.ref), esc(tm))
		}
	}
	fmt.Fprintln(&b)
	fmt.Fprintln(&b, genEnd)
	doc := replaceBetween(old, genBegin, genEnd, b.String())
	return replaceBetween(doc, countBegin, countEnd, count)
}

// replaceBetween replaces the text from begin to end (and the newline
// after end) with with; it appends with if the markers are missing.
func replaceBetween(doc, begin, end, with string) string {
	i, j := strings.Index(doc, begin), strings.Index(doc, end)
	if i < 0 || j < i {
		return doc + "\n" + with
	}
	return doc[:i] + with + doc[j+len(end)+1:]
}

func esc(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

// pageOf is a page-aligned address as a plain number, for messages.
func pageOf(va vm.VAddr) uint64 { return uint64(va) &^ pmap.PageMask }

// The cache operations, for the rows that check them.
const (
	pmapFlushData        = pmap.CacheFlushData
	pmapSyncInstructions = pmap.CacheSyncInstructions
	pmapFlushAll         = pmap.CacheFlushAll
)
