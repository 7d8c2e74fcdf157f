//go:build !tamago

package qemu

import (
	"strconv"
	"testing"
)

// arches are the architectures every boot test runs on.
var arches = []string{"amd64", "arm64"}

// bootLines are the lines every boot prints, in order, before following the
// command line: the steps of kernel.Start.
func bootLines(arch string) []string {
	return []string{
		`^tamach \S+ ` + arch + `/\w+$`,
		`^cmdline: "`,
		`^memory map:$`,
		`^page-frame pool: 0x[0-9a-f]+-0x[0-9a-f]+, \d+ [KMG]iB, \d+ frames$`,
		`^machine: kernel identity map: `,
		`^pool: \d+ KiB \(\d+ pages\) of \d+ KiB for the vm system$`,
		`^pager: `,
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
		res.Expect(t, `^cmdline: "halt"$`)
		res.Expect(t, append(bootLines(arch), `^halt: powering off$`)...)
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
		res := Boot(t, Run{Arch: arch, Cmdline: "echo=one,two help halt"})
		res.Expect(t, `^one,two$`, `^command-line words`, `^  pool=SIZE `, `^halt: powering off$`)
		res.ExpectExit(t, true)
	})
}

// TestBadCommandLine: a mistyped word or value ends the run at once with a
// failing status and one line naming each bad word; nothing else runs.
func TestBadCommandLine(t *testing.T) {
	forEachArch(t, func(t *testing.T, arch string) {
		for _, c := range []struct{ line, want string }{
			{"echo=one bogus halt", `^cmdline: bad word "bogus": unknown \(the word help lists the known ones\)$`},
			{"pool=garbage", `^cmdline: bad word "pool=garbage": bad size "garbage"`},
			{"pool=0 halt", `^cmdline: bad word "pool=0": 0 is below the minimum of 1024 KiB$`},
		} {
			res := Boot(t, Run{Arch: arch, Cmdline: c.line})
			res.Expect(t, c.want)
			res.ExpectExit(t, false)
			if res.Find(`^one$|^memory map:$|powering off`) != nil {
				t.Fatalf("%q: the kernel went on after a bad command line; console tail:\n%s", c.line, res.Tail(20))
			}
		}
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
	"arm64": {
		`^\*\*\* CPU exception: current EL with SPx synchronous \(VBAR_EL1\+0x200\)$`,
		`EC 0x25 data abort`,
		`DFSC 0x4 translation fault, level 0; WnR 0 \(read\)`,
		`^FAR_EL1  0x0000400000000000$`,
		`^ELR_EL1 .*kernel\.touch`,
		`^instruction: 0x[0-9a-f]{8}  `,
		`^x30 `,
		`^backtrace`,
		`kernel\.\(\*Kernel\)\.follow`,
	},
}

func TestKernelFaultReport(t *testing.T) {
	forEachArch(t, func(t *testing.T, arch string) {
		want := faultReport[arch]
		res := Boot(t, Run{Arch: arch, Cmdline: "fault"})
		res.Expect(t, append([]string{`^fault: reading unmapped address 0x400000000000$`}, want...)...)
		res.ExpectExit(t, false)
	})
}

// TestArm64EntryLevels boots the arm64 kernel with QEMU entering at EL2
// (virtualization=on) and EL3 (secure=on): the board must drop to EL1 and
// power off cleanly either way.
func TestArm64EntryLevels(t *testing.T) {
	for _, el := range []string{"1", "2", "3"} {
		t.Run("EL"+el, func(t *testing.T) {
			res := Boot(t, Run{Arch: "arm64", Cmdline: "halt", Make: []string{"VIRT_EL=" + el}})
			res.Expect(t, append(bootLines("arm64"), `^halt: powering off$`)...)
			res.ExpectExit(t, true)
			if m := res.Find(`entered at EL(\d)`); m == nil || m[1] != el {
				t.Fatalf("board did not report entering at EL%s (found %q); console tail:\n%s", el, m, res.Tail(30))
			}
			if res.Find(`runs at EL1`) == nil {
				t.Fatalf("board did not report running at EL1; console tail:\n%s", res.Tail(30))
			}
		})
	}
}

// mmuChecks are the self-check lines proving each kernel runs on tables its
// pmap package built, and that user mode works.
var mmuChecks = map[string][]string{
	"amd64": {
		`^machine: kernel identity map: \d+ ranges, \d+ MiB, \d+ table pages, pages 4 KiB x\d+ 2 MiB x\d+ 1 GiB x\d+, NX on, PCID (on|off), WP on, CR3 0x[0-9a-f]+$`,
		`^selfcheck pmap-scratch: ok \(va 0xffffc00000000000 -> pa:0x[0-9a-f]+, pattern ok, Extract and Stats agree, read and write fault after remove\)$`,
		`^selfcheck usermode: ok \(syscall, write fault at 0x600000 resolved, preempted by the timer`,
	},
	"arm64": {
		`^machine: kernel identity map: .*ASID 1 of 16-bit`,
		`^selfcheck pmap-scratch: ok \(va 0x600000000000 -> pa:0x[0-9a-f]+, pattern ok, Extract and Stats agree, the MMU's translation agrees, read and write fault after remove; ZeroPage by DC ZVA, \d+-byte blocks ok\)$`,
		`^selfcheck usermode: ok \(svc nr 0x7a1 args ok; store fault at 0x600008 \(write, translation fault, level 2\) resolved`,
	},
}

func TestMMUSelfChecks(t *testing.T) {
	forEachArch(t, func(t *testing.T, arch string) {
		res := Boot(t, Run{Arch: arch, Cmdline: "halt"})
		res.Expect(t, mmuChecks[arch]...)
		res.ExpectExit(t, true)
	})
}

// TestArm64SoftwareAccessFlag boots on a CPU without FEAT_HAFDBS: the pmap
// maps pages with AF=0 and writable pages read-only until written, and the
// EL0 program in the usermode check must go through FastFault. A task then
// runs: its Access-flag and dirty-state faults reach Map.Fault, which hands
// them to FastFault (the one fast-fault path).
func TestArm64SoftwareAccessFlag(t *testing.T) {
	res := Boot(t, Run{Arch: "arm64", Cmdline: "run=hello", Make: []string{"VIRT_CPU=cortex-a72"}})
	res.Expect(t, append(mmuChecks["arm64"], `^PASS hello$`, `^task hello\[1\]: exit 0 after `)...)
	if m := res.Find(`; (\d+) FastFaults \(hardware AF false`); m == nil || m[1] == "0" {
		t.Fatalf("usermode check did not resolve faults through FastFault; console tail:\n%s", res.Tail(30))
	}
	res.ExpectExit(t, true)
}
