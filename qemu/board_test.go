//go:build !tamago

package qemu

import (
	"context"
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Boot tests of the NXP i.MX 8M Plus EVK board (boot/imx8mpevk) under
// QEMU's imx8mp-evk machine (QEMU 9.2 or later; each test skips with one
// line where the machine is missing). The same kernel and tasks as on
// virt: the tests check what the board adds (UART2, the boot-files archive
// instead of fw_cfg, SD cards instead of virtio, power-off by PSCI,
// semihosting or the watchdog, the flat image of make image) and that the
// common boot, tasks, faults and paging behave as on virt.

const imx = "imx8mpevk"

// imxRun is a boot of the EVK.
func imxRun(cmdline string, make ...string) Run {
	return Run{Arch: "arm64", Board: imx, Cmdline: cmdline, Make: make}
}

// imxBoardLines are the EVK's own lines at boot, in order.
var imxBoardLines = []string{
	`^tamach \S+ arm64/imx8mpevk$`,
	`^board: exception level: entered at EL3, kernel runs at EL1$`,
	`^board: cpu: MIDR_EL1 0x410fd034 \(implementer 0x41, variant 0, architecture 0xf, part 0xd03, revision 4\)$`,
	`^board: timer: generic timer, CNTVCT_EL0 at 8000000 Hz`,
	`^board: gic: GICv3 \(GICD_PIDR2.ArchRev\), distributor 0x38800000, redistributor 0x38880000`,
	`^board: power: off via semihosting SYS_EXIT_EXTENDED; .*without semihosting: watchdog reset \(WDOG1\)$`,
	`^board: console: UART2 at 0x30890000`,
	`^board: boot files at 0x50000000: \d+ bytes, \[opt/tamach/cmdline\]$`,
}

func TestBoardHalt(t *testing.T) {
	res := Boot(t, imxRun("halt"))
	res.Expect(t, imxBoardLines...)
	res.Expect(t, append(bootLines("arm64"), `^halt: powering off$`)...)
	res.Expect(t, `^page-frame pool: 0x58000000-0x7fffffff, 640 MiB, 163840 frames$`)
	res.ExpectExit(t, true)
}

// TestBoardSelfChecks: the machine's checks (the kernel on pmap/arm64's
// tables, user mode) and the board's (EL1, timer, RNG fallback, vectors,
// the timer's interrupt through the GIC, the SD cards).
func TestBoardSelfChecks(t *testing.T) {
	res := Boot(t, imxRun("halt"))
	res.Expect(t, mmuChecks["arm64"]...)
	res.Expect(t,
		`^selfcheck imx8mpevk-el1: ok \(entered EL3, running EL1\)$`,
		`^selfcheck imx8mpevk-timer: ok \(8000000 Hz\)$`,
		`^selfcheck imx8mpevk-rng: ok \(SplitMix64 seeded from CNTVCT \(no FEAT_RNG: NOT cryptographically secure\)\)$`,
		`^selfcheck imx8mpevk-vectors: ok \(VBAR_EL1 0x[0-9a-f]+; BRK reached SPx and SP0 synchronous entries\)$`,
		`^selfcheck imx8mpevk-gic-timer-irq: ok \(INTID 27 at current EL with SPx IRQ \(VBAR_EL1\+0x280\)\)$`,
		`^selfcheck sd: ok \(usdhc2: SDSC \(byte addressing\) card, 16 MiB, 4-bit bus at 25 MHz, ADMA2; `+
			`usdhc2: tar archive: offered read-only \(program disk\); `+
			`usdhc3: SDSC \(byte addressing\) card, 64 MiB, 4-bit bus at 25 MHz, ADMA2; `+
			`usdhc3: blank: swap label written: offered as swap \(16383 pages after the label\); `+
			`usdhc2: 4096 pages \(16 MiB\); read \d+ ns/page \(read-only disk\); `+
			`usdhc3:swap: 16383 pages \(63 MiB\); read \d+ ns/page, write \d+ ns/page, 32 rounds; last page written, flushed, read back, restored\)$`)
	if res.Find(`FastFaults \(hardware AF false`) == nil {
		t.Errorf("the Cortex-A53 has no FEAT_HAFDBS: the usermode check should have used FastFault; console tail:\n%s", res.Tail(30))
	}
	res.ExpectExit(t, true)
}

// TestBoardTasks: make qemu BOARD=imx8mpevk with no CMDLINE runs every
// bundled program, as TestTasks does on virt.
func TestBoardTasks(t *testing.T) {
	r := imxRun("")
	r.NoCmdline, r.Timeout = true, tasksTimeout
	res := Boot(t, r)
	res.Expect(t, `^cmdline: "tasks"$`)
	res.Expect(t, tasksLines...)
	if res.Find(`^FAIL `) != nil {
		t.Errorf("a task printed FAIL; console tail:\n%s", res.Tail(60))
	}
	res.ExpectExit(t, true)
}

// TestBoardRunFromSD: RUN=hello pages hello in from the program disk, an
// SD card in uSDHC2.
func TestBoardRunFromSD(t *testing.T) {
	res := Boot(t, imxRun("", "RUN=hello"))
	res.Expect(t, `^cmdline: "run=hello"$`,
		`^programs: usdhc2: tar archive of \d+ files \(\d+ KiB\), headers read in \d+ pages$`,
		`^pager: default pager on usdhc3:swap: `,
		`^PASS hello$`,
		`^program hello\.elf: \d+-page file on usdhc2: loading read \d+ disk pages; running paged in \d+ pages`,
		`^task hello\[1\]: exit 0 after .*: as expected$`,
		`^end of command line: powering off$`)
	res.ExpectExit(t, true)
}

// TestBoardRunELF: make qemu RUN=file passes the ELF in the boot-files
// archive, which QEMU's generic loader put at 0x50000000.
func TestBoardRunELF(t *testing.T) {
	res := Boot(t, imxRun("", "RUN=build/arm64/tasks/hello.elf"))
	res.Expect(t, `^board: boot files at 0x50000000: \d+ bytes, \[opt/tamach/cmdline opt/tamach/run\]$`,
		`^cmdline: "run=fwcfg"$`, `^PASS hello$`, `^task run\[1\]: exit 0 after `, `^end of command line: powering off$`)
	res.ExpectExit(t, true)
}

// TestBoardFailures: a kernel fault's report and a panic's backtrace, each
// with a failing exit (semihosting), and a killed task's status.
func TestBoardFailures(t *testing.T) {
	res := Boot(t, imxRun("fault"))
	res.Expect(t, append([]string{`^fault: reading unmapped address 0x400000000000$`}, faultReport["arm64"]...)...)
	res.ExpectExit(t, false)

	res = Boot(t, imxRun("panic"))
	res.Expect(t, `panic: kernel: panic requested on the command line`, `^goroutine \d+`, `kernel\.cmdPanic`)
	res.ExpectExit(t, false)

	res = Boot(t, imxRun("run=segv"))
	res.Expect(t, `^task segv\[1\]: killed: page fault at pc 0x[0-9a-f]+, address 0x10, read: KERN_INVALID_ADDRESS: `,
		`^run: exiting with the task's status 139$`)
	res.ExpectExit(t, false)
}

// TestBoardEntryEL2: with EL3 off, QEMU starts the A53 at EL2, as U-Boot
// leaves it on the real board; the kernel drops to EL1 and powers off
// through PSCI over SMC (QEMU's PSCI emulation standing in for TF-A).
func TestBoardEntryEL2(t *testing.T) {
	res := Boot(t, imxRun("halt", "IMX_EL=2"))
	res.Expect(t, `^board: exception level: entered at EL2, kernel runs at EL1$`,
		`^board: power: off via PSCI SYSTEM_OFF over SMC; `,
		`^selfcheck imx8mpevk-el1: ok \(entered EL2, running EL1\)$`, `^halt: powering off$`)
	res.ExpectExit(t, true)
}

// TestBoardWithoutSemihosting: without semihosting (a board with no
// debugger attached), the semihosting call is an undefined instruction the
// kernel steps over, and the watchdog resets the SoC; with -no-reboot
// QEMU then exits instead of hanging.
func TestBoardWithoutSemihosting(t *testing.T) {
	for _, c := range []struct{ cmdline, want string }{
		{"halt", `^armv8: power-off: no semihosting; watchdog reset \(WDOG1\)$`},
		{"panic", `^armv8: failing exit: no semihosting; watchdog reset \(WDOG1\)$`},
	} {
		res := Boot(t, imxRun(c.cmdline, "IMX_SEMIHOSTING=off"))
		res.Expect(t, c.want)
		if res.Find(`CPU exception`) != nil {
			t.Errorf("%s: the semihosting HLT was reported as an exception; console tail:\n%s", c.cmdline, res.Tail(20))
		}
		// A reset cannot carry a status: QEMU exits 0 either way.
		res.ExpectExit(t, true)
	}
}

// TestBoardPager runs the pressure task on a 4 MiB pool with a blank
// 64 MiB SD card as DISK (uSDHC3): the board labels the blank card as
// swap, and every page written to it must come back. A quarter of the
// virt test's traffic: QEMU's SD card costs about a millisecond of host
// time per page (boot/usdhc).
func TestBoardPager(t *testing.T) {
	RequireBoard(t, imx)
	disk := sparseDisk(t, 64<<20)
	r := imxRun("pool=4M run=pressure", "DISK="+disk)
	r.Timeout = 300 * time.Second
	res := Boot(t, r)
	res.Expect(t,
		`^pool: 4096 KiB \(1024 pages\) of \d+ KiB for the vm system$`,
		`^pager: default pager on usdhc3:swap: 16382 pages \(65528 KiB\) of backing store`,
		`^pressure: pool 1024 pages, touching 4096 pages \(16384 KiB\)$`,
		`^PASS pressure-write: pageouts \d+ pageins \d+ `,
		`^pressure: 4096 pages verified, 0 mismatches$`,
		`^PASS pressure-verify: `,
		`^pressure: child \d+ verified its 4096 pages \(2048 rewritten\), 0 mismatches$`,
		`^PASS pressure-fork: `,
		`^task pressure\[\d+\]: exit 0 after .*: as expected$`,
		`^end of command line: powering off$`)
	atLeast(t, res, `^PASS pressure-write: pageouts (\d+) `, 3*1024)
	atLeast(t, res, `^PASS pressure-verify: pageouts \d+ pageins (\d+) `, 3*1024)
	res.ExpectExit(t, true)
	b, err := os.ReadFile(disk)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(b), "tamach swap v1\n") {
		t.Errorf("the blank DISK did not get the swap label")
	}
}

