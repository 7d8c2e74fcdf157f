//go:build !tamago

package main

import (
	"fmt"
	"os/exec"
	"sort"
	"strings"
)

// unaffected lists the packages of the tree at root whose code and tests do
// not reach lab's solution regions: in the lab's skeleton every one of
// their host tests must still pass (scripts/check-labs.sh checks it). A
// package is affected when it holds a region, imports (directly or not) a
// package that does, or has a test that imports an affected package. The
// boot tests (qemu/) boot the kernel, which holds every region: affected.
func unaffected(root, lab string) ([]string, error) {
	dirs, err := regionPackages(root, lab)
	if err != nil {
		return nil, err
	}
	out, err := exec.Command("go", "list", "-C", root, "-f",
		`{{.ImportPath}}|{{.Dir}}|{{join .Deps ","}}|{{join .TestImports ","}}|{{join .XTestImports ","}}`, "./...").Output()
	if err != nil {
		return nil, fmt.Errorf("go list: %v", err)
	}
	module := modulePath(root)
	type pkg struct{ deps, tests []string }
	pkgs := map[string]pkg{}
	affected := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Split(line, "|")
		path := f[0]
		rel := strings.TrimPrefix(strings.TrimPrefix(path, module), "/")
		if rel == "" {
			rel = "."
		}
		pkgs[path] = pkg{deps: split(f[2]), tests: append(split(f[3]), split(f[4])...)}
		if dirs[rel] || rel == "qemu" {
			affected[path] = true
		}
	}
	for path, p := range pkgs { // imports: Deps is already transitive
		for _, d := range p.deps {
			if isRegionPkg(d, module, dirs) {
				affected[path] = true
			}
		}
	}
	for changed := true; changed; { // tests: until nothing changes
		changed = false
		for path, p := range pkgs {
			if affected[path] {
				continue
			}
			for _, t := range p.tests {
				if affected[t] {
					affected[path], changed = true, true
					break
				}
			}
		}
	}
	var list []string
	for path := range pkgs {
		if !affected[path] {
			list = append(list, path)
		}
	}
	sort.Strings(list)
	return list, nil
}

func isRegionPkg(path, module string, dirs map[string]bool) bool {
	return strings.HasPrefix(path, module+"/") && dirs[strings.TrimPrefix(path, module+"/")]
}

func split(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// modulePath is the module's path, from go.mod.
func modulePath(root string) string {
	out, err := exec.Command("go", "list", "-C", root, "-m").Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}
