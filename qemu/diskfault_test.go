//go:build !tamago

package qemu

import (
	"bytes"
	"debug/elf"
	"fmt"
	"os"
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

// TestProgramDiskBadRead: the program disk fails the read of the page that
// holds hello's entry point. Only hello dies, at its first instruction,
// with a report naming KERN_MEMORY_ERROR and the image pager; the next
// program on the same disk runs, and the kernel goes on to the end of the
// command line.
func TestProgramDiskBadRead(t *testing.T) {
	forEachArch(t, func(t *testing.T, arch string) {
		Require(t, arch)
		requireBlkdebug(t)
		Build(t, arch)
		root, err := RepoRoot()
		if err != nil {
			t.Fatal(err)
		}
		sector := entrySector(t, filepath.Join(root, "build", arch, "programs.tar"),
			filepath.Join(root, "build", arch, "tasks", "hello.elf"))
		rules := filepath.Join(t.TempDir(), "bad-entry-page.conf")
		conf := fmt.Sprintf("# hello.elf's entry page on the program disk fails every read.\n"+
			"[inject-error]\nevent = \"read_aio\"\nerrno = \"5\"\nsector = \"%d\"\nonce = \"off\"\n", sector)
		if err := os.WriteFile(rules, []byte(conf), 0o644); err != nil {
			t.Fatal(err)
		}
		res := Boot(t, Run{Arch: arch, Cmdline: "run=hello+fpufork echo=kernel-continues",
			Make: []string{"PROGRAMS_BLKDEBUG=" + rules}})
		res.Expect(t,
			`^task hello\[\d+\]: killed: page fault at pc (0x[0-9a-f]+), address (0x[0-9a-f]+), execute: KERN_MEMORY_ERROR: image pager of hello(\.elf)? \(file offset 0x[0-9a-f]+\)`,
			`^task hello\[\d+\]: killed by signal 11 after `,
			`^PASS fpu-fork: `,
			`^kernel-continues$`)
		if m := res.Find(`^task hello\[\d+\]: killed: page fault at pc (0x[0-9a-f]+), address (0x[0-9a-f]+), execute`); m != nil && m[1] != m[2] {
			t.Errorf("hello died at pc %s for address %s: want its first instruction fetch", m[1], m[2])
		}
	})
}

// entrySector returns the 512-byte sector of the archive at tarPath that
// holds the first byte of the page of elfPath's entry point: the page a
// task's first instruction fetch reads from the program disk.
func entrySector(t *testing.T, tarPath, elfPath string) int64 {
	t.Helper()
	archive, err := os.ReadFile(tarPath)
	if err != nil {
		t.Fatal(err)
	}
	prog, err := os.ReadFile(elfPath)
	if err != nil {
		t.Fatal(err)
	}
	at := bytes.Index(archive, prog)
	if at < 0 {
		t.Fatalf("%s is not stored whole in %s", elfPath, tarPath)
	}
	f, err := elf.NewFile(bytes.NewReader(prog))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_LOAD && f.Entry >= p.Vaddr && f.Entry < p.Vaddr+p.Filesz {
			off := int64(p.Off + (f.Entry - p.Vaddr))
			return (int64(at) + off) &^ 4095 / 512
		}
	}
	t.Fatalf("%s: no loadable segment holds the entry point %#x", elfPath, f.Entry)
	return 0
}

