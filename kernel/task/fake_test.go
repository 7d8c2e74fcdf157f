package task

import (
	"bytes"
	"encoding/binary"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/tamach/tamach/kernel/machine"
	"github.com/tamach/tamach/pmap"
	"github.com/tamach/tamach/vm"
	"github.com/tamach/tamach/vm/vmtest"

	x86 "github.com/tamach/tamach/cpu/amd64"
)

// The simulated CPU of the host tests. A thread's program is Go code run on
// a goroutine of its own, handed the CPU by Run and giving it back at every
// trap, as a coroutine: User.Syscall stores the number and arguments in the
// context and returns the trap; a load or store through the task's pmap
// that the pmap does not allow returns a page fault and retries the access
// when Run resumes the thread, as the hardware would.

// fakeCtx is a thread's registers on the simulated CPU.
type fakeCtx struct {
	pc, sp, tls uint64
	nr, ret     uint64
	args        [6]uint64

	started bool
	resume  chan pmap.Pmap // closed by fakeCPU.release: the program's goroutine ends
	trapc   chan machine.Trap
}

func (c *fakeCtx) PC() uint64                   { return c.pc }
func (c *fakeCtx) SetPC(pc uint64)              { c.pc = pc }
func (c *fakeCtx) SP() uint64                   { return c.sp }
func (c *fakeCtx) SetSP(sp uint64)              { c.sp = sp }
func (c *fakeCtx) TLS() uint64                  { return c.tls }
func (c *fakeCtx) SetTLS(v uint64)              { c.tls = v }
func (c *fakeCtx) Syscall() (uint64, [6]uint64) { return c.nr, c.args }
func (c *fakeCtx) SetSyscallReturn(v uint64)    { c.ret = v }
func (c *fakeCtx) SetArg(i int, v uint64)       { c.args[i] = v }

// fakeCPU runs the programs registered by entry PC (or, for threads made
// by clone and fork, by the stack pointer they start with).
type fakeCPU struct {
	arch  *Arch
	mem   pmap.Memory
	progs map[uint64]func(u *User)
	now   int64
	keys  uint64

	started []*fakeCtx // contexts whose program's goroutine was started
}

func (f *fakeCPU) Arch() *Arch                  { return f.arch }
func (f *fakeCPU) NewContext() machine.Context  { return &fakeCtx{} }
func (f *fakeCPU) PrepareSpace(pmap.Pmap) error { return nil }
func (f *fakeCPU) Nanotime() int64              { f.now += 1000; return f.now }
func (f *fakeCPU) Idle(until int64)             { f.now = max(f.now, until) }
func (c *fakeCtx) Clone() machine.Context {
	return &fakeCtx{pc: c.pc, sp: c.sp, tls: c.tls, nr: c.nr, ret: c.ret, args: c.args}
}

// register makes prog the program of threads starting with key as PC or SP.
func (f *fakeCPU) register(prog func(u *User)) uint64 {
	f.keys++
	key := 0x7000_0000_0000 + f.keys*pmap.PageSize
	f.progs[key] = prog
	return key
}

// Run resumes the thread's goroutine until its next trap.
func (f *fakeCPU) Run(c machine.Context, space pmap.Pmap) machine.Trap {
	fc := c.(*fakeCtx)
	if !fc.started {
		prog := f.progs[fc.sp]
		if prog == nil {
			prog = f.progs[fc.pc]
		}
		if prog == nil {
			return machine.Trap{Cause: machine.Cause{Kind: machine.TrapException}, Vector: x86.VectorUD}
		}
		fc.started = true
		fc.resume, fc.trapc = make(chan pmap.Pmap), make(chan machine.Trap)
		f.started = append(f.started, fc)
		u := &User{cpu: f, c: fc}
		go func() {
			if u.space = <-fc.resume; u.space == nil {
				runtime.Goexit()
			}
			prog(u)
			u.trap(machine.Trap{Cause: machine.Cause{Kind: machine.TrapException}, Vector: x86.VectorUD})
		}()
	}
	fc.resume <- space
	return <-fc.trapc
}

// release ends the goroutines of every program the CPU started: those of
// threads the kernel killed or ended wait for a resume that never comes.
// Call it once the kernel has stopped running threads (the fuzz targets
// run thousands of kernels in one process).
func (f *fakeCPU) release() {
	for _, fc := range f.started {
		close(fc.resume)
	}
	f.started = nil
}

// User is the program's view of its thread: system calls and memory.
type User struct {
	cpu   *fakeCPU
	c     *fakeCtx
	space pmap.Pmap
}

// trap hands the CPU back to the kernel with t and waits to be resumed.
func (u *User) trap(t machine.Trap) {
	u.c.trapc <- t
	if u.space = <-u.c.resume; u.space == nil {
		runtime.Goexit() // fakeCPU.release
	}
}

// Sys makes the system call named name (looked up in the architecture's
// table) or, for a negative number given as nr, the Mach trap.
func (u *User) Sys(name string, args ...uint64) int64 {
	nr, ok := sysNumber(u.cpu.arch, name)
	if !ok {
		panic("fake: no system call " + name)
	}
	return u.SysNr(nr, args...)
}

