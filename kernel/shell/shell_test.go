package shell

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/tamach/tamach/pmap"
	"github.com/tamach/tamach/vm"
)

// fake is a kernel of tasks that each run for a number of steps, then exit 0.
type fake struct {
	tasks  map[int]*fakeTask
	next   int
	steps  int
	trace  bool
	halted int // status + 1
	killed []int
	reaped []int
}

type fakeTask struct {
	name   string
	left   int // steps until it exits; -1 forever
	status string
}

func newFake() *fake { return &fake{tasks: map[int]*fakeTask{}, next: 1} }

func (f *fake) Start(name string) (int, error) {
	left := map[string]int{"hello": 3, "sleeper": -1}[name]
	if left == 0 {
		return 0, fmt.Errorf("no program %q", name)
	}
	f.tasks[f.next] = &fakeTask{name: name, left: left}
	f.next++
	return f.next - 1, nil
}

func (f *fake) Step() bool {
	ran := false
	for _, t := range f.tasks {
		if t.status == "" && t.left > 0 {
			t.left--
			if t.left == 0 {
				t.status = "exit 0"
			}
			ran = true
		}
	}
	f.steps++
	return ran
}

func (f *fake) Idle() {}

func (f *fake) Now() int64 { return int64(f.steps) * 1e6 }

func (f *fake) Tasks() []Proc {
	var ps []Proc
	for id := 1; id < f.next; id++ {
		if t, ok := f.tasks[id]; ok {
			st := "runnable"
			if t.status != "" {
				st = "zombie"
			}
			ps = append(ps, Proc{PID: id, Name: t.name, State: st, Threads: 1, Resident: 10, Faults: 20, Syscalls: 30})
		}
	}
	return ps
}

func (f *fake) task(pid int) (*fakeTask, error) {
	t, ok := f.tasks[pid]
	if !ok {
		return nil, fmt.Errorf("no such task: %d", pid)
	}
	return t, nil
}

func (f *fake) Status(pid int) (string, bool, error) {
	t, err := f.task(pid)
	if err != nil {
		return "", false, err
	}
	return t.status, t.status != "", nil
}

func (f *fake) Reap(pid int) error {
	delete(f.tasks, pid)
	f.reaped = append(f.reaped, pid)
	return nil
}

func (f *fake) Kill(pid int) error {
	t, err := f.task(pid)
	if err != nil {
		return err
	}
	if t.status != "" {
		return errors.New("already ended")
	}
	t.status = "killed by signal 9"
	f.killed = append(f.killed, pid)
	return nil
}

func (f *fake) VMStat() vm.Statistics {
	return vm.Statistics{FreeCount: 1000, ActiveCount: 20, Faults: 7, ZeroFills: 5, CowFaults: 2}
}

func (f *fake) VMMap(pid int) ([]vm.EntryView, error) {
	if _, err := f.task(pid); err != nil {
		return nil, err
	}
	return []vm.EntryView{
		{Start: 0x400000, End: 0x410000, Prot: pmap.ProtRead | pmap.ProtExecute, MaxProt: pmap.ProtRead | pmap.ProtExecute,
			Inherit: vm.InheritCopy, Object: 3, ShareMode: vm.SMCOW, Resident: 4, Backing: "image pager of x (file offset 0x1000) +0x0"},
		{Start: 0x80000000, End: 0x80004000, Prot: pmap.ProtRead | pmap.ProtWrite, MaxProt: pmap.ProtAll,
			Inherit: vm.InheritCopy, ShareMode: vm.SMEmpty, Backing: "zero-fill (untouched)"},
	}, nil
}

func (f *fake) Chain(pid int, addr uint64) (vm.EntryView, []vm.ObjectView, error) {
	if _, err := f.task(pid); err != nil {
		return vm.EntryView{}, nil, err
	}
	if addr < 0x400000 || addr >= 0x410000 {
		return vm.EntryView{}, nil, vm.KernInvalidAddress
	}
	return vm.EntryView{Start: 0x400000, End: 0x410000, ShareMode: vm.SMCOW},
		[]vm.ObjectView{
			{ID: 9, Size: 0x10000, Refs: 1, Internal: true, Resident: 1, Copy: "symmetric copy-on-write (a shadow)"},
			{ID: 3, Size: 0x10000, Refs: 2, Resident: 4, Pager: "image pager", HasPage: true, Copy: "symmetric copy-on-write"},
		}, nil
}

func (f *fake) Walk(pid int, addr uint64) (string, []pmap.WalkStep, error) {
	if _, err := f.task(pid); err != nil {
		return "", nil, err
	}
	if addr >= 1<<47 {
		return "x86-64 4-level", nil, nil
	}
	return "x86-64 4-level", []pmap.WalkStep{
		{Level: "PML4E", Index: 0, Table: 0x1000, Entry: 0x2027, Decoded: "P RW US A table pa:0x2000 (1 entries in use)"},
		{Level: "PDPTE", Index: 0, Table: 0x2000, Entry: 0, Decoded: "not present (P=0): a #PF for any access"},
	}, nil
}

