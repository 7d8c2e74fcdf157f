//go:build tamago && arm64

package arm64

import (
	"errors"
	"fmt"
	"math"

	"github.com/tamach/tamach/pmap"
	arm64pmap "github.com/tamach/tamach/pmap/arm64"

	"github.com/tamach/tamach/kernel/machine"

	cpu "github.com/tamach/tamach/cpu/arm64"
)

// errUserMode reports what CheckUserMode saw.
var errUserMode = errors.New("usermode")

// Values the check gives the thread and expects back.
const (
	umTLS       = 0x7a6d_0000_0000_1234
	umFP0       = 1.5
	umFP1       = 2.25
	umNullCalls = 1000
	virtTimerID = 27 // the EL1 virtual timer's PPI (QEMU virt, docs/boot-arm64.md)
	umFrames    = 2  // code and data pages, borrowed from the managed pool's top
)

// umRun is one run of the usermode check.
type umRun struct {
	sys   *arm64pmap.System
	space *arm64pmap.Space
	ctx   *Context
	code  pmap.PAddr
	data  pmap.PAddr
	notes []string

	fastFaults uint64 // faults FastFault resolved
}

// CheckUserMode is the boot self-check "usermode": it builds a task space
// with pmap/arm64, maps a page of hand-assembled EL0 code (umProgram) and
// runs it with Run, checking each trap: an SVC with known registers, a page
// fault on a store (the check maps the page and the store completes), the
// virtual timer preempting a spin loop, and faults on loads from kernel
// addresses. It then times null SVC round trips. The two frames it maps are
// the top frames of the managed range, which the VM system never gets
// (Machine.VMFrames): they are tracked by the pmap, so the Access flag and
// dirty state of their mappings are emulated as a task's are.
func CheckUserMode() (string, error) {
	if mach == nil {
		return "", errNotStarted
	}
	r, err := newUMRun()
	if err != nil {
		return "", err
	}
	defer r.space.Destroy()
	for _, stage := range []func() error{r.stageSyscall, r.stageStore, r.stageState, r.stagePreempt, r.stageKernelLoads} {
		if err := stage(); err != nil {
			return "", err
		}
	}
	if err := r.checkFastFaults(); err != nil {
		return "", err
	}
	if err := r.measure(); err != nil {
		return "", err
	}
	return joinNotes(r.notes), nil
}

// newUMRun makes the task space with the program's page mapped and a
// thread about to run it.
func newUMRun() (*umRun, error) {
	r := &umRun{sys: mach.sys}
	top := pmap.PAddr(mach.managed.End)
	r.code, r.data = top-umFrames*pmap.PageSize, top-pmap.PageSize
	p, err := r.sys.Create(pmap.KindUser)
	if err != nil {
		return nil, err
	}
	r.space = p.(*arm64pmap.Space)
	frame := pmap.Identity{}.Frame(r.code)
	clear(frame[:])
	for i, w := range umProgram(uint64(TrapAreaVA), uint64(r.code)) {
		frame[4*i], frame[4*i+1], frame[4*i+2], frame[4*i+3] = byte(w), byte(w>>8), byte(w>>16), byte(w>>24)
	}
	clear(pmap.Identity{}.Frame(r.data)[:])
	if err := r.space.Enter(umCodeVA, r.code, pmap.ProtRead|pmap.ProtExecute, 0); err != nil {
		r.space.Destroy()
		return nil, err
	}
	r.ctx = &Context{ELR: umCodeVA, TPIDR: umTLS}
	r.ctx.V[0][0] = math.Float64bits(umFP0)
	r.ctx.V[1][0] = math.Float64bits(umFP1)
	return r, nil
}

func (r *umRun) note(format string, args ...any) {
	r.notes = append(r.notes, fmt.Sprintf(format, args...))
}

