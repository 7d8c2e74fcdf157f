//go:build !tamago

package qemu

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
)

// TestRunFromProgramDisk: make qemu RUN=NAME runs a program from the
// program disk (build/<arch>/programs.tar, a tar archive attached as a
// read-only virtio disk). The kernel finds the disk by its contents, keeps
// it away from the default pager, and reads the program's pages when the
// task touches them: loading reads only the ELF headers, and the whole run
// reads fewer pages than the file has.
func TestRunFromProgramDisk(t *testing.T) {
	forEachArch(t, func(t *testing.T, arch string) {
		res := Boot(t, Run{Arch: arch, Make: []string{"RUN=hello"}})
		res.Expect(t, `^cmdline: "run=hello"$`,
			`^programs: virtio-blk@0x[0-9a-f]+: tar archive of \d+ files \(\d+ KiB\), headers read in \d+ pages$`,
			`^pager: default pager on virtio-blk@0x[0-9a-f]+: `,
			`^PASS hello$`, `^task hello\[1\]: exit 0 after .*: as expected$`)
		m := res.Find(`^program hello\.elf: (\d+)-page file on virtio-blk@0x[0-9a-f]+: loading read (\d+) disk pages; running paged in (\d+) pages \((\d+) disk pages read, \d+ ns each\)$`)
		if m == nil {
			t.Fatalf("no disk-read line; console tail:\n%s", res.Tail(20))
		}
		pages, load, pageins, reads := atoi(t, m[1]), atoi(t, m[2]), atoi(t, m[3]), atoi(t, m[4])
		t.Logf("%s: hello.elf is %d pages: loading read %d disk pages; running paged in %d (%d disk pages)", arch, pages, load, pageins, reads)
		if load == 0 || load > 4 {
			t.Errorf("loading read %d disk pages, want 1-4 (the ELF, program and section headers only)", load)
		}
		if pageins == 0 || pageins >= pages {
			t.Errorf("%d of %d pages paged in: want some, and fewer than the whole file", pageins, pages)
		}
		// cmd/mkprograms puts every file's data on a page boundary: one
		// disk page per page-in at most.
		if reads > pageins {
			t.Errorf("%d disk pages read for %d page-ins: want at most one per page-in", reads, pageins)
		}
		res.ExpectExit(t, true)
	})
}

// TestGNUTarProgramDisk: an archive made with GNU tar (-b 8: whole 4 KiB
// records) works as the program disk too; its members' data start on
// 512-byte blocks, so a page-in reads one or two disk pages.
func TestGNUTarProgramDisk(t *testing.T) {
	if _, err := exec.LookPath("tar"); err != nil {
		t.Skip("skip: tar is not on PATH")
	}
	forEachArch(t, func(t *testing.T, arch string) {
		Require(t, arch)
		Build(t, arch)
		root, err := RepoRoot()
		if err != nil {
			t.Fatal(err)
		}
		img := filepath.Join(t.TempDir(), "gnu.tar")
		tar := exec.Command("tar", "-b", "8", "--format=ustar", "-cf", img, "-C", filepath.Join(root, "build", arch, "tasks"), "segv.elf", "hello.elf")
		if msg, err := tar.CombinedOutput(); err != nil {
			t.Fatalf("tar: %v: %s", err, msg)
		}
		res := Boot(t, Run{Arch: arch, Make: []string{"RUN=hello", "PROGRAMS=" + img}})
		res.Expect(t, `^programs: virtio-blk@0x[0-9a-f]+: tar archive of 2 files `, `^PASS hello$`)
		m := res.Find(`^program hello\.elf: \d+-page file on virtio-blk@0x[0-9a-f]+: loading read \d+ disk pages; running paged in (\d+) pages \((\d+) disk pages read, \d+ ns each\)$`)
		if m == nil {
			t.Fatalf("no disk-read line; console tail:\n%s", res.Tail(20))
		}
		pageins, reads := atoi(t, m[1]), atoi(t, m[2])
		t.Logf("%s: GNU tar archive: %d page-ins read %d disk pages", arch, pageins, reads)
		if reads < pageins/2 || reads > 2*pageins {
			t.Errorf("%d disk pages read for %d page-ins: want one or two per page-in", reads, pageins)
		}
		res.ExpectExit(t, true)
	})
}

// TestRunMissingProgram: a name that is neither on the program disk nor
// bundled is a clear error and a failing exit, not a hang.
func TestRunMissingProgram(t *testing.T) {
	forEachArch(t, func(t *testing.T, arch string) {
		res := Boot(t, Run{Arch: arch, Make: []string{"RUN=nosuch"}})
		res.Expect(t, `^tasks: no program "nosuch": not on the program disk virtio-blk@0x[0-9a-f]+, and not bundled in the kernel`)
		res.ExpectExit(t, false)
	})
}

// TestProgramsWord lists the program disk; with PROGRAMS= (no program
// disk) run=hello falls back to the copy bundled in the kernel.
func TestProgramsWord(t *testing.T) {
	forEachArch(t, func(t *testing.T, arch string) {
		res := Boot(t, Run{Arch: arch, Cmdline: "programs halt"})
		res.Expect(t, `^programs: bench\.elf +\d+ bytes$`, `^programs: hello\.elf +\d+ bytes$`,
			`^programs: vmtests\.elf +\d+ bytes$`, `^halt: powering off$`)
		res.ExpectExit(t, true)

		res = Boot(t, Run{Arch: arch, Cmdline: "programs run=hello", Make: []string{"PROGRAMS="}})
		res.Expect(t, `^programs: no program disk`, `^PASS hello$`, `^task hello\[1\]: exit 0 after `)
		if res.Find(`^program hello`) != nil {
			t.Error("a disk-read line without a program disk")
		}
		res.ExpectExit(t, true)
	})
}

// TestDamagedProgramDisk: a disk that starts like a tar archive but whose
// first header's checksum is wrong is reported, and the default pager does
// not take it as swap (it could be someone's programs).
func TestDamagedProgramDisk(t *testing.T) {
	forEachArch(t, func(t *testing.T, arch string) {
		Require(t, arch)
		Build(t, arch) // makes build/<arch>/programs.tar, which the test damages
		root, err := RepoRoot()
		if err != nil {
			t.Fatal(err)
		}
		tar, err := os.ReadFile(filepath.Join(root, "build", arch, "programs.tar"))
		if err != nil {
			t.Fatal(err)
		}
		tar[0] ^= 0x20 // the first name byte: the header checksum no longer matches
		img := filepath.Join(t.TempDir(), "damaged.tar")
		if err := os.WriteFile(img, tar, 0o644); err != nil {
			t.Fatal(err)
		}
		res := Boot(t, Run{Arch: arch, Cmdline: "run=hello", Make: []string{"PROGRAMS=", "DISK=" + img}})
		res.Expect(t, `^programs: virtio-blk@0x[0-9a-f]+ starts like a tar archive but cannot be read: .*checksum`,
			`^pager: no disk: anonymous memory is never paged out$`, `^PASS hello$`)
		after, err := os.ReadFile(img)
		if err != nil {
			t.Fatal(err)
		}
		if string(after) != string(tar) {
			t.Error("the kernel wrote to the damaged archive")
		}
		res.ExpectExit(t, true)
	})
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