func (f *fake) Pagers() []PagerInfo {
	return []PagerInfo{
		{Name: "default pager on disk", Slots: 100, Used: 3, Reads: 1, Writes: 4, Resident: 0, PagedOut: 3},
		{Name: "image pager of x", Object: 3, Size: 0x10000, Resident: 4, Slots: -1, Used: -1, Reads: 4, Writes: -1},
	}
}

func (f *fake) SetTrace(on bool) { f.trace = on }
func (f *fake) Halt(status int)  { f.halted = status + 1 }

// session runs the shell on input and returns what it printed.
func session(t *testing.T, f *fake, input string) string {
	t.Helper()
	in := []byte(input)
	var out strings.Builder
	s := &Shell{K: f, Out: &out, Arch: "amd64", In: func() (byte, bool) {
		if len(in) == 0 {
			return 0, false
		}
		c := in[0]
		in = in[1:]
		return c, true
	}}
	// The shell never ends without halt: give it one after the input.
	in = append(in, "\nhalt\n"...)
	s.Run()
	return out.String()
}

func TestCommands(t *testing.T) {
	for _, tc := range []struct {
		name, input string
		want        []string // regular expressions, each matching a line, in order
	}{
		{"help", "help", []string{`^tamach> help$`, `^  run NAME \[&\] +run a program`, `^  halt `}},
		{"unknown", "frobnicate 3", []string{`^frobnicate: unknown command \(help lists them\)$`, `^tamach> halt$`}},
		{"empty lines", "\n\n", []string{`^tamach> $`, `^tamach> $`}},
		{"run foreground", "run hello", []string{`^\[1\] hello: exit 0$`}},
		{"run missing", "run nosuch", []string{`^run: no program "nosuch"$`}},
		{"run no name", "run", []string{`^run: usage: run NAME \[&\]$`}},
		{"run background", "run sleeper &\nps", []string{`^\[1\] sleeper$`,
			`^  PID  PPID NAME +STATE +THREADS RESIDENT +FAULTS SYSCALLS$`,
			`^    1     0 sleeper +runnable +1 +10 +20 +30$`}},
		{"run background glued", "run sleeper&", []string{`^\[1\] sleeper$`}},
		{"background done", "run hello &\nwait 1", []string{`^\[1\] hello$`, `^\[1\] hello: exit 0$`}},
		{"wait all", "run hello &\nwait", []string{`^\[1\] hello: exit 0$`}},
		{"wait none", "wait", []string{`^wait: no background task$`}},
		{"wait bad", "wait x", []string{`^wait: "x" is not a task id \(ps lists them\)$`}},
		{"wait unknown", "wait 42", []string{`^wait: no such task: 42$`}},
		{"kill", "run sleeper &\nkill 1\nwait 1", []string{`^\[1\] sleeper: killed by signal 9$`}},
		{"kill no pid", "kill", []string{`^kill: usage: kill PID$`}},
		{"kill garbage", "kill -3", []string{`^kill: "-3" is not a task id`}},
		{"kill unknown", "kill 7", []string{`^kill: no such task: 7$`}},
		{"vm_stat", "vm_stat", []string{`^Mach Virtual Memory Statistics: \(page size of 4096 bytes\)$`,
			`^Pages free: {15}\s+1000\.$`, `^Pages active: +20\.$`, `^"Translation faults": +7\.$`,
			`^Pages copy-on-write: +2\.$`, `^Pages zero filled: +5\.$`, `^Pageins: +0\.$`, `^Pageouts: +0\.$`}},
		{"vm_stat args", "vm_stat 1", []string{`^vm_stat: usage: vm_stat$`}},
		{"vmmap", "run sleeper &\nvmmap 1", []string{`^Process: sleeper \[1\]$`,
			`^START-END +VSIZE RESIDENT PRT/MAX SHRMOD INHERIT WIRED +OBJ  BACKING$`,
			`^0000000000400000-0000000000410000 +64K +16K r-x/r-x SM=COW copy +0 +3  image pager of x \(file offset 0x1000\) \+0x0$`,
			`^0000000080000000-0000000080004000 +16K +0K rw-/rwx SM=NUL copy +0 +-  zero-fill \(untouched\)$`,
			`^Total: 2 entries, 80K mapped, 4 pages resident \(16K\), 0 pages swapped out$`}},
		{"vmmap unknown", "vmmap 5", []string{`^vmmap: no such task: 5$`}},
		{"vmmap garbage", "vmmap abc", []string{`^vmmap: "abc" is not a task id`}},
		{"vmobject", "run sleeper &\nvmobject 1 0x401234", []string{`^0x401234 in entry 0x400000-0x410000 `,
			`^  object 9: internal, size 64K, 1 resident, 0 paged out, refs 1, no pager yet$`,
			`^    copy strategy: symmetric copy-on-write \(a shadow\)$`, `^    page at offset 0x0: absent$`,
			`^      \| shadow`, `^  object 3: external, size 64K, 4 resident, 0 paged out, refs 2, image pager$`,
			`^    page at offset 0x0: RESIDENT$`, `^the page is resident in object 3 \(depth 1\)$`}},
		{"vmobject unmapped", "run sleeper &\nvmobject 1 0x10", []string{`^vmobject: 0x10: vm: KERN_INVALID_ADDRESS.* \(vmmap 1 lists the mapped ranges\)$`}},
		{"vmobject bad addr", "run sleeper &\nvmobject 1 zz", []string{`^vmobject: "zz" is not an address`}},
		{"vmobject args", "vmobject 1", []string{`^vmobject: usage: vmobject PID ADDR$`}},
		{"pmap", "run sleeper &\npmap 1 0x401000", []string{`^0x401000 in task 1, x86-64 4-level tables:$`,
			`^  PML4E \[  0\] of table pa:0x1000 = 0x0000000000002027  P RW US A table`,
			`^  PDPTE \[  0\] of table pa:0x2000 = 0x0000000000000000  not present`}},
		{"pmap outside", "run sleeper &\npmap 1 0xffff800000000000", []string{`^pmap: 0xffff800000000000 is outside the address range`}},
		{"pmap no task", "pmap 3 0x1000", []string{`^pmap: no such task: 3$`}},
		{"pagers", "pagers", []string{`^OBJECT +SIZE RESIDENT PAGED-OUT +USED +FREE +READS +WRITES  PAGER$`,
			`^ +store +- +0 +3 +3 +97 +1 +4  default pager on disk$`,
			`^ +3 +64K +4 +0 +- +- +4 +-  image pager of x$`}},
		{"trace", "trace on\ntrace off\ntrace maybe", []string{`^trace: on$`, `^trace: off$`, `^trace: usage: trace on\|off$`}},
		{"sleep", "run hello &\nsleep 0.01", []string{`^\[1\] hello: exit 0$`}},
		{"sleep bad", "sleep -1", []string{`^sleep: "-1" is not a number of seconds up to 3600$`}},
		{"halt args", "halt now", []string{`^halt: usage: halt$`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := session(t, newFake(), tc.input)
			lines := strings.Split(out, "\n")
			at := 0
			for _, w := range tc.want {
				re := regexp.MustCompile(w)
				for at < len(lines) && !re.MatchString(lines[at]) {
					at++
				}
				if at == len(lines) {
					t.Fatalf("no line matching %q in order; output:\n%s", w, out)
				}
				at++
			}
		})
	}
}