// run runs the thread to its next trap and checks the trap's kind. Like
// the vm fault handler, it lets the pmap resolve the faults that only
// emulate the Access flag and the dirty state (FastFault), and resumes.
func (r *umRun) run(want machine.TrapKind, stage string) (machine.Trap, error) {
	t := r.runOnce()
	// A timer interrupt that is not what the stage waits for preempted the
	// program between two of its instructions: resume it, as the
	// scheduler will. Bounded, so a stuck interrupt fails the check.
	for i := 0; t.Kind == machine.TrapInterrupt && want != machine.TrapInterrupt && i < umMaxPreemptions; i++ {
		t = r.runOnce()
	}
	if t.Kind != want {
		return t, fmt.Errorf("%w: %s: got %v (ESR_EL1 %#x) at pc %#x, want %v", errUserMode, stage, t, t.Code, r.ctx.ELR, want)
	}
	return t, nil
}

// umMaxPreemptions bounds how many timer interrupts one stage may take.
const umMaxPreemptions = 100

// stageSyscall: the first SVC carries x8 and x0..x5 as the program set them.
func (r *umRun) stageSyscall() error {
	if _, err := r.run(machine.TrapSyscall, "svc"); err != nil {
		return err
	}
	nr, args := r.ctx.Syscall()
	for i, a := range args {
		if a != umArgBase+uint64(i) {
			return fmt.Errorf("%w: svc: argument %d = %#x, want %#x", errUserMode, i, a, umArgBase+i)
		}
	}
	if nr != umSysHello || r.ctx.ELR == umCodeVA {
		return fmt.Errorf("%w: svc: number %#x at pc %#x", errUserMode, nr, r.ctx.ELR)
	}
	r.note("svc nr %#x args ok", nr)
	return nil
}

// stageStore: the store to the unmapped data page faults with the right
// address and access; once the page is mapped the thread resumes at the
// store and it completes.
func (r *umRun) stageStore() error {
	t, err := r.run(machine.TrapPageFault, "store")
	if err != nil {
		return err
	}
	fs := cpu.ESR(t.Code).FSC()
	if t.Addr != umStoreAt || t.Access != pmap.ProtWrite || t.Present || fs.Kind() != cpu.FaultTranslation {
		return fmt.Errorf("%w: store: %v, %v; want a write translation fault at %#x", errUserMode, t, fs, umStoreAt)
	}
	if err := r.space.Enter(umDataVA, r.data, pmap.ProtRead|pmap.ProtWrite, 0); err != nil {
		return err
	}
	r.note("store fault at %#x (write, %v) resolved", uint64(t.Addr), fs)
	return nil
}

// stageState: after the store, the program read it back, read TPIDR_EL0 and
// CNTVCT_EL0 and added two doubles.
func (r *umRun) stageState() error {
	if _, err := r.run(machine.TrapSyscall, "state"); err != nil {
		return err
	}
	c := r.ctx
	sum := math.Float64frombits(c.V[2][0])
	switch {
	case c.X[8] != umSysState:
		return fmt.Errorf("%w: state: svc number %#x", errUserMode, c.X[8])
	case load64(uint64(r.data)+umStoreAt-umDataVA) != umStored || c.X[11] != umStored:
		return fmt.Errorf("%w: state: the store did not complete (memory %#x, x11 %#x)", errUserMode,
			load64(uint64(r.data)+umStoreAt-umDataVA), c.X[11])
	case c.X[16] != umTLS:
		return fmt.Errorf("%w: state: TPIDR_EL0 read %#x, want %#x", errUserMode, c.X[16], uint64(umTLS))
	case sum != umFP0+umFP1:
		return fmt.Errorf("%w: state: d0 + d1 = %v, want %v", errUserMode, sum, umFP0+umFP1)
	case c.X[17] == 0 || c.X[17] > cpu.ReadCNTVCT():
		return fmt.Errorf("%w: state: CNTVCT_EL0 at EL0 read %#x", errUserMode, c.X[17])
	}
	r.note("TPIDR_EL0, FP/SIMD and CNTVCT_EL0 ok at EL0")
	return nil
}

