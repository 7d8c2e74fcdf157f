//go:build !tamago

package qemu

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The failing-disk tests put QEMU's blkdebug driver between the swap disk
// and its image (make qemu DISK_BLKDEBUG=rules): the rules files in
// testdata/blkdebug inject I/O errors on chosen events and sectors. A bad
// disk must never stop the kernel, never lose or change a byte, and kill
// at most the task whose data it could not read back (docs/pager.md, "A
// failing disk").

// requireBlkdebug skips with one line when QEMU's block layer has no
// blkdebug driver.
func requireBlkdebug(t *testing.T) {
	t.Helper()
	out, err := exec.Command("qemu-img", "--help").Output()
	if err != nil || !strings.Contains(string(out), "blkdebug") {
		t.Skip("skip: failing-disk boot test: qemu-img lists no blkdebug driver (QEMU built without it)")
	}
}

// blkdebugRules is the path of a rules file in testdata/blkdebug.
func blkdebugRules(t *testing.T, name string) string {
	t.Helper()
	root, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(root, "qemu", "testdata", "blkdebug", name)
}

// TestSwapDiskWritesFail: every write to the swap disk fails. The kernel
// boots, says the disk is not used for paging and why, reports the failed
// self-check without stopping, and runs a task without paging.
func TestSwapDiskWritesFail(t *testing.T) {
	forEachArch(t, func(t *testing.T, arch string) {
		Require(t, arch)
		requireBlkdebug(t)
		disk := sparseDisk(t, 16<<20)
		res := Boot(t, Run{Arch: arch, Cmdline: "run=hello",
			Make: []string{"DISK=" + disk, "DISK_BLKDEBUG=" + blkdebugRules(t, "writes-fail.conf")}})
		res.Expect(t,
			`^pager: virtio-blk@0x[0-9a-f]+ is not used for paging: the write test failed: .*I/O error`,
			`^pager: no disk: anonymous memory is never paged out$`,
			`^selfcheck virtio-blk: FAIL: .* \(optional: the kernel goes on without it\)$`,
			`^PASS hello$`,
			`^task hello\[1\]: exit 0 after `)
		res.ExpectExit(t, true)
	})
}

// TestSwapDiskBadWriteSectors: two disk pages fail every write. Each
// failed page-out retires its slot and the page goes to another slot: the
// pressure task (4x the pool, checksummed, forked) sees every byte it wrote,
// and no task dies.
func TestSwapDiskBadWriteSectors(t *testing.T) {
	forEachArch(t, func(t *testing.T, arch string) {
		Require(t, arch)
		requireBlkdebug(t)
		disk := sparseDisk(t, 64<<20)
		res := Boot(t, Run{Arch: arch, Cmdline: "pool=8M run=pressure", Timeout: pagerTimeout,
			Make: []string{"DISK=" + disk, "DISK_BLKDEBUG=" + blkdebugRules(t, "bad-write-sectors.conf")}})
		res.Expect(t,
			`^pager: default pager on virtio-blk@0x[0-9a-f]+: 16383 pages`,
			`^pager: slot 100 retired: virtio-blk@0x[0-9a-f]+: write page 100: .*I/O error.*; its page goes to another slot$`,
			`^pager: slot 200 retired: virtio-blk@0x[0-9a-f]+: write page 200: .*I/O error.*; its page goes to another slot$`,
			`^pressure: 8192 pages verified, 0 mismatches$`,
			`^PASS pressure-fork: `,
			`^task pressure\[\d+\]: exit 0 after .*, 0 kills: as expected$`)
		if res.Find(`[1-9]\d* mismatches`) != nil {
			t.Fatalf("a byte changed; console tail:\n%s", res.Tail(30))
		}
		res.ExpectExit(t, true)
	})
}

// TestSwapDiskBadReadSector: a disk page that fails every read. The task
// whose page was paged out there is killed when it needs it back, with a
// report naming KERN_MEMORY_ERROR, the address and the pager; no byte it
// read was wrong; the kernel goes on and runs the next program.
func TestSwapDiskBadReadSector(t *testing.T) {
	forEachArch(t, func(t *testing.T, arch string) {
		Require(t, arch)
		requireBlkdebug(t)
		disk := sparseDisk(t, 64<<20)
		res := Boot(t, Run{Arch: arch, Cmdline: "pool=8M run=pressure+hello echo=kernel-continues", Timeout: pagerTimeout,
			Make: []string{"DISK=" + disk, "DISK_BLKDEBUG=" + blkdebugRules(t, "bad-read-sector.conf")}})
		res.Expect(t,
			`^task pressure\[\d+\]: killed: page fault at pc 0x[0-9a-f]+, address 0x[0-9a-f]+, (read|write): KERN_MEMORY_ERROR: default pager on virtio-blk@0x[0-9a-f]+ at offset 0x[0-9a-f]+: defpager: read of slot 4000: .*I/O error`,
			`^task pressure\[\d+\]: killed by signal 11 after `,
			`^PASS hello$`,
			`^kernel-continues$`,
			`^end of command line: powering off$`)
		if res.Find(`[1-9]\d* mismatches`) != nil {
			t.Fatalf("a byte read back wrong; console tail:\n%s", res.Tail(30))
		}
		res.ExpectExit(t, true)
	})
}