// TestBoardPartitionedCard: an SD card laid out as docs/boards.md says
// for the real board, an MBR with a FAT partition (left alone), the
// program archive in partition 2 and a blank partition 3 (made swap).
func TestBoardPartitionedCard(t *testing.T) {
	RequireBoard(t, imx)
	BuildBoard(t, imx) // makes build/arm64/programs.tar
	root, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	tar, err := os.ReadFile(filepath.Join(root, "build", "arm64", "programs.tar"))
	if err != nil {
		t.Fatal(err)
	}
	const sector, card = 512, 64 << 20
	img := make([]byte, card)
	parts := [][3]uint32{ // type, first sector, sectors
		{0x0c, 2048, 14336},  // 1 MiB, 7 MiB: FAT32 (LBA)
		{0xda, 16384, 49152}, // 8 MiB, 24 MiB: the program archive
		{0xda, 65536, 65536}} // 32 MiB, 32 MiB: blank
	for i, p := range parts {
		e := img[446+16*i:]
		e[4] = byte(p[0])
		binary.LittleEndian.PutUint32(e[8:], p[1])
		binary.LittleEndian.PutUint32(e[12:], p[2])
	}
	img[510], img[511] = 0x55, 0xaa
	copy(img[2048*sector:], []byte{0xeb, 0x58, 0x90, 'm', 'k', 'f', 's', '.', 'f', 'a', 't'})
	if len(tar) > 24<<20 {
		t.Fatalf("programs.tar is %d bytes, more than partition 2", len(tar))
	}
	copy(img[16384*sector:], tar)
	path := filepath.Join(t.TempDir(), "card.img")
	if err := os.WriteFile(path, img, 0o644); err != nil {
		t.Fatal(err)
	}
	res := Boot(t, imxRun("pool=4M run=hello", "DISK="+path, "PROGRAMS="))
	res.Expect(t,
		`^programs: usdhc3p2: tar archive of \d+ files `,
		`^pager: default pager on usdhc3p3:swap: 8190 pages `,
		`^selfcheck sd: ok \(usdhc2: no SD card; usdhc3: SDSC \(byte addressing\) card, 64 MiB, .*usdhc3p1: holds data .*left alone; usdhc3p2: tar archive: offered read-only \(program disk\); usdhc3p3: blank: swap label written: offered as swap \(8191 pages after the label\)`,
		`^PASS hello$`,
		`^program hello\.elf: \d+-page file on usdhc3p2: `,
		`^end of command line: powering off$`)
	res.ExpectExit(t, true)
}

