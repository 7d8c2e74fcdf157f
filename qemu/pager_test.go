//go:build !tamago

package qemu

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// pagerTimeout bounds a boot that pages four times an 8 MiB pool through a
// virtio disk: about 10 s of TCG on either board, more on a loaded machine.
const pagerTimeout = 150 * time.Second

// sparseDisk makes an all-zero raw image of size bytes for DISK=.
func sparseDisk(t *testing.T, size int64) string {
	t.Helper()
	img := filepath.Join(t.TempDir(), "swap.img")
	f, err := os.Create(img)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
	return img
}

// atLeast fails unless the console line matching pattern has a first
// submatch that is a number of at least min.
func atLeast(t *testing.T, res *Result, pattern string, min int) {
	t.Helper()
	m := res.Find(pattern)
	if m == nil {
		t.Fatalf("console has no line matching %q; tail:\n%s", pattern, res.Tail(30))
	}
	n, err := strconv.Atoi(m[1])
	if err != nil || n < min {
		t.Errorf("%q: got %s, want at least %d", pattern, m[1], min)
	}
}

// TestPagerPressure runs the pressure task on a pool of 8 MiB with a 64 MiB
// disk as backing store: four times the pool written, read back and checked
// page by page, then a fork under pressure; every page must come back, and
// the vm statistics must show the pages really went to the disk and back.
func TestPagerPressure(t *testing.T) {
	forEachArch(t, func(t *testing.T, arch string) {
		Require(t, arch)
		disk := sparseDisk(t, 64<<20)
		res := Boot(t, Run{Arch: arch, Cmdline: "pool=8M run=pressure", Timeout: pagerTimeout,
			Make: []string{"DISK=" + disk}})
		res.Expect(t,
			`^pool: 8192 KiB \(2048 pages\) of \d+ KiB for the vm system$`,
			`^pager: default pager on virtio-blk@0x[0-9a-f]+: 16383 pages \(65532 KiB\) of backing store`,
			`^pressure: pool 2048 pages, touching 8192 pages \(32768 KiB\)$`,
			`^PASS pressure-write: pageouts \d+ pageins \d+ `,
			`^pressure: 8192 pages verified, 0 mismatches$`,
			`^PASS pressure-verify: `,
			`^pressure: child \d+ verified its 8192 pages \(4096 rewritten\), 0 mismatches$`,
			`^pressure: 8192 pages verified, 0 mismatches$`,
			`^PASS pressure-fork: `,
			`^task pressure\[\d+\]: exit 0 after .*: as expected$`,
			`^end of command line: powering off$`)
		if res.Find(`^FAIL `) != nil {
			t.Errorf("the task printed FAIL; console tail:\n%s", res.Tail(30))
		}
		// Writing 4x the pool must send at least 3x the pool to disk,
		// and reading it all back must bring at least that much in.
		atLeast(t, res, `^PASS pressure-write: pageouts (\d+) `, 3*2048)
		atLeast(t, res, `^PASS pressure-verify: pageouts \d+ pageins (\d+) `, 3*2048)
		atLeast(t, res, `^PASS pressure-fork: pageouts (\d+) `, 1)
		atLeast(t, res, `^PASS pressure-fork: pageouts \d+ pageins (\d+) `, 3*2048)
		res.ExpectExit(t, true)
	})
}

// TestPagerStoreFull exhausts an 8 MiB pool and a 1 MiB disk: the faulting
// child is killed with a report naming KERN_RESOURCE_SHORTAGE, its parent
// sees SIGSEGV, and the kernel goes on with the command line.
func TestPagerStoreFull(t *testing.T) {
	forEachArch(t, func(t *testing.T, arch string) {
		Require(t, arch)
		disk := sparseDisk(t, 1<<20)
		res := Boot(t, Run{Arch: arch, Cmdline: "pool=8M run=storefull echo=kernel-continues halt",
			Timeout: pagerTimeout, Make: []string{"DISK=" + disk}})
		res.Expect(t,
			`^pool: 8192 KiB \(2048 pages\) of \d+ KiB for the vm system$`,
			`^pager: default pager on virtio-blk@0x[0-9a-f]+: 255 pages \(1020 KiB\) of backing store`,
			`^store-full: child dirties up to 8192 pages$`,
			`^task storefull\[\d+\]: killed: page fault at pc 0x[0-9a-f]+, address 0x[0-9a-f]+, (read|write|execute): KERN_RESOURCE_SHORTAGE`,
			`^PASS store-full: child killed by signal 11 after dirtying \d+ of 8192 pages; pageouts [1-9]\d*$`,
			`^task storefull\[\d+\]: exit 0 after .*: as expected$`,
			`^kernel-continues$`,
			`^halt: powering off$`)
		res.ExpectExit(t, true)
	})
}

// TestPagerDefaultSwap: without DISK, make qemu attaches a swap image of
// SWAP bytes (boot/virtio/swap.mk) and the kernel pages to it; SWAP= (empty)
// attaches none.
func TestPagerDefaultSwap(t *testing.T) {
	forEachArch(t, func(t *testing.T, arch string) {
		// A Go task dirties about 2,200 pages before main (docs/pager.md):
		// more than a 4 MiB pool, so hello runs only if it pages.
		res := Boot(t, Run{Arch: arch, Cmdline: "pool=4M run=hello", Make: []string{"SWAP=8M"}})
		res.Expect(t,
			`^pager: default pager on virtio-blk@0x[0-9a-f]+: 2047 pages \(8188 KiB\) of backing store`,
			`^PASS hello$`, `^end of command line: powering off$`)
		res.ExpectExit(t, true)
		res = Boot(t, Run{Arch: arch, Cmdline: "run=hello", Make: []string{"SWAP=", "PROGRAMS="}})
		res.Expect(t, `^pager: no disk: anonymous memory is never paged out$`,
			`^selfcheck virtio-blk: ok \(no disk`, `^PASS hello$`)
		res.ExpectExit(t, true)
	})
}

// TestPoolExhaustedNoSwap: with no swap disk, a child dirties four times
// the pool. The fault that finds no free frame (and no page that could
// leave) kills that child with a report naming KERN_RESOURCE_SHORTAGE; its
// parent sees SIGSEGV and passes, and the next program runs in the frames
// the dead child gave back.
func TestPoolExhaustedNoSwap(t *testing.T) {
	forEachArch(t, func(t *testing.T, arch string) {
		res := Boot(t, Run{Arch: arch, Cmdline: "pool=16M run=storefull+hello echo=kernel-continues",
			Timeout: pagerTimeout, Make: []string{"SWAP="}})
		res.Expect(t,
			`^pool: 16384 KiB \(4096 pages\) of \d+ KiB for the vm system$`,
			`^pager: no disk: anonymous memory is never paged out$`,
			`^store-full: child dirties up to 16384 pages$`,
			`^task storefull\[\d+\]: killed: page fault at pc 0x[0-9a-f]+, address 0x[0-9a-f]+, (read|write|execute): KERN_RESOURCE_SHORTAGE`,
			`^PASS store-full: child killed by signal 11 after dirtying \d+ of 16384 pages; pageouts 0$`,
			`^task storefull\[\d+\]: exit 0 after .*: as expected$`,
			`^PASS hello$`,
			`^kernel-continues$`,
			`^end of command line: powering off$`)
		res.ExpectExit(t, true)
	})
}
