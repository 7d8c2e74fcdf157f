//go:build !tamago

package main

import (
	"bufio"
	"bytes"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"regexp"
	"strconv"
	"strings"
)

// Solution regions. A lab's solution is marked in the source, in any Go or
// assembly file, by three comment lines:
//
//	// LAB cow: begin
//	... the reference solution ...
//	// LAB cow: stub
//	// return nil, labNotImplemented("cow", "copyOnWrite")
//	// LAB cow: end
//
// The lines between "stub" and "end" are the skeleton's code, commented
// out in the reference tree: each starts with "// " after its indentation.
// Cutting the region (lab skeleton) drops the solution and the markers and
// uncomments the stub. A stub must compile and must fail clearly, never
// succeed silently: it names the lab and says "not implemented".

// marker matches a region marker line: indentation, "// LAB name: kind".
var marker = regexp.MustCompile(`^(\s*)// LAB ([a-z0-9-]+): (begin|stub|end)\s*$`)

// region is one solution region of a file.
type region struct {
	lab              string
	begin, stub, end int // line numbers (0-based) of the markers
	indent           string
}

// parseRegions finds the regions of a file's lines and checks their form:
// markers in order begin, stub, end, for one lab at a time, no nesting.
func parseRegions(name string, lines []string) ([]region, error) {
	var out []region
	var cur *region
	for i, l := range lines {
		m := marker.FindStringSubmatch(l)
		if m == nil {
			if cur != nil && cur.stub >= 0 && strings.TrimSpace(l) != "" && !strings.HasPrefix(strings.TrimSpace(l), "//") {
				return nil, fmt.Errorf("%s:%d: a stub line must be commented out (\"// \")", name, i+1)
			}
			continue
		}
		indent, lab, kind := m[1], m[2], m[3]
		switch {
		case kind == "begin" && cur == nil:
			cur = &region{lab: lab, begin: i, stub: -1, end: -1, indent: indent}
		case kind == "stub" && cur != nil && cur.lab == lab && cur.stub < 0:
			cur.stub = i
		case kind == "end" && cur != nil && cur.lab == lab && cur.stub >= 0:
			cur.end = i
			out = append(out, *cur)
			cur = nil
		default:
			return nil, fmt.Errorf("%s:%d: unexpected \"LAB %s: %s\" (regions are begin, stub, end, not nested)", name, i+1, lab, kind)
		}
	}
	if cur != nil {
		return nil, fmt.Errorf("%s:%d: region of lab %s is not closed", name, cur.begin+1, cur.lab)
	}
	return out, nil
}

// cut returns the file's lines with lab's regions replaced by their stubs,
// and how many regions it cut.
func cut(name string, lines []string, lab string) ([]string, int, error) {
	regions, err := parseRegions(name, lines)
	if err != nil {
		return nil, 0, err
	}
	var out []string
	n, next := 0, 0
	for _, r := range regions {
		if r.lab != lab {
			continue
		}
		out = append(out, lines[next:r.begin]...)
		for _, l := range lines[r.stub+1 : r.end] {
			out = append(out, uncomment(l))
		}
		next = r.end + 1
		n++
	}
	out = append(out, lines[next:]...)
	return out, n, nil
}

// uncomment removes the first "// " (or a lone "//") after the line's
// indentation.
func uncomment(l string) string {
	t := strings.TrimLeft(l, " \t")
	indent := l[:len(l)-len(t)]
	switch {
	case strings.HasPrefix(t, "// "):
		return indent + t[3:]
	case t == "//":
		return ""
	}
	return l
}

// splitLines splits a file into lines without their newlines.
func splitLines(data string) []string {
	var lines []string
	sc := bufio.NewScanner(strings.NewReader(data))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	return lines
}

// pruneImports removes the imports of a Go file that nothing uses any more
// (a cut region may have been their only user) and formats the file. The
// name of an import without one is the last element of its path, which
// holds for every package this repository imports.
func pruneImports(name string, src []byte) ([]byte, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, name, src, parser.ParseComments)
	if err != nil {
		return nil, err
	}
	used := map[string]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		if sel, ok := n.(*ast.SelectorExpr); ok {
			if id, ok := sel.X.(*ast.Ident); ok {
				used[id.Name] = true
			}
		}
		return true
	})
	changed := false
	for _, imp := range f.Imports {
		path, _ := strconv.Unquote(imp.Path.Value)
		pkg := path[strings.LastIndex(path, "/")+1:]
		if imp.Name != nil {
			pkg = imp.Name.Name
		}
		if pkg == "_" || pkg == "." || used[pkg] {
			continue
		}
		deleteImport(f, imp)
		changed = true
	}
	if !changed {
		return src, nil
	}
	var b bytes.Buffer
	if err := format.Node(&b, fset, f); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// deleteImport removes imp from f's import declarations, and a declaration
// it leaves empty.
func deleteImport(f *ast.File, imp *ast.ImportSpec) {
	for i := 0; i < len(f.Decls); i++ {
		gd, ok := f.Decls[i].(*ast.GenDecl)
		if !ok || gd.Tok != token.IMPORT {
			continue
		}
		for j, spec := range gd.Specs {
			if spec == imp {
				gd.Specs = append(gd.Specs[:j], gd.Specs[j+1:]...)
				break
			}
		}
		if len(gd.Specs) == 0 {
			f.Decls = append(f.Decls[:i], f.Decls[i+1:]...)
			i--
		}
	}
	for i, s := range f.Imports {
		if s == imp {
			f.Imports = append(f.Imports[:i], f.Imports[i+1:]...)
			break
		}
	}
}
