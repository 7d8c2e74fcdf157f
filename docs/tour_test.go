//go:build !tamago

// Package docs holds tamach's documentation. Its test keeps the pages honest
// about the code they name:
//
//   - In tour.md, every backquoted `dir/file.go` (also .s, .h) is a path from
//     the repository root and must exist, and every backquoted
//     `dir/file.go:Name` must name something declared in that file: a
//     function, a method or field as Type.Name, a type, a constant, a
//     variable, or in assembly a TEXT symbol, a label or a #define. <arch>
//     in a path stands for both amd64 and arm64; a path with any other
//     <placeholder> is not checked.
//   - In every page of docs/, the same references are checked when they
//     start with a directory of this repository (a path such as
//     runtime/goos/... names another project's file and is left alone),
//     and every relative Markdown link must lead to a file.
package docs

import (
	"bytes"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// root is the repository root, seen from docs/.
const root = ".."

var (
	// span is one backquoted span of Markdown.
	span = regexp.MustCompile("`([^`\n]+)`")
	// ref is a file reference: path, then :Name or :Type.Name.
	ref = regexp.MustCompile(`^([A-Za-z0-9_.<>/-]+\.(?:go|s|h))(?::([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)?))?$`)
	// link is the target of a Markdown link.
	link = regexp.MustCompile(`\]\(([^)#\s]+)(?:#[^)]*)?\)`)
)

// foreign are paths that start like one of this repository's directories but
// name another project's file.
var foreign = map[string]bool{
	"cmd/link/internal/ld/elf.go": true, // the TamaGo Go distribution's linker (boot-amd64.md)
	"vm/pmap.h":                   true, // GNU Mach's pmap interface (pmap.md)
}

// fileRef is one reference found in a page.
type fileRef struct {
	text string // the span, as written
	path string // from the repository root, <arch> expanded
	name string // "" for the file alone
}

// refs returns the file references of page, <arch> expanded. With
// ownOnly, only paths under a top-level directory of this repository are
// returned.
func refs(t *testing.T, page []byte, ownOnly bool) []fileRef {
	t.Helper()
	var out []fileRef
	for _, m := range span.FindAllSubmatch(page, -1) {
		text := string(m[1])
		r := ref.FindStringSubmatch(text)
		if r == nil {
			continue
		}
		for _, path := range expandArch(r[1]) {
			if strings.Contains(path, "<") {
				continue // a placeholder: tasks/<name>/main.go
			}
			if ownOnly && (foreign[path] || !ownPath(path)) {
				continue
			}
			out = append(out, fileRef{text: text, path: path, name: r[2]})
		}
	}
	return out
}

// expandArch returns path with <arch> replaced by each architecture.
func expandArch(path string) []string {
	if !strings.Contains(path, "<arch>") {
		return []string{path}
	}
	return []string{strings.ReplaceAll(path, "<arch>", "amd64"), strings.ReplaceAll(path, "<arch>", "arm64")}
}

// ownPath reports whether path starts with a directory of the repository.
func ownPath(path string) bool {
	dir, _, ok := strings.Cut(path, "/")
	if !ok {
		return false
	}
	fi, err := os.Stat(filepath.Join(root, dir))
	return err == nil && fi.IsDir()
}

// check reports what is wrong with r, or "".
func check(r fileRef) string {
	src, err := os.ReadFile(filepath.Join(root, r.path))
	if err != nil {
		return "no file " + r.path
	}
	if r.name == "" {
		return ""
	}
	ok := false
	switch filepath.Ext(r.path) {
	case ".go":
		ok, err = goDeclares(r.path, src, r.name)
		if err != nil {
			return err.Error()
		}
	case ".s", ".h":
		ok = asmDeclares(src, r.name)
	}
	if !ok {
		return r.path + " declares no " + r.name
	}
	return ""
}

// goDeclares reports whether the Go source src declares name: a function,
// type, constant or variable, or Type.Name, a method, a struct field or an
// interface method of Type.
func goDeclares(path string, src []byte, name string) (bool, error) {
	f, err := parser.ParseFile(token.NewFileSet(), path, src, parser.SkipObjectResolution)
	if err != nil {
		return false, err
	}
	typ, member, isMember := strings.Cut(name, ".")
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			recv := ""
			if d.Recv != nil && len(d.Recv.List) == 1 {
				recv = receiverType(d.Recv.List[0].Type)
			}
			if isMember && recv == typ && d.Name.Name == member || !isMember && recv == "" && d.Name.Name == name {
				return true, nil
			}
		case *ast.GenDecl:
			for _, s := range d.Specs {
				switch s := s.(type) {
				case *ast.TypeSpec:
					if !isMember && s.Name.Name == name {
						return true, nil
					}
					if isMember && s.Name.Name == typ && hasMember(s.Type, member) {
						return true, nil
					}
				case *ast.ValueSpec:
					for _, n := range s.Names {
						if !isMember && n.Name == name {
							return true, nil
						}
					}
				}
			}
		}
	}
	return false, nil
}

