package kernel

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/tamach/tamach/boot"
	"github.com/tamach/tamach/kernel/machine"
	"github.com/tamach/tamach/pmap"
	"github.com/tamach/tamach/vm/vmtest"
)

// poweredOff and failed are what the fake board's PowerOff and Fail panic
// with, standing in for a machine that stops.
type (
	poweredOff struct{}
	failed     struct{}
)

// Physical layout of the fake board: a 16 MiB pool at 1 GiB, in a host
// arena that stands for its RAM.
const (
	fakePoolStart = 0x4000_0000
	fakePoolSize  = 16 << 20
)

func fakeBoard(cmdline string) *boot.Board {
	pool := boot.Region{Name: "frame pool", Kind: boot.Pool, Start: fakePoolStart, End: fakePoolStart + fakePoolSize}
	return &boot.Board{
		Arch: "amd64",
		Name: "fake",
		Memory: []boot.Region{
			{Name: "kernel image", Kind: boot.Image, Start: 0x100000, End: 0x1100000},
			pool,
		},
		Pool:     pool,
		Cmdline:  func() (string, error) { return cmdline, nil },
		PowerOff: func() { panic(poweredOff{}) },
		Fail:     func() { panic(failed{}) },
		Nanotime: func() int64 { return 42 },
		Info:     func() []string { return []string{"cpu: fake"} },
		Checks: []boot.Check{
			{Name: "board", Run: func() (string, error) { return "fine", nil }},
		},
	}
}

// fakeMachine is a machine.Machine on the host: the real pmap/amd64
// format over the arena, and no way to run user code.
type fakeMachine struct {
	sys     pmap.System
	managed boot.Region
}

func (m *fakeMachine) Arch() string                                { return "amd64" }
func (m *fakeMachine) Summary() string                             { return "fake machine" }
func (m *fakeMachine) System() pmap.System                         { return m.sys }
func (m *fakeMachine) VMFrames() boot.Region                       { return m.managed }
func (m *fakeMachine) UserRange() (pmap.VAddr, pmap.VAddr)         { return pmap.PageSize, 1 << 47 }
func (m *fakeMachine) NewContext() machine.Context                 { return nil }
func (m *fakeMachine) PrepareSpace(pmap.Pmap) error                { return nil }
func (m *fakeMachine) Run(machine.Context, pmap.Pmap) machine.Trap { panic("fakeMachine.Run") }
func (m *fakeMachine) Checks() []boot.Check {
	return []boot.Check{{Name: "machine", Run: func() (string, error) { return "", nil }}}
}

// bootSteps runs the boot sequence's steps 1 to 7 on the fake board, as
// Start does, with the command line's options applied.
func bootSteps(t *testing.T, line string) (*Kernel, string) {
	t.Helper()
	var out bytes.Buffer
	arena := pmap.NewArena(fakePoolStart, fakePoolSize)
	k := &Kernel{Board: fakeBoard(line), Out: &out, Memory: arena}
	words, err := parseCmdline(line)
	if err != nil {
		t.Fatal(err)
	}
	k.applyOptions(words)
	k.printMemoryMap()
	managed := k.splitPool()
	start := func(cfg machine.Config) (machine.Machine, error) {
		sys, err := vmtest.AMD64.New(vmtest.Machine{Memory: arena, Frames: cfg.Tables,
			PoolBase: pmap.PAddr(cfg.Managed.Start), PoolSize: cfg.Managed.Size()})
		return &fakeMachine{sys: sys, managed: cfg.Managed}, err
	}
	if err := k.startMachine(start, managed); err != nil {
		t.Fatal(err)
	}
	if err := k.startVM(); err != nil {
		t.Fatal(err)
	}
	k.findDisks()
	if err := k.startTasks(); err != nil {
		t.Fatal(err)
	}
	return k, out.String()
}

func TestBootSteps(t *testing.T) {
	k, out := bootSteps(t, "")
	for _, want := range []string{
		"0x000000100000-0x0000010fffff     16 MiB  image  kernel image\n",
		"page-frame pool: 0x40000000-0x40ffffff, 16 MiB, 4096 frames\n",
		"machine: fake machine\n",
		"pool: 12288 KiB (3072 pages) of 12288 KiB for the vm system\n",
		"pager: no disk: anonymous memory is never paged out\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("boot output lacks %q; got:\n%s", want, out)
		}
	}
	if got := k.vm.PoolPages(); got != 3072 {
		t.Errorf("vm pool %d pages, want the 3072 managed frames", got)
	}
	if k.tables.Free() == 0 || k.tasks == nil {
		t.Error("no table frames or no task layer")
	}
}

func TestPoolOption(t *testing.T) {
	k, out := bootSteps(t, "pool=4M")
	if got := k.vm.PoolPages(); got != 1024 {
		t.Errorf("pool=4M: vm pool %d pages, want 1024", got)
	}
	if !strings.Contains(out, "pool: 4096 KiB (1024 pages) of 12288 KiB for the vm system\n") {
		t.Errorf("pool line missing; got:\n%s", out)
	}
	if k, _ := bootSteps(t, "pool=1G"); k.vm.PoolPages() != 3072 {
		t.Errorf("pool=1G above the managed frames: %d pages, want all 3072", k.vm.PoolPages())
	}
}

