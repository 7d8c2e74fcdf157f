//go:build !tamago

// Command lab is the coursework lab kit's tool (docs/labs/README.md):
//
//	lab list                  each lab, one per line: NAME  title
//	lab grade NAME            grade the tree: PASS/FAIL per test, then score: N/M
//	lab skeleton NAME DEST    write the student tree: the project, NAME's solution regions cut
//	lab check                 check every solution region and the lab table
//	lab unaffected NAME       the packages whose tests must still pass in NAME's skeleton
//
// The Makefile wraps them: make labs, make grade LAB=NAME,
// make lab-skeleton LAB=NAME DEST=dir. lab grade exits 0 only for a full
// score; the others exit non-zero on any error.
package main

import (
	"fmt"
	"os"
	"strings"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "lab:", err)
		os.Exit(2)
	}
}

func run(args []string) error {
	if len(args) == 0 {
		return usage()
	}
	root, err := repoRoot()
	if err != nil {
		return err
	}
	switch {
	case args[0] == "list" && len(args) == 1:
		for _, l := range labs {
			fmt.Printf("%-12s %s\n", l.Name, l.Title)
		}
		return nil
	case args[0] == "check" && len(args) == 1:
		n, err := checkTree(root)
		if err == nil {
			fmt.Printf("lab check: %d labs, %d solution regions, all well formed\n", len(labs), n)
		}
		return err
	case args[0] == "grade" && len(args) == 2:
		l, ok := lookupLab(args[1])
		if !ok {
			return fmt.Errorf("no lab %q (make labs lists them)", args[1])
		}
		if full := grade(os.Stdout, root, l, gradeOptions{HostOnly: os.Getenv("GRADE_HOST_ONLY") != ""}); !full {
			os.Exit(1)
		}
		return nil
	case args[0] == "unaffected" && len(args) == 2:
		if _, ok := lookupLab(args[1]); !ok {
			return fmt.Errorf("no lab %q (make labs lists them)", args[1])
		}
		list, err := unaffected(root, args[1])
		if err != nil {
			return err
		}
		fmt.Println(strings.Join(list, "\n"))
		return nil
	case args[0] == "skeleton" && len(args) == 3:
		l, ok := lookupLab(args[1])
		if !ok {
			return fmt.Errorf("no lab %q (make labs lists them)", args[1])
		}
		n, err := skeleton(root, args[2], l)
		if err == nil {
			fmt.Printf("lab %s: student tree in %s (%d solution regions cut); in it: make grade LAB=%s\n", l.Name, args[2], n, l.Name)
		}
		return err
	}
	return usage()
}

func usage() error {
	return fmt.Errorf("usage: lab list | lab grade NAME | lab skeleton NAME DEST | lab check | lab unaffected NAME")
}