// TestSwapDiskStopsAnswering: the swap disk lets 1 MiB through, then
// stops answering (QEMU I/O throttling at 1 KiB/s: 4 s per page, twice
// the driver's timeout). The driver times out instead of hanging, the
// default pager reports the dead disk once and stops using it, the
// pressure task is killed (it needs a page the disk held, or a frame
// nothing can free), and the kernel runs the next program and ends the
// command line.
func TestSwapDiskStopsAnswering(t *testing.T) {
	forEachArch(t, func(t *testing.T, arch string) {
		Require(t, arch)
		disk := sparseDisk(t, 128<<20)
		res := Boot(t, Run{Arch: arch, Cmdline: "pool=16M run=pressure+hello echo=kernel-continues", Timeout: pagerTimeout,
			Make: []string{"DISK=" + disk, "SWAP=",
				"DISK_OPTS=throttling.bps-total=1024,throttling.bps-total-max=1048576,throttling.bps-total-max-length=1"}})
		res.Expect(t,
			`^pager: default pager on virtio-blk@0x[0-9a-f]+: 32767 pages`,
			`^pager: virtio-blk@0x[0-9a-f]+ stopped answering: virtio: device did not respond in time: request not completed within \d+ ms; nothing more is paged out`,
			`^task pressure\[\d+\]: killed: page fault at pc 0x[0-9a-f]+, address 0x[0-9a-f]+, (read|write|execute): KERN_(MEMORY_ERROR|RESOURCE_SHORTAGE)`,
			`^PASS hello$`,
			`^kernel-continues$`,
			`^end of command line: powering off$`)
		if n := strings.Count(res.Console, "stopped answering"); n != 1 {
			t.Errorf("the dead disk was reported %d times, want once", n)
		}
		if res.Find(`slot \d+ retired`) != nil {
			t.Errorf("slots retired for a dead disk: its slots are not bad")
		}
		if res.Find(`[1-9]\d* mismatches`) != nil {
			t.Fatalf("a byte read back wrong; console tail:\n%s", res.Tail(30))
		}
		res.ExpectExit(t, true)
	})
}

// TestSwapDiskWriteErrorFraction: one slot in 32 of the swap disk fails
// every write (blkdebug rules generated for slots 31, 63, 95, ...). The
// pressure task (4x the pool, checksummed, forked) runs to the end with
// every byte verified; each bad slot it met is retired once and its page
// written elsewhere.
func TestSwapDiskWriteErrorFraction(t *testing.T) {
	forEachArch(t, func(t *testing.T, arch string) {
		Require(t, arch)
		requireBlkdebug(t)
		const every, slots = 32, 16384
		var conf strings.Builder
		fmt.Fprintf(&conf, "# Slot n (sectors 8n..8n+7) fails every write for n = %d, %d, ...\n", every-1, 2*every-1)
		for n := every - 1; n < slots-1; n += every { // not the last page: the write test and self-check use it
			fmt.Fprintf(&conf, "[inject-error]\nevent = \"write_aio\"\nerrno = \"5\"\nsector = \"%d\"\nonce = \"off\"\n\n", 8*n)
		}
		rules := filepath.Join(t.TempDir(), "one-in-32.conf")
		if err := os.WriteFile(rules, []byte(conf.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		disk := sparseDisk(t, 64<<20)
		res := Boot(t, Run{Arch: arch, Cmdline: "pool=8M run=pressure", Timeout: pagerTimeout,
			Make: []string{"DISK=" + disk, "DISK_BLKDEBUG=" + rules}})
		res.Expect(t,
			`^pressure: 8192 pages verified, 0 mismatches$`,
			`^PASS pressure-fork: `,
			`^task pressure\[\d+\]: exit 0 after .*, 0 kills: as expected$`)
		if res.Find(`[1-9]\d* mismatches`) != nil {
			t.Fatalf("a byte changed; console tail:\n%s", res.Tail(30))
		}
		retired := map[int]bool{}
		for _, l := range strings.Split(res.Console, "\n") {
			var slot int
			if _, err := fmt.Sscanf(l, "pager: slot %d retired:", &slot); err == nil {
				if slot%every != every-1 {
					t.Errorf("slot %d retired, but only every %dth slot is bad", slot, every)
				}
				if retired[slot] {
					t.Errorf("slot %d retired twice", slot)
				}
				retired[slot] = true
			}
		}
		if len(retired) < 16 {
			t.Errorf("%d slots retired: the workload should meet many of the bad slots", len(retired))
		}
		passes := strings.Count(res.Console, "8192 pages verified, 0 mismatches") +
			strings.Count(res.Console, "verified its 8192 pages")
		t.Logf("%s: %d write errors injected on %d slots retired (1 slot in %d bad); %d MiB verified in %d passes, 0 mismatches",
			arch, len(retired), len(retired), every, passes*8192*4096>>20, passes)
		res.ExpectExit(t, true)
	})
}
