// Package bundle holds the task programs built into the kernel image:
// tasks/tasks.mk builds every program under tasks/ for the kernel's
// architecture and copies the ELF files into elf/ before the kernel is
// built (make tasks-bundle), and they are embedded from there. Without that
// step the bundle is empty and the kernel says so.
package bundle

import (
	"embed"
	"io/fs"
	"sort"
	"strings"
)

//go:embed elf
var elfDir embed.FS

// Program is one bundled ELF image.
type Program struct {
	Name string // the file name without .elf
	ELF  []byte
	// Signal is the signal the program is meant to be killed by (the
	// crash demonstrations), 0 if it should exit 0.
	Signal int
}

// sigSEGV is the signal of a task killed by a page fault.
const sigSEGV = 11

// killedBy lists the programs that end by a deliberate crash.
var killedBy = map[string]int{"segv": sigSEGV}

// interactive lists the programs that run until they are killed, to be
// looked at from the console shell: the word tasks leaves them out.
var interactive = map[string]bool{"sleeper": true}

// Interactive reports whether the program called name runs until it is
// killed (a demonstration for the console shell, docs/shell.md).
func Interactive(name string) bool { return interactive[name] }

// ExpectedSignal is the signal the program called name is meant to be
// killed by (segv, the crash demonstration), 0 if it should exit 0. It
// holds for a program of that name from the program disk too.
func ExpectedSignal(name string) int { return killedBy[name] }

// Programs returns the bundled programs, sorted by name.
func Programs() []Program {
	var ps []Program
	files, _ := fs.Glob(elfDir, "elf/*.elf")
	sort.Strings(files)
	for _, f := range files {
		data, err := elfDir.ReadFile(f)
		if err != nil {
			continue
		}
		name := strings.TrimSuffix(strings.TrimPrefix(f, "elf/"), ".elf")
		ps = append(ps, Program{Name: name, ELF: data, Signal: killedBy[name]})
	}
	return ps
}

// Lookup returns the bundled program called name. It reads only that
// program: embed.FS.ReadFile returns a copy, and copying every bundled
// image (about 10 MB) to find one is waste.
func Lookup(name string) (Program, bool) {
	if strings.ContainsAny(name, "/*?[\\") {
		return Program{}, false
	}
	data, err := elfDir.ReadFile("elf/" + name + ".elf")
	if err != nil {
		return Program{}, false
	}
	return Program{Name: name, ELF: data, Signal: killedBy[name]}, true
}