// TestBoardImage: make image writes what U-Boot loads, and the flat
// binary boots the way U-Boot's go runs it: QEMU's generic loader puts it
// at 0x40200000 and sets the PC to the entry make image printed, the CPU
// at EL2 as U-Boot leaves it (IMX_BIN=1, IMX_EL=2).
func TestBoardImage(t *testing.T) {
	RequireBoard(t, imx)
	root, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), BuildTimeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, "make", "-s", "--no-print-directory", "-C", root, "image", "BOARD="+imx, "ARCH=", "CMDLINE=halt").CombinedOutput()
	if err != nil {
		t.Fatalf("make image: %v\n%s", err, out)
	}
	t.Logf("make image:\n%s", out)
	m := regexpFind(string(out), `U-Boot: load it at (0x[0-9a-f]+), then: go (0x[0-9a-f]+)`)
	if m == nil || m[1] != "0x40200000" {
		t.Fatalf("make image did not say where to load the flat binary:\n%s", out)
	}
	dir := filepath.Join(root, "build", imx)
	for _, f := range []string{"tamach.elf", "tamach.bin", "tamach.entry", "bootfiles.tar"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("make image did not write %s: %v", f, err)
		}
	}
	entry, err := os.ReadFile(filepath.Join(dir, "tamach.entry"))
	if err != nil || strings.TrimSpace(string(entry)) != m[2] {
		t.Errorf("tamach.entry holds %q, make image printed %s", entry, m[2])
	}
	res := Boot(t, imxRun("halt", "IMX_BIN=1", "IMX_EL=2"))
	res.Expect(t, `^tamach \S+ arm64/imx8mpevk$`, `^board: exception level: entered at EL2, kernel runs at EL1$`,
		`^halt: powering off$`)
	res.ExpectExit(t, true)
}

// TestBoardClockUnderICount reports the board's boot in guest
// instructions: to the banner, and to power-off after the self-checks.
func TestBoardClockUnderICount(t *testing.T) {
	r := imxRun("halt")
	r.ICount = true
	res := Boot(t, r)
	res.ExpectExit(t, true)
	banner := res.Find(`^clock: banner at (\d+) ns since reset$`)
	off := res.Find(`^clock: power-off at (\d+) ns since reset$`)
	if banner == nil || off == nil {
		t.Fatalf("no clock lines; console tail:\n%s", res.Tail(20))
	}
	b, _ := strconv.ParseInt(banner[1], 10, 64)
	o, _ := strconv.ParseInt(off[1], 10, 64)
	if b <= 0 || o < b {
		t.Fatalf("clock went from %d at the banner to %d at power-off", b, o)
	}
	t.Logf("imx8mpevk: %d guest instructions to the banner, %d to power-off (wall %v)", b, o, res.Elapsed)
}

// regexpFind returns the submatches of pattern's first match in s.
func regexpFind(s, pattern string) []string {
	return (&Result{Console: s}).Find(pattern)
}
