//go:build !tamago

package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// repoRoot is the repository's top directory: the nearest directory above
// the working directory holding go.mod and the Makefile.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if exists(filepath.Join(dir, "go.mod")) && exists(filepath.Join(dir, "Makefile")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod and Makefile above the working directory")
		}
		dir = parent
	}
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// sourceFiles lists the files of the tree: the files git tracks or would
// track (not ignored) when root is
// a git work tree, else every file but build output and .git.
func sourceFiles(root string) ([]string, error) {
	if out, err := exec.Command("git", "-C", root, "ls-files", "-z", "--cached", "--others", "--exclude-standard").Output(); err == nil && len(out) > 0 {
		var files []string
		for _, f := range strings.Split(strings.TrimRight(string(out), "\x00"), "\x00") {
			if exists(filepath.Join(root, f)) { // tracked but deleted in the work tree
				files = append(files, f)
			}
		}
		return files, nil
	}
	var files []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if d.IsDir() && (rel == ".git" || rel == "build") {
			return filepath.SkipDir
		}
		if !d.IsDir() {
			files = append(files, rel)
		}
		return nil
	})
	return files, err
}

// hasRegions reports whether a file may hold solution regions: Go and
// assembly files, but not this tool's own (its tests hold sample regions).
func hasRegions(name string) bool {
	if strings.HasPrefix(filepath.ToSlash(name), "cmd/lab/") {
		return false
	}
	return strings.HasSuffix(name, ".go") || strings.HasSuffix(name, ".s")
}

// skeletonMark is the file, at the root of a student tree, that names the
// lab the tree was cut for: that lab has no regions left there.
const skeletonMark = ".lab-skeleton"

// skeletonOf returns the lab the tree at root is a skeleton of, or "".
func skeletonOf(root string) string {
	data, err := os.ReadFile(filepath.Join(root, skeletonMark))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(data))
}

// regionPackages returns the directories (package paths relative to root)
// holding regions of lab.
func regionPackages(root, lab string) (map[string]bool, error) {
	files, err := sourceFiles(root)
	if err != nil {
		return nil, err
	}
	dirs := map[string]bool{}
	for _, f := range files {
		if !hasRegions(f) {
			continue
		}
		data, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			return nil, err
		}
		regions, err := parseRegions(f, splitLines(string(data)))
		if err != nil {
			return nil, err
		}
		for _, r := range regions {
			if r.lab == lab {
				dirs[filepath.ToSlash(filepath.Dir(f))] = true
			}
		}
	}
	return dirs, nil
}

// checkTree checks every solution region of the tree at root: well formed,
// of a lab in the table, with a stub that names its lab and says it is not
// implemented; and every lab has at least one region and a handout. It
// returns the number of regions.
func checkTree(root string) (int, error) {
	files, err := sourceFiles(root)
	if err != nil {
		return 0, err
	}
	perLab := map[string]int{}
	total := 0
	for _, f := range files {
		if !hasRegions(f) {
			continue
		}
		data, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			return 0, err
		}
		lines := splitLines(string(data))
		regions, err := parseRegions(f, lines)
		if err != nil {
			return 0, err
		}
		for _, r := range regions {
			if _, ok := lookupLab(r.lab); !ok {
				return 0, fmt.Errorf("%s:%d: region of unknown lab %q", f, r.begin+1, r.lab)
			}
			stub := strings.Join(lines[r.stub+1:r.end], "\n")
			if !strings.Contains(stub, "lab "+r.lab+": not implemented") {
				return 0, fmt.Errorf("%s:%d: the stub of lab %s must fail with \"lab %s: not implemented\"", f, r.stub+1, r.lab, r.lab)
			}
			perLab[r.lab]++
			total++
		}
	}
	cutFor := skeletonOf(root)
	for _, l := range labs {
		if perLab[l.Name] == 0 && l.Name != cutFor {
			return 0, fmt.Errorf("lab %s has no solution region", l.Name)
		}
		if !exists(filepath.Join(root, "docs", "labs", l.Name+".md")) {
			return 0, fmt.Errorf("lab %s has no handout docs/labs/%s.md", l.Name, l.Name)
		}
	}
	return total, nil
}

// skeleton writes the student tree of lab l into dest: every file of the
// tree at root, with l's solution regions cut and only l's. dest must not
// exist or be empty. When git is there, dest becomes a repository with the
// skeleton as its first commit, so that a student can diff their work.
func skeleton(root, dest string, l *Lab) (int, error) {
	if entries, err := os.ReadDir(dest); err == nil && len(entries) > 0 {
		return 0, fmt.Errorf("%s is not empty", dest)
	}
	files, err := sourceFiles(root)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			return 0, err
		}
		info, err := os.Stat(filepath.Join(root, f))
		if err != nil {
			return 0, err
		}
		if hasRegions(f) {
			lines, cutN, err := cut(f, splitLines(string(data)), l.Name)
			if err != nil {
				return 0, err
			}
			if cutN > 0 {
				data = []byte(strings.Join(lines, "\n") + "\n")
				n += cutN
				if strings.HasSuffix(f, ".go") {
					if data, err = pruneImports(f, data); err != nil {
						return 0, fmt.Errorf("%s after cutting lab %s: %v", f, l.Name, err)
					}
				}
			}
		}
		out := filepath.Join(dest, f)
		if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
			return 0, err
		}
		if err := os.WriteFile(out, data, info.Mode().Perm()); err != nil {
			return 0, err
		}
	}
	if n == 0 {
		return 0, fmt.Errorf("lab %s has no solution region to cut", l.Name)
	}
	if err := os.WriteFile(filepath.Join(dest, skeletonMark), []byte(l.Name+"\n"), 0o644); err != nil {
		return 0, err
	}
	if _, err := exec.LookPath("git"); err == nil {
		git := func(args ...string) error {
			cmd := exec.Command("git", append([]string{"-C", dest}, args...)...)
			cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=lab", "GIT_AUTHOR_EMAIL=lab@tamach",
				"GIT_COMMITTER_NAME=lab", "GIT_COMMITTER_EMAIL=lab@tamach")
			if out, err := cmd.CombinedOutput(); err != nil {
				return fmt.Errorf("git %s: %v: %s", args[0], err, out)
			}
			return nil
		}
		if err := git("init", "-q"); err != nil {
			return n, err
		}
		if err := git("add", "-A"); err != nil {
			return n, err
		}
		if err := git("commit", "-q", "-m", "lab "+l.Name+": skeleton"); err != nil {
			return n, err
		}
	}
	return n, nil
}