// receiverType is the name of a method's receiver type: T for T, *T, T[P].
func receiverType(e ast.Expr) string {
	for {
		switch x := e.(type) {
		case *ast.StarExpr:
			e = x.X
		case *ast.IndexExpr:
			e = x.X
		case *ast.IndexListExpr:
			e = x.X
		case *ast.Ident:
			return x.Name
		default:
			return ""
		}
	}
}

// hasMember reports whether the struct or interface type e has a field or
// method called name.
func hasMember(e ast.Expr, name string) bool {
	var fields *ast.FieldList
	switch x := e.(type) {
	case *ast.StructType:
		fields = x.Fields
	case *ast.InterfaceType:
		fields = x.Methods
	default:
		return false
	}
	for _, f := range fields.List {
		for _, n := range f.Names {
			if n.Name == name {
				return true
			}
		}
	}
	return false
}

// asmDeclares reports whether the assembly source src has a TEXT symbol, a
// label or a #define called name.
func asmDeclares(src []byte, name string) bool {
	q := regexp.QuoteMeta(name)
	return regexp.MustCompile(`(?m)^(?:TEXT\s+[\w/.]*·` + q + `\(SB\)|` + q + `:|#define\s+` + q + `\b)`).Match(src)
}

// TestTourNamesExist checks every file and name tour.md cites.
func TestTourNamesExist(t *testing.T) {
	page, err := os.ReadFile("tour.md")
	if err != nil {
		t.Fatal(err)
	}
	rs := refs(t, page, false)
	named := 0
	for _, r := range rs {
		if r.name != "" {
			named++
		}
		if why := check(r); why != "" {
			t.Errorf("tour.md: `%s`: %s", r.text, why)
		}
	}
	// The tour names a file and a function at every step: far fewer
	// references found means the pattern stopped matching the page.
	if named < 60 {
		t.Errorf("tour.md: only %d file:Name references found (of %d references)", named, len(rs))
	}
}

// TestDocsPathsExist checks the repository paths and the links of every
// page in docs/.
func TestDocsPathsExist(t *testing.T) {
	pages, err := filepath.Glob("*.md")
	if err != nil || len(pages) == 0 {
		t.Fatalf("no pages: %v", err)
	}
	for _, p := range pages {
		page, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range refs(t, page, true) {
			if why := check(r); why != "" {
				t.Errorf("%s: `%s`: %s", p, r.text, why)
			}
		}
		for _, m := range link.FindAllSubmatch(page, -1) {
			target := string(m[1])
			if strings.Contains(target, "://") || bytes.HasPrefix(m[1], []byte("mailto:")) {
				continue
			}
			if _, err := os.Stat(target); err != nil {
				t.Errorf("%s: link to %s: no such file", p, target)
			}
		}
	}
}

// TestCheckerCatchesWrongNames makes sure the checker itself fails on the
// mistakes it is there to catch.
func TestCheckerCatchesWrongNames(t *testing.T) {
	for _, c := range []struct {
		text string
		ok   bool
	}{
		{"`vm/fault.go:Map.Fault`", true},
		{"`vm/fault.go:Map.Faults`", false},
		{"`vm/fault.go:System.Fault`", false},
		{"`vm/fault.go`", true},
		{"`vm/faults.go`", false},
		{"`vm/pageout_policy.go:PageoutPolicy.ScanOne`", true},
		{"`vm/system.go:Config.PageoutPolicy`", true},
		{"`kernel/machine/machine.go:TrapPageFault`", true},
		{"`kernel/machine/arm64/trampoline_arm64.s:trapEntry`", true},
		{"`kernel/machine/amd64/trampoline_amd64.s:trampCommon`", true},
		{"`kernel/machine/amd64/trampoline_amd64.s:trapEntry`", false},
		{"`pmap/<arch>/entry.go:leafEntry`", true},
		{"`pmap/<arch>/fault.go:Space.FastFault`", false}, // amd64 has no fault.go
	} {
		rs := refs(t, []byte(c.text), false)
		if len(rs) == 0 {
			t.Errorf("%s: not recognised as a reference", c.text)
			continue
		}
		ok := true
		for _, r := range rs {
			ok = ok && check(r) == ""
		}
		if ok != c.ok {
			t.Errorf("%s: checker says ok=%v, want %v", c.text, ok, c.ok)
		}
	}
}
