package kernel

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/tamach/tamach/boot"
)

// poweredOff is what the fake board's PowerOff panics with, standing in for
// a machine that stops.
type poweredOff struct{}

func fakeBoard(cmdline string) *boot.Board {
	return &boot.Board{
		Arch: "amd64",
		Name: "fake",
		Memory: []boot.Region{
			{Name: "kernel image", Kind: boot.Image, Start: 0x100000, End: 0x1100000},
			{Name: "frame pool", Kind: boot.Pool, Start: 0x20000000, End: 0x40000000},
		},
		Pool:     boot.Region{Name: "frame pool", Kind: boot.Pool, Start: 0x20000000, End: 0x40000000},
		Cmdline:  func() (string, error) { return cmdline, nil },
		PowerOff: func() { panic(poweredOff{}) },
		Info:     func() []string { return []string{"cpu: fake"} },
		Checks: []boot.Check{
			{Name: "board", Run: func() (string, error) { return "fine", nil }},
		},
	}
}

func TestBootPrintsBannerMapAndChecks(t *testing.T) {
	var out bytes.Buffer
	k := &Kernel{Board: fakeBoard(""), Out: &out}
	if err := k.Boot(); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"tamach dev amd64/fake\n",
		"board: cpu: fake\n",
		"0x000000100000-0x0000010fffff     16 MiB  image  kernel image\n",
		"page-frame pool: 0x20000000-0x3fffffff, 512 MiB, 131072 frames\n",
		"selfcheck board: ok (fine)\n",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("boot output lacks %q; got:\n%s", want, out.String())
		}
	}
}

func TestFailedCheckIsReported(t *testing.T) {
	var out bytes.Buffer
	k := &Kernel{Board: fakeBoard(""), Out: &out, Checks: []boot.Check{
		{Name: "broken", Run: func() (string, error) { return "", errors.New("wrong") }},
	}}
	err := k.Boot()
	if err == nil || !strings.Contains(err.Error(), "broken") {
		t.Fatalf("Boot() = %v, want an error naming the failed check", err)
	}
	if !strings.Contains(out.String(), "selfcheck broken: FAIL: wrong\n") {
		t.Fatalf("no FAIL line; got:\n%s", out.String())
	}
}

// follow runs Follow and reports whether the board was powered off.
func follow(t *testing.T, line string) (out string, off bool) {
	t.Helper()
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
	k.Follow(line)
	return buf.String(), false
}

func TestFollowCommandLine(t *testing.T) {
	out, off := follow(t, "echo=one bogus echo=two halt echo=never")
	if !off {
		t.Fatal("halt did not power the board off")
	}
	want := "one\ncmdline: unknown word \"bogus\" (the word help lists the known ones)\ntwo\nhalt: powering off\n"
	if out != want {
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
	for _, c := range Commands {
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
