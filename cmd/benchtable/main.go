// Command benchtable turns the console output of make bench's boots into a
// table: tasks/bench's PASS bench: lines, tasks/pressure's MEASURE lines
// and the kernel's clock: load of ... began line, for tamach and, when
// given, for Linux running the same program as /init (make bench-linux).
// Every figure is nanoseconds of a guest run under QEMU -icount shift=0,
// that is guest instructions.
//
//	benchtable -arch amd64 -tamach bench.log,pressure.log [-linux linux.log]
//
// A row a log does not have is shown as "-" (Linux has no page-out row
// unless its log has one); the ratio column is tamach over Linux.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
)

// A row of the table.
type row struct {
	key, label string
}

// rows are the table's rows, in order.
var rows = []row{
	{"null", "null system call (getpid)"},
	{"zero", "zero-fill fault, per page"},
	{"cow", "copy-on-write fault, per page"},
	{"fork1c", "fork, 1 MiB written: to child's first instruction"},
	{"fork1p", "fork, 1 MiB written: to parent's return"},
	{"fork64c", "fork, 64 MiB written: to child's first instruction"},
	{"fork64p", "fork, 64 MiB written: to parent's return"},
	{"pagein", "page-in fault under pressure, per page (*)"},
	{"pageio", "page-out + page-in under pressure, per page (*)"},
	{"alloc", "vm_allocate+vm_deallocate of a page (mmap+munmap)"},
	{"protect", "vm_protect of 1 MiB (mprotect)"},
	{"start", "program start: load (execve) to first instruction"},
	{"boot", "boot: reset to first instruction of first task (*)"},
}

// Results maps a row's key to its figure in ns.
type Results map[string]int64

// patterns find the figures in a console log: each submatch i is the key
// keys[i-1]; "-" skips one.
var patterns = []struct {
	re   *regexp.Regexp
	keys []string
}{
	{regexp.MustCompile(`^PASS bench: null system call (\d+) ns, zero-fill page fault (\d+) ns`), []string{"null", "zero"}},
	{regexp.MustCompile(`^PASS bench: copy-on-write fault (\d+) ns; fork with 1 MiB written: child runs after (\d+) ns, parent resumes after (\d+) ns; with 64 MiB: (\d+) ns, (\d+) ns`),
		[]string{"cow", "fork1c", "fork1p", "fork64c", "fork64p"}},
	{regexp.MustCompile(`^PASS bench: allocate\+deallocate of a page (\d+) ns, protect of 1 MiB (\d+) ns`), []string{"alloc", "protect"}},
	{regexp.MustCompile(`^PASS bench: execve to the new image's first instruction (\d+) ns`), []string{"start"}},
	{regexp.MustCompile(`^bench: kernel \S+, \S+, first instruction at (\d+) ns since reset`), []string{"boot"}},
	{regexp.MustCompile(`^clock: load of bench(?:\.elf)? began at (\d+) ns since reset`), []string{"loadbegan"}},
	{regexp.MustCompile(`^MEASURE page-in fault: (\d+) ns/page`), []string{"pagein"}},
	{regexp.MustCompile(`^MEASURE store pass: (\d+) ns/page`), []string{"pageio"}},
}

// Parse reads a console log and adds the figures it finds to r. tamach's
// program start is the first instruction's time less the kernel's load
// start.
func Parse(r Results, log string) {
	for _, line := range strings.Split(log, "\n") {
		line = strings.TrimRight(line, "\r")
		for _, p := range patterns {
			m := p.re.FindStringSubmatch(line)
			if m == nil {
				continue
			}
			for i, k := range p.keys {
				if v, err := strconv.ParseInt(m[i+1], 10, 64); err == nil {
					r[k] = v
				}
			}
		}
	}
	if began, ok := r["loadbegan"]; ok {
		if first, ok := r["boot"]; ok && first > began {
			r["start"] = first - began
		}
		delete(r, "loadbegan")
	}
}

// Missing lists the rows r has no figure for.
func Missing(r Results) []string {
	var m []string
	for _, row := range rows {
		if _, ok := r[row.key]; !ok {
			m = append(m, row.key)
		}
	}
	return m
}

// group writes n with thousands separators.
func group(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// Format writes the table: tamach's column and, with linux non-nil,
// Linux's and the ratio.
func Format(w io.Writer, arch string, tamach, linux Results) {
	width := 0
	for _, r := range rows {
		width = max(width, len(r.label))
	}
	cell := func(r Results, k string) string {
		if v, ok := r[k]; ok {
			return group(v)
		}
		return "-"
	}
	fmt.Fprintf(w, "%s, guest instructions (QEMU -icount shift=0; fastest of repeated runs)\n", arch)
	if linux == nil {
		fmt.Fprintf(w, "%-*s  %12s\n", width, "operation", "tamach")
		for _, r := range rows {
			fmt.Fprintf(w, "%-*s  %12s\n", width, r.label, cell(tamach, r.key))
		}
		fmt.Fprint(w, footnote)
		return
	}
	fmt.Fprintf(w, "%-*s  %12s  %12s  %12s\n", width, "operation", "tamach", "Linux", "tamach/Linux")
	for _, r := range rows {
		ratio := "-"
		t, okT := tamach[r.key]
		l, okL := linux[r.key]
		if okT && okL && l > 0 {
			ratio = fmt.Sprintf("%.2f", float64(t)/float64(l))
			if r := float64(t) / float64(l); r < 0.1 {
				ratio = fmt.Sprintf("%.2g", r) // two significant digits
			}
		}
		fmt.Fprintf(w, "%-*s  %12s  %12s  %12s\n", width, r.label, cell(tamach, r.key), cell(linux, r.key), ratio)
	}
	fmt.Fprint(w, footnote)
}

// footnote qualifies the paging rows.
const footnote = "(*) virtual time with the disk's waits (and boot's sleeps): idle, the clock jumps to the next timer (-icount sleep=off), so not instructions alone\n"

// load parses the comma-separated log files.
func load(files string) (Results, error) {
	r := Results{}
	for _, f := range strings.Split(files, ",") {
		if f == "" {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		Parse(r, string(b))
	}
	return r, nil
}

func main() {
	arch := flag.String("arch", "amd64", "the architecture, for the title")
	tFiles := flag.String("tamach", "", "tamach's console logs, comma-separated")
	lFiles := flag.String("linux", "", "Linux's console logs, comma-separated (optional)")
	flag.Parse()
	tamach, err := load(*tFiles)
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchtable:", err)
		os.Exit(1)
	}
	var linux Results
	if *lFiles != "" {
		if linux, err = load(*lFiles); err != nil {
			fmt.Fprintln(os.Stderr, "benchtable:", err)
			os.Exit(1)
		}
	}
	Format(os.Stdout, *arch, tamach, linux)
	if m := Missing(tamach); len(m) > 0 {
		fmt.Fprintf(os.Stderr, "benchtable: tamach's logs have no figure for %s\n", strings.Join(m, ", "))
		os.Exit(1)
	}
}