// SysNr makes system call nr.
func (u *User) SysNr(nr uint64, args ...uint64) int64 {
	u.c.nr = nr
	u.c.args = [6]uint64{}
	copy(u.c.args[:], args)
	u.trap(machine.Trap{Cause: machine.Cause{Kind: machine.TrapSyscall}})
	return int64(u.c.ret)
}

// Trap makes Mach trap nr.
func (u *User) Trap(nr int64, args ...uint64) vm.KernReturn {
	return vm.KernReturn(u.SysNr(uint64(nr), args...))
}

func sysNumber(a *Arch, name string) (uint64, bool) {
	for nr, d := range a.syscalls {
		if d.name == name {
			return nr, true
		}
	}
	return 0, false
}

// frame translates va for access through the thread's address space,
// taking page faults until the access is allowed.
func (u *User) frame(va uint64, access pmap.Prot) *[pmap.PageSize]byte {
	page := pmap.VAddr(va).Trunc()
	for {
		pa, prot, ok := u.space.Extract(page)
		if ok && prot.Allows(access) {
			return u.cpu.mem.Frame(pa.Trunc())
		}
		u.trap(machine.Trap{Cause: machine.Cause{Kind: machine.TrapPageFault, Access: access, Present: ok, User: true}, Addr: pmap.VAddr(va)})
	}
}

func (u *User) Load8(va uint64) byte     { return u.frame(va, pmap.ProtRead)[va&pmap.PageMask] }
func (u *User) Store8(va uint64, b byte) { u.frame(va, pmap.ProtWrite)[va&pmap.PageMask] = b }
func (u *User) Exec(va uint64)           { u.c.pc = va; u.frame(va, pmap.ProtExecute) }
func (u *User) Exception(vector uint64) {
	u.trap(machine.Trap{Cause: machine.Cause{Kind: machine.TrapException}, Vector: vector})
}
func (u *User) Preempt() {
	u.trap(machine.Trap{Cause: machine.Cause{Kind: machine.TrapInterrupt}, Vector: 32})
}

func (u *User) Store64(va, w uint64) {
	for i := range 8 {
		u.Store8(va+uint64(i), byte(w>>(8*i)))
	}
}

func (u *User) Load64(va uint64) uint64 {
	var w uint64
	for i := range 8 {
		w |= uint64(u.Load8(va+uint64(i))) << (8 * i)
	}
	return w
}

// Fork makes task_fork with child as the child's program; it returns the
// parent's kern_return and child id.
func (u *User) Fork(scratch uint64, child func(u *User)) (vm.KernReturn, uint64) {
	key := u.cpu.register(child)
	sp := u.c.sp
	u.c.sp = key
	r := u.Trap(TrapTaskFork, scratch)
	u.c.sp = sp
	return r, u.Load64(scratch)
}

// Exit ends the task.
func (u *User) Exit(code int) { u.Sys("exit_group", uint64(code)) }

// testKernel is a Kernel on a simulated machine.
type testKernel struct {
	*Kernel
	env *vmtest.Env
	cpu *fakeCPU
	out *bytes.Buffer

	spawns uint64
}

func newTestKernel(t testing.TB, arch *Arch, poolPages int) *testKernel {
	t.Helper()
	return newTestKernelPaging(t, arch, poolPages, false)
}

// newTestKernelPaging is newTestKernel, with a default pager (memory
// backed: anonymous pages are paged out when the pool runs low) if paging.
func newTestKernelPaging(t testing.TB, arch *Arch, poolPages int, paging bool) *testKernel {
	t.Helper()
	pm := vmtest.AMD64
	if arch == ARM64 {
		pm = vmtest.ARM64Software
	}
	env, err := vmtest.New(vmtest.Options{Pmap: pm, PoolPages: poolPages, TablePages: 2048, DefaultPage: paging})
	if err != nil {
		t.Fatal(err)
	}
	cpu := &fakeCPU{arch: arch, mem: env.Arena, progs: map[uint64]func(*User){}}
	out := &bytes.Buffer{}
	rng := rand.New(rand.NewPCG(1, 2))
	k, err := New(Config{CPU: cpu, VM: env.VM, Pmap: env.Pmap, Memory: env.Arena, Out: out,
		Random: func(b []byte) {
			for i := range b {
				b[i] = byte(rng.Uint32())
			}
		},
		UserMin: vmtest.UserMin, UserMax: vmtest.UserMax, Epoch: 1_700_000_000 * nsPerSec})
	if err != nil {
		t.Fatal(err)
	}
	// The goroutines of threads the kernel killed or left waiting hold the
	// kernel and its memory arena: without this, go test -count=60 of
	// this package grows past 20 GB.
	t.Cleanup(cpu.release)
	return &testKernel{Kernel: k, env: env, cpu: cpu, out: out}
}

// Text and data of the test image.
const (
	testText = 0x40_0000
	testData = 0x50_0000
)

