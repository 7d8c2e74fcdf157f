package main

import (
	"strings"
	"testing"
)

// A tamach run=bench boot and a pool=8M run=pressure boot, abridged.
const tamachLog = `cmdline: "run=bench"
bench: kernel tamach, amd64, first instruction at 327384092 ns since reset
PASS bench: null system call 1076 ns, zero-fill page fault 3219 ns (guest instructions under ICOUNT=1)
PASS bench: copy-on-write fault 3469 ns; fork with 1 MiB written: child runs after 249019 ns, parent resumes after 237444 ns; with 64 MiB: 1672360 ns, 1661021 ns
PASS bench: allocate+deallocate of a page 6046 ns, protect of 1 MiB 12681 ns
program bench.elf: 383-page file on virtio-blk@0xfeb02e00: loading read 2 disk pages; running paged in 193 pages (193 disk pages read, 11907 ns each)
clock: load of bench began at 327300000 ns since reset
`

const pressureLog = "MEASURE page-in fault: 61413 ns/page (8201 page-ins, 8192 pages read)\r\n" +
	"MEASURE store pass: 74052 ns/page (8202 page-ins, 6189 page-outs, 8192 pages written)\r\n"

const linuxLog = `bench: kernel linux, amd64, first instruction at 2000000000 ns since reset
PASS bench: null system call 346 ns, zero-fill page fault 6916 ns (guest instructions under ICOUNT=1)
PASS bench: copy-on-write fault 12180 ns; fork with 1 MiB written: child runs after 419000 ns, parent resumes after 400000 ns; with 64 MiB: 2580000 ns, 2500000 ns
PASS bench: allocate+deallocate of a page 3000 ns, protect of 1 MiB 4000 ns
PASS bench: execve to the new image's first instruction 250000 ns
`

func TestParse(t *testing.T) {
	r := Results{}
	Parse(r, tamachLog)
	Parse(r, pressureLog)
	want := Results{"null": 1076, "zero": 3219, "cow": 3469, "fork1c": 249019, "fork1p": 237444,
		"fork64c": 1672360, "fork64p": 1661021, "alloc": 6046, "protect": 12681,
		"boot": 327384092, "start": 84092, "pagein": 61413, "pageio": 74052}
	for k, v := range want {
		if r[k] != v {
			t.Errorf("%s = %d, want %d", k, r[k], v)
		}
	}
	if len(r) != len(want) {
		t.Errorf("parsed %v, want %v", r, want)
	}
	if m := Missing(r); len(m) != 0 {
		t.Errorf("missing %v", m)
	}
}

func TestMissing(t *testing.T) {
	r := Results{}
	Parse(r, linuxLog)
	if m := strings.Join(Missing(r), " "); m != "pagein pageio" {
		t.Errorf("Linux log misses %q, want the paging rows", m)
	}
}

func TestFormat(t *testing.T) {
	tam, lin := Results{}, Results{}
	Parse(tam, tamachLog+pressureLog)
	Parse(lin, linuxLog)
	var b strings.Builder
	Format(&b, "amd64", tam, lin)
	out := b.String()
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 3+len(rows) {
		t.Fatalf("%d lines, want %d:\n%s", len(lines), 3+len(rows), out)
	}
	for _, want := range []string{
		"null system call (getpid)", "1,076", "346", "3.11",
		"page-out + page-in under pressure, per page (*)", "74,052",
		"327,384,092", "2,000,000,000", "0.16",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(lines[9], "-") {
		t.Errorf("the Linux cell of a row it lacks is not -: %q", lines[9])
	}
	b.Reset()
	Format(&b, "arm64", tam, nil)
	if strings.Contains(b.String(), "Linux") {
		t.Errorf("a table without Linux has its column:\n%s", b.String())
	}
}

func TestGroup(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567", -4500: "-4,500"} {
		if got := group(n); got != want {
			t.Errorf("group(%d) = %q, want %q", n, got, want)
		}
	}
}