func TestBannerAndChecks(t *testing.T) {
	var out bytes.Buffer
	k := &Kernel{Board: fakeBoard(""), Out: &out}
	k.checks = append(k.checks, k.Board.Checks...)
	k.printBanner()
	if err := k.runChecks(); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"tamach dev amd64/fake\n", "clock: banner at 42 ns since reset\n", "board: cpu: fake\n", "selfcheck board: ok (fine)\n"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q; got:\n%s", want, out.String())
		}
	}
}

func TestFailedCheckIsReported(t *testing.T) {
	var out bytes.Buffer
	k := &Kernel{Board: fakeBoard(""), Out: &out, checks: []boot.Check{
		{Name: "broken", Run: func() (string, error) { return "", errors.New("wrong") }},
	}}
	err := k.runChecks()
	if err == nil || !strings.Contains(err.Error(), "broken") {
		t.Fatalf("runChecks() = %v, want an error naming the failed check", err)
	}
	if !strings.Contains(out.String(), "selfcheck broken: FAIL: wrong\n") {
		t.Fatalf("no FAIL line; got:\n%s", out.String())
	}
	// An optional check (a device the kernel runs without) is reported,
	// and does not fail the boot.
	out.Reset()
	k.checks = []boot.Check{{Name: "disk", Optional: true, Run: func() (string, error) { return "", errors.New("I/O error") }}}
	if err := k.runChecks(); err != nil {
		t.Fatalf("an optional check failed the boot: %v", err)
	}
	if !strings.Contains(out.String(), "selfcheck disk: FAIL: I/O error (optional: the kernel goes on without it)\n") {
		t.Fatalf("no FAIL line for the optional check; got:\n%s", out.String())
	}
}

func TestParseCmdline(t *testing.T) {
	words, err := parseCmdline("  echo=one  pool=16M trace run=hello+segv halt ")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, w := range words {
		got = append(got, w.cmd.Name+"="+w.value)
	}
	if want := "echo=one pool=16M trace= run=hello+segv halt="; strings.Join(got, " ") != want {
		t.Errorf("words %q, want %q", strings.Join(got, " "), want)
	}
	for line, want := range map[string]string{
		"pool=garbage":         `bad word "pool=garbage": bad size "garbage"`,
		"pool=0":               `bad word "pool=0": 0 is below the minimum of 1024 KiB`,
		"pool":                 `bad word "pool": pool needs a value: pool=SIZE`,
		"halt=now":             `bad word "halt=now": halt takes no value`,
		"bogus":                `bad word "bogus": unknown`,
		"run=":                 `bad word "run=": run needs a value`,
		"run=+":                `bad word "run=+": no program named`,
		"echo=ok bogus halt=1": "bad word \"bogus\": unknown (the word help lists the known ones)\nbad word \"halt=1\": halt takes no value",
	} {
		_, err := parseCmdline(line)
		if err == nil || !errors.Is(err, errCmdline) || !strings.Contains(err.Error(), want) {
			t.Errorf("parseCmdline(%q) = %v, want an error containing %q", line, err, want)
		}
	}
}

// follow parses line and follows it, and reports whether the board was
// powered off.
func follow(t *testing.T, line string) (out string, off bool) {
	t.Helper()
	words, err := parseCmdline(line)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	k := &Kernel{Board: fakeBoard(line), Out: &buf}
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(poweredOff); !ok {
				panic(r)
			}
			out, off = buf.String(), true
		}
	}()
	k.follow(words)
	return buf.String(), false
}

func TestFollowCommandLine(t *testing.T) {
	out, off := follow(t, "echo=one trace echo=two halt echo=never")
	if !off {
		t.Fatal("halt did not power the board off")
	}
	if want := "one\ntwo\nclock: power-off at 42 ns since reset\nhalt: powering off\n"; out != want {
		t.Fatalf("output:\n%s\nwant:\n%s", out, want)
	}
}

func TestPanicWord(t *testing.T) {
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "panic requested") {
			t.Fatalf("recover() = %v, want the requested panic", r)
		}
	}()
	follow(t, "panic")
}

func TestHelpListsEveryWord(t *testing.T) {
	out, _ := follow(t, "help")
	for _, c := range Commands() {
		if !strings.Contains(out, "  "+c.Name) {
			t.Errorf("help does not list %q", c.Name)
		}
	}
}

func TestFormatSize(t *testing.T) {
	for n, want := range map[uint64]string{
		0: "0 B", 1000: "1000 B", 4096: "4 KiB", 1536 << 10: "1.5 MiB", 3 << 30: "3 GiB",
		769984 << 10: "751.9 MiB", 1023: "1023 B",
	} {
		if got := FormatSize(n); got != want {
			t.Errorf("FormatSize(%d) = %q, want %q", n, got, want)
		}
	}
}