// spawn runs prog as a task loaded from a small test image.
func (tk *testKernel) spawn(t testing.TB, name string, prog func(u *User)) *Task {
	t.Helper()
	tk.spawns++
	entry := testText + 0x10*tk.spawns
	img, err := NewImage(tk.env.VM, tk.arch, name, testELF(tk.arch, entry), vmtest.UserMin, vmtest.UserMax)
	if err != nil {
		t.Fatal(err)
	}
	defer img.Release()
	task, err := tk.Spawn(name, img)
	if err != nil {
		t.Fatal(err)
	}
	tk.cpu.progs[img.Entry] = prog
	return task
}

// testELF is an image with a text segment (one page and a half of 0x90 bytes
// followed by 0xcc filler in the file) and a data segment (100 bytes of 0x11
// in the file, then 0xee filler the loader must not show, .bss to 3 pages).
func testELF(arch *Arch, entry uint64) []byte {
	text := bytes.Repeat([]byte{0x90}, 0x1800)
	data := bytes.Repeat([]byte{0x11}, 100)
	return buildELF(arch.Machine, entry, []elfSeg{
		{vaddr: testText, flags: pfR | pfX, data: text, memsz: uint64(len(text)), filler: 0xcc},
		{vaddr: testData, flags: pfR | pfW, data: data, memsz: 3 * pmap.PageSize, filler: 0xee},
	})
}

type elfSeg struct {
	vaddr, memsz uint64
	flags        uint32
	data         []byte
	filler       byte // fills the file to the next page after data
	off          uint64
}

// buildELF writes a static ELF64 executable (ELF gABI: Elf64_Ehdr 64 bytes,
// Elf64_Phdr 56 bytes) with segs placed at page-aligned file offsets.
func buildELF(m interface{ String() string }, entry uint64, segs []elfSeg) []byte {
	return buildELFRaw(machineNumber(m), entry, segs, nil)
}

func machineNumber(m interface{ String() string }) uint16 {
	switch m.String() {
	case "EM_X86_64":
		return 62
	case "EM_AARCH64":
		return 183
	}
	panic("buildELF: machine " + m.String())
}

// buildELFRaw is buildELF with a hook to damage the program headers.
func buildELFRaw(machine uint16, entry uint64, segs []elfSeg, damage func(i int, ph []byte)) []byte {
	const ehSize, phSize = 64, 56
	var file bytes.Buffer
	off := uint64(pmap.PageSize)
	for i := range segs {
		segs[i].off = off + segs[i].vaddr&pmap.PageMask
		off = roundPage(segs[i].off+uint64(len(segs[i].data))) + pmap.PageSize
	}
	eh := make([]byte, ehSize)
	copy(eh, "\x7fELF")
	eh[4], eh[5], eh[6] = 2, 1, 1 // ELFCLASS64, ELFDATA2LSB, EV_CURRENT
	le := binary.LittleEndian
	le.PutUint16(eh[16:], 2) // ET_EXEC
	le.PutUint16(eh[18:], machine)
	le.PutUint32(eh[20:], 1)
	le.PutUint64(eh[24:], entry)
	le.PutUint64(eh[32:], ehSize) // e_phoff
	le.PutUint16(eh[52:], ehSize)
	le.PutUint16(eh[54:], phSize)
	le.PutUint16(eh[56:], uint16(len(segs)))
	le.PutUint16(eh[58:], 64) // e_shentsize
	file.Write(eh)
	for i, s := range segs {
		ph := make([]byte, phSize)
		le.PutUint32(ph[0:], 1) // PT_LOAD
		le.PutUint32(ph[4:], s.flags)
		le.PutUint64(ph[8:], s.off)
		le.PutUint64(ph[16:], s.vaddr)
		le.PutUint64(ph[24:], s.vaddr)
		le.PutUint64(ph[32:], uint64(len(s.data)))
		le.PutUint64(ph[40:], s.memsz)
		le.PutUint64(ph[48:], pmap.PageSize)
		if damage != nil {
			damage(i, ph)
		}
		file.Write(ph)
	}
	img := make([]byte, off)
	copy(img, file.Bytes())
	for _, s := range segs {
		end := s.off + uint64(len(s.data))
		copy(img[s.off:], s.data)
		for i := end; i < roundPage(end); i++ {
			img[i] = s.filler
		}
	}
	return img
}

// run runs the kernel and checks the vm invariants after.
func (tk *testKernel) run(t testing.TB) {
	t.Helper()
	tk.Run()
	if err := tk.env.Check(); err != nil {
		t.Fatalf("vm invariants after the run: %v", err)
	}
}

func (tk *testKernel) wantOut(t testing.TB, want string) {
	t.Helper()
	if !bytes.Contains(tk.out.Bytes(), []byte(want)) {
		t.Fatalf("console lacks %q; console:\n%s", want, tk.out.String())
	}
}

func (tk *testKernel) wantStatus(t testing.TB, task *Task, want WaitStatus) {
	t.Helper()
	if task.State != TaskZombie || task.Status != want {
		t.Fatalf("task %s: state %d status %v, want zombie %v; console:\n%s", task.Name, task.State, task.Status, want, tk.out.String())
	}
}
