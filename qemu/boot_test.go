package qemu

import (
	"strconv"
	"testing"
)

// arches are the architectures every boot test runs on.
var arches = []string{"amd64", "arm64"}

// bootLines are the lines every boot prints, in order, before following the
// command line.
func bootLines(arch string) []string {
	return []string{
		`^tamach \S+ ` + arch + `/\w+$`,
		`^memory map:$`,
		`^page-frame pool: 0x[0-9a-f]+-0x[0-9a-f]+, \d+ [KMG]iB, \d+ frames$`,
		`^selfcheck \S+: ok`,
	}
}

func forEachArch(t *testing.T, f func(t *testing.T, arch string)) {
	for _, arch := range arches {
		t.Run(arch, func(t *testing.T) { f(t, arch) })
	}
}

func TestBootHalt(t *testing.T) {
	forEachArch(t, func(t *testing.T, arch string) {
		res := Boot(t, Run{Arch: arch, Cmdline: "halt"})
		res.Expect(t, append(bootLines(arch), `^cmdline: "halt"$`, `^halt: powering off$`)...)
		res.ExpectExit(t, true)
	})
}

func TestBootWithoutCommandLinePowersOff(t *testing.T) {
	forEachArch(t, func(t *testing.T, arch string) {
		res := Boot(t, Run{Arch: arch})
		res.Expect(t, append(bootLines(arch), `^end of command line: powering off$`)...)
		res.ExpectExit(t, true)
	})
}

func TestCommandLineWords(t *testing.T) {
	forEachArch(t, func(t *testing.T, arch string) {
		res := Boot(t, Run{Arch: arch, Cmdline: "echo=one,two bogus help halt"})
		res.Expect(t, `^one,two$`, `^cmdline: unknown word "bogus"`, `^command-line words:$`, `^halt: powering off$`)
		res.ExpectExit(t, true)
	})
}

func TestPanicExitsNonZeroWithBacktrace(t *testing.T) {
	forEachArch(t, func(t *testing.T, arch string) {
		res := Boot(t, Run{Arch: arch, Cmdline: "panic"})
		res.Expect(t, `panic: kernel: panic requested on the command line`, `^goroutine \d+`, `kernel\.cmdPanic`)
		res.ExpectExit(t, false)
	})
}

// TestBootClockUnderICount boots with one guest instruction per virtual
// nanosecond and reports the instruction counts to the banner and to halt.
func TestBootClockUnderICount(t *testing.T) {
	forEachArch(t, func(t *testing.T, arch string) {
		res := Boot(t, Run{Arch: arch, Cmdline: "halt", ICount: true})
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
		t.Logf("%s: %d guest instructions to the banner, %d to power-off (wall %v)", arch, b, o, res.Elapsed)
	})
}

// faultReport is what each architecture's exception report prints when the
// kernel reads an unmapped address (the command-line word fault).
var faultReport = map[string][]string{
	"amd64": {
		`#PF page fault \(vector 14\) at CPL0`,
		`CR2 0x0000400000000000 \(page not present, read, kernel mode\)`,
		`RAX 0x[0-9a-f]{16}`,
		`RIP 0x[0-9a-f]{16}`,
		`instruction: .*kernel\.touch.*mov `,
		`^goroutine \d+`,
		`kernel\.cmdFault`,
	},
}

func TestKernelFaultReport(t *testing.T) {
	forEachArch(t, func(t *testing.T, arch string) {
		want, ok := faultReport[arch]
		if !ok {
			t.Skipf("skip: no fault report expectations for %s yet", arch)
		}
		res := Boot(t, Run{Arch: arch, Cmdline: "fault"})
		res.Expect(t, append([]string{`^fault: reading unmapped address 0x400000000000$`}, want...)...)
		res.ExpectExit(t, false)
	})
}