// TestLineEditing: backspace (BS and DEL) erases with "\b \b", CR LF is one
// Enter, Ctrl-U erases the line, and control bytes are not echoed.
func TestLineEditing(t *testing.T) {
	f := newFake()
	out := session(t, f, "trace onn\x7f\r\nxx\x15\x01trace off\b\bff")
	if f.halted == 0 {
		t.Fatal("no halt")
	}
	for _, w := range []string{"trace onn\b \b\n", "trace: on\n", "xx\b \b\b \btrace off\b \b\b \bff\n", "trace: off\n"} {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%q", w, out)
		}
	}
	if strings.Count(out, Prompt) != 3 { // start, after trace on, after trace off (halt's line)
		t.Errorf("%d prompts:\n%q", strings.Count(out, Prompt), out)
	}
	if strings.ContainsRune(out, 0x01) {
		t.Error("a control byte was echoed")
	}
}

// TestHaltStatus: halt exits 0, or with the status of the last failed
// foreground run; background tasks killed by the user do not count.
func TestHaltStatus(t *testing.T) {
	f := newFake()
	session(t, f, "run sleeper &\nkill 1")
	if f.halted != 1 {
		t.Errorf("halt status %d, want 0", f.halted-1)
	}
	if statusCode("killed by signal 11") != 139 || statusCode("exit 3") != 3 {
		t.Error("statusCode")
	}
}

// TestTypeAheadDuringRun: bytes typed while a foreground run steps are
// kept for the next prompt, and Ctrl-C kills the task.
func TestTypeAheadDuringRun(t *testing.T) {
	f := newFake()
	out := session(t, f, "run sleeper\n\x03ps")
	if len(f.killed) != 1 || !strings.Contains(out, "[1] sleeper: killed by signal 9") {
		t.Fatalf("Ctrl-C did not kill the foreground task:\n%s", out)
	}
	if !strings.Contains(out, "tamach> ps\n") {
		t.Errorf("type-ahead lost:\n%s", out)
	}
}
