//go:build !tamago

package qemu

import (
	"testing"
	"time"
)

// shellTimeout bounds a scripted shell session.
const shellTimeout = 120 * time.Second

// TestShell drives the console shell (CMDLINE=shell) through QEMU's
// standard input: commands piped in at once, then, once sleeper has forked
// and printed its buffer's address, the introspection tools on its child,
// error cases, kill, wait and halt.
func TestShell(t *testing.T) {
	forEachArch(t, func(t *testing.T, arch string) {
		res := Boot(t, Run{Arch: arch, Cmdline: "shell", Timeout: shellTimeout,
			Stdin: "help\nbogus 1 2\nrun hello\nrun sleeper &\n",
			Script: []Step{{
				Expect: `sleeper: child (\d+) sleeping, buffer at 0x[0-9a-f]+, page 1 \(written after fork\) at (0x[0-9a-f]+)$`,
				Send: "ps\nvm_stat\nvmmap $1\nvmobject $1 $2\npmap $1 $2\npagers\n" +
					"trace on\nsleep 1.5\ntrace off\n" +
					"vmmap 999\nvmobject $1 0x10\npmap $1 zz\nkill abc\nwait 998\nrun nosuch\n" +
					"kill $1\n",
			}, {
				// The parent prints when its child dies, whenever the
				// scheduler runs it: type on only after that line, or
				// its text lands in the middle of the echoed command.
				Expect: `sleeper: parent \d+: child \d+ ended`,
				Send:   "wait\nhalt\n",
			}}})
		defer func() {
			if t.Failed() {
				t.Logf("the whole session:\n%s", res.Console)
			}
		}()
		res.Expect(t, `^tamach shell \(`+arch+`\): type help for the commands$`,
			`^tamach> help$`, `^  vmobject PID ADDR +the shadow chain`,
			`^tamach> bogus 1 2$`, `^bogus: unknown command \(help lists them\)$`,
			`^PASS hello$`, `^\[\d+\] hello: exit 0$`,
			`^\[\d+\] sleeper$`,
			// ps
			`^  PID  PPID NAME +STATE +THREADS RESIDENT +FAULTS SYSCALLS$`,
			`^ +\d+ +0 sleeper +(waiting|runnable|sleeping|running) +\d+ +[1-9]\d* +[1-9]\d* +[1-9]\d*$`,
			`^ +\d+ +[1-9]\d* sleeper +(sleeping|runnable|running) +\d+ +[1-9]\d* +[1-9]\d* +[1-9]\d*$`,
			// vm_stat
			`^Mach Virtual Memory Statistics: \(page size of 4096 bytes\)$`,
			`^Pages free: +[1-9]\d*\.$`, `^"Translation faults": +[1-9]\d*\.$`,
			`^Pages copy-on-write: +[1-9]\d*\.$`, `^Pages zero filled: +[1-9]\d*\.$`, `^Pageins: +\d+\.$`,
			// vmmap of the child
			`^Process: sleeper \[\d+\]$`,
			`^START-END +VSIZE RESIDENT PRT/MAX SHRMOD INHERIT WIRED +OBJ  BACKING$`,
			`^[0-9a-f]{16}-[0-9a-f]{16} +\d+K +\d+K r-x/r-x SM=(COW|SHM|PRV) (copy|share) +0 +\d+  image pager of sleeper \(file offset 0x[0-9a-f]+\) \+0x0$`,
			`^[0-9a-f]{16}-[0-9a-f]{16} +\d+K +\d+K rw-/rwx SM=COW copy +0 +\d+  zero-fill.*under 1 shadow object`,
			`^Total: \d+ entries, \d+K mapped, \d+ pages resident \(\d+K\), 0 pages swapped out$`,
			// vmobject on the page the child wrote
			`^0x[0-9a-f]+ in entry 0x[0-9a-f]+-0x[0-9a-f]+ rw-/rwx SM=COW, offset 0x[0-9a-f]+, needs copy false`,
			`^  object \d+: internal, size \d+K, \d+ resident, 0 paged out, refs 1, no pager yet$`,
			`^    page at offset 0x[0-9a-f]+: RESIDENT$`, `^      \| shadow \(backing object\)$`,
			`^  object \d+: internal, size \d+K, \d+ resident, 0 paged out, refs \d+, no pager yet$`,
			`^the page is resident in object \d+ \(depth 0\)$`,
			// pmap
			`^0x[0-9a-f]+ in task \d+, .* tables:$`,
			`^  (PML4E|L0) +\[ *\d+\] of table pa:0x[0-9a-f]+ = 0x[0-9a-f]{16}  .*table`,
			`^  (PTE|L3) +\[ *\d+\] of table pa:0x[0-9a-f]+ = 0x[0-9a-f]{16}  .*page pa:0x[0-9a-f]+ \(4 KiB\)`,
			// pagers
			`^OBJECT +SIZE RESIDENT PAGED-OUT +USED +FREE +READS +WRITES  PAGER$`,
			`^ +store +- +\d+ +\d+ +\d+ +\d+ +\d+ +\d+  default pager on virtio-blk@`,
			`^ +\d+ +\d+K +\d+ +0 +- +- +[1-9]\d* +-  image pager of sleeper \(file offset 0x[0-9a-f]+\)$`,
			// trace
			// Trace lines keep coming while "trace off" is typed and may split
			// its echo; the command's own answer is one whole line.
			`^trace: on$`, `^trace: sleeper\[\d+\] thread \d+: [a-z_]+\(`, `^trace: off$`,
			// errors
			`^vmmap: no such task: 999$`,
			`^vmobject: 0x10: vm: KERN_INVALID_ADDRESS.* \(vmmap \d+ lists the mapped ranges\)$`,
			`^pmap: "zz" is not an address \(0x\.\.\. for hex\)$`,
			`^kill: "abc" is not a task id \(ps lists them\)$`,
			`^wait: no such task: 998$`,
			`^run: no program "nosuch": `,
			// kill the child: the parent's wait returns and it exits
			`^task sleeper\[\d+\]: killed: killed from the shell$`,
			`sleeper: parent \d+: child \d+ ended: killed by signal 9 <nil>$`,
			`^\[\d+\] sleeper: exit 0$`,
			`^tamach> halt$`, `^halt: powering off$`)
		res.ExpectExit(t, true)
	})
}