// stagePreempt: the spin loop runs until the virtual timer interrupts it;
// the check then lets it leave the loop.
func (r *umRun) stagePreempt() error {
	t, err := r.run(machine.TrapInterrupt, "preempt")
	if err != nil {
		return err
	}
	if t.Vector != virtTimerID || r.ctx.X[12] == 0 {
		return fmt.Errorf("%w: preempt: INTID %d after %d loop turns", errUserMode, t.Vector, r.ctx.X[12])
	}
	r.note("timer INTID %d preempted EL0 after %d loop turns", t.Vector, r.ctx.X[12])
	r.ctx.X[13] = 1
	return nil
}

// stageKernelLoads: loads from the trap area (TTBR1, EL1 only) and from the
// kernel's text (not in the task's TTBR0 space) fault; the check skips each.
func (r *umRun) stageKernelLoads() error {
	for _, want := range []struct {
		addr    uint64
		present bool
		fault   cpu.FaultStatus
	}{{uint64(TrapAreaVA), true, cpu.FaultPermission}, {uint64(r.code), false, cpu.FaultTranslation}} {
		t, err := r.run(machine.TrapPageFault, "kernel load")
		if err != nil {
			return err
		}
		fs := cpu.ESR(t.Code).FSC()
		if uint64(t.Addr) != want.addr || t.Access != pmap.ProtRead || t.Present != want.present || fs.Kind() != want.fault {
			return fmt.Errorf("%w: kernel load: %v (%v), want a read %v at %#x", errUserMode, t, fs, want.fault, want.addr)
		}
		r.note("EL0 load of %#x: %v", want.addr, fs)
		r.ctx.ELR += insnSize
	}
	if _, err := r.run(machine.TrapSyscall, "done"); err != nil {
		return err
	}
	if r.ctx.X[8] != umSysDone {
		return fmt.Errorf("%w: done: svc number %#x", errUserMode, r.ctx.X[8])
	}
	return nil
}

// runOnce runs the thread to its next trap that is not a FastFault.
func (r *umRun) runOnce() machine.Trap {
	for {
		t := mach.Run(r.ctx, r.space)
		if t.Kind != machine.TrapPageFault || !r.space.FastFault(t.Addr.Trunc(), t.Access) {
			return t
		}
		r.fastFaults++
	}
}

// checkFastFaults checks how many faults FastFault resolved: none
// when the hardware manages the Access flag and the dirty state
// (FEAT_HAFDBS, TCR_EL1.HA/HD), else at least the first fetch from the code
// page (Access flag) and the first store to the data page (Access flag or
// write to a clean page).
func (r *umRun) checkFastFaults() error {
	n := r.fastFaults
	access, dirty := r.sys.HardwareAccess()
	if (access && dirty && n != 0) || (!(access && dirty) && n < 2) {
		return fmt.Errorf("%w: %d FastFaults with hardware Access flag %v, dirty state %v", errUserMode, n, access, dirty)
	}
	r.note("%d FastFaults (hardware AF %v, dirty %v)", n, access, dirty)
	return nil
}

// measure times null SVC round trips: Run, SVC, trap, back in Go.
func (r *umRun) measure() error {
	t0 := cpu.ReadCNTVCT()
	for i := 0; i < umNullCalls; i++ {
		if _, err := r.run(machine.TrapSyscall, "null"); err != nil {
			return err
		}
	}
	ticks := cpu.ReadCNTVCT() - t0
	ns := ticks * 1_000_000_000 / cpu.ReadCNTFRQ() / umNullCalls
	r.note("null SVC round trip %d ns (CNTVCT_EL0, %d calls)", ns, umNullCalls)
	return nil
}

func joinNotes(notes []string) string {
	s := ""
	for i, n := range notes {
		if i > 0 {
			s += "; "
		}
		s += n
	}
	return s
}
