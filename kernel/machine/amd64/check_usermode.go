//go:build tamago && amd64

package amd64

import (
	"errors"
	"fmt"

	"github.com/tamach/tamach/pmap"
	amd64pmap "github.com/tamach/tamach/pmap/amd64"

	cpu "github.com/tamach/tamach/cpu/amd64"

	"github.com/tamach/tamach/kernel/machine"
)

// errUserMode reports what CheckUserMode saw.
var errUserMode = errors.New("usermode")

// Parameters of the usermode check.
const (
	nullSyscalls = 1000    // timed null system call round trips
	maxRuns      = 1 << 20 // Run calls before the check gives up
)

// userTask is the task the usermode check runs: its space, the frames it
// took, and the thread's context.
type userTask struct {
	space  *amd64pmap.Space
	frames []pmap.PAddr
	ctx    Context
}

// userCheck is the state machine of CheckUserMode, one state per step of the
// user program (userprog.go).
type userCheck int

const (
	expectFirstSyscall userCheck = iota // step 1
	expectNullSyscalls                  // step 1, timed loop
	expectStoreFault                    // step 2
	expectPreemption                    // step 3
	expectKernelFault                   // step 4
	expectUD                            // step 4, resumed at UD2
	expectNXFault                       // step 4, resumed on the stack page
	expectBadPC                         // step 4, resumed at a non-canonical address
	userCheckDone
)

// CheckUserMode is the boot self-check "usermode": it builds a task space,
// runs the hand-assembled program of userprog.go in ring 3 with Run,
// and checks each trap it returns: the system call's registers, a write
// fault on a missing page (resolved, the store retried), preemption by the
// timer, and a protection fault on a supervisor page. It reports the guest
// TSC cycles of a null system call round trip.
func CheckUserMode() (string, error) {
	if mach == nil || tramp == nil {
		return "", errNotStarted
	}
	task, err := newUserTask()
	if err != nil {
		return "", err
	}
	defer task.destroy()
	var r userRun
	for runs := 0; r.state != userCheckDone; runs++ {
		if runs == maxRuns {
			return "", fmt.Errorf("%w: gave up after %d traps in state %d, PC %#x", errUserMode, runs, r.state, task.ctx.PC())
		}
		trap := run(&task.ctx, task.space)
		if err := r.step(task, trap); err != nil {
			return "", err
		}
	}
	return fmt.Sprintf("syscall, write fault at %#x resolved, preempted by the timer after %d TSC cycles, protection fault on a kernel page, #UD, NX fault, #GP for a non-canonical PC, XMM0 kept; null syscall round trip %d TSC cycles (mean of %d); %d interrupts",
		userFaultVA, r.spinCycles, r.nullCycles/(nullSyscalls-1), nullSyscalls-1, r.interrupts), nil
}

// userRun is the progress of CheckUserMode.
type userRun struct {
	state      userCheck
	nulls      int
	nullStart  uint64
	nullCycles uint64
	spinStart  uint64
	spinCycles uint64
	interrupts int
}

// step checks one trap against the state and moves on.
func (r *userRun) step(task *userTask, t machine.Trap) error {
	c := &task.ctx
	pc := c.PC() - userCodeVA
	if t.Kind == machine.TrapInterrupt {
		r.interrupts++
		if t.Vector != vectorTimer && t.Vector != vectorSpur {
			return fmt.Errorf("%w: unexpected interrupt %d", errUserMode, t.Vector)
		}
		if r.state == expectPreemption && pc >= userSpin && pc < userKernelLoad {
			r.spinCycles = cpu.RDTSC() - r.spinStart
			r.state = expectKernelFault
			return task.releaseSpin()
		}
		return nil
	}
	switch r.state {
	case expectFirstSyscall:
		return r.firstSyscall(c, t, pc)
	case expectNullSyscalls:
		return r.nullSyscall(c, t)
	case expectStoreFault:
		return r.storeFault(task, t, pc)
	case expectKernelFault:
		return r.kernelFault(c, t, pc)
	case expectUD, expectNXFault, expectBadPC:
		return r.resumed(c, t, pc)
	}
	return fmt.Errorf("%w: %v at PC %#x in state %d", errUserMode, t, c.PC(), r.state)
}

// firstSyscall checks step 1's system call and answers with the loop count.
func (r *userRun) firstSyscall(c *Context, t machine.Trap, pc uint64) error {
	nr, args := c.Syscall()
	want := [6]uint64{userArg0, 2 * userArg0, 3 * userArg0, 4 * userArg0, 5 * userArg0, 6 * userArg0}
	if t.Kind != machine.TrapSyscall || nr != userNrFirst || args != want || pc != userAfterFirst {
		return fmt.Errorf("%w: first trap %v nr %#x args %#x at PC %#x", errUserMode, t, nr, args, c.PC())
	}
	if c.Regs.R12 != userTLSWord {
		return fmt.Errorf("%w: fs:[0] read %#x, want %#x: FS base not loaded", errUserMode, c.Regs.R12, uint64(userTLSWord))
	}
	if v := c.xmm0(); v != userTLSWord {
		return fmt.Errorf("%w: XMM0 %#x in the saved FPU state, want %#x", errUserMode, v, uint64(userTLSWord))
	}
	if c.Regs.RCX != c.PC() {
		return fmt.Errorf("%w: RCX %#x after SYSCALL, want the return RIP %#x", errUserMode, c.Regs.RCX, c.PC())
	}
	c.SetSyscallReturn(nullSyscalls)
	r.state = expectNullSyscalls
	return nil
}

// nullSyscall times the null system calls of step 1.
func (r *userRun) nullSyscall(c *Context, t machine.Trap) error {
	nr, _ := c.Syscall()
	if t.Kind != machine.TrapSyscall || nr != userNrNull {
		return fmt.Errorf("%w: null syscall %d: %v nr %#x at PC %#x", errUserMode, r.nulls, t, nr, c.PC())
	}
	now := cpu.RDTSC()
	if r.nulls == 0 {
		r.nullStart = now
	}
	r.nulls++
	if r.nulls == nullSyscalls {
		r.nullCycles = now - r.nullStart
		r.state = expectStoreFault
	}
	c.SetSyscallReturn(0)
	return nil
}

// storeFault checks step 2's fault and maps the missing page.
func (r *userRun) storeFault(task *userTask, t machine.Trap, pc uint64) error {
	if t.Kind != machine.TrapPageFault || t.Addr != userFaultVA || t.Access != pmap.ProtWrite ||
		t.Present || !t.User || pc != userStore {
		return fmt.Errorf("%w: want a write fault at %#x from PC %#x, got %v at PC %#x",
			errUserMode, userFaultVA, userCodeVA+userStore, t, task.ctx.PC())
	}
	if v := task.ctx.xmm0(); v != userTLSWord {
		return fmt.Errorf("%w: XMM0 %#x after %d system calls, want %#x: FPU state not kept", errUserMode, v, nullSyscalls, uint64(userTLSWord))
	}
	if _, err := task.mapPage(userFaultVA, pmap.ProtRead|pmap.ProtWrite); err != nil {
		return err
	}
	r.state = expectPreemption
	r.spinStart = cpu.RDTSC()
	return nil
}

// kernelFault checks step 4's fault and resumes at the UD2.
func (r *userRun) kernelFault(c *Context, t machine.Trap, pc uint64) error {
	if t.Kind != machine.TrapPageFault || t.Addr != pmap.VAddr(perCPUVA) || t.Access != pmap.ProtRead ||
		!t.Present || !t.User || pc != userKernelLoad {
		return fmt.Errorf("%w: want a protection fault reading %#x, got %v at PC %#x", errUserMode, perCPUVA, t, c.PC())
	}
	c.SetPC(userCodeVA + userUD2)
	r.state = expectUD
	return nil
}

// releaseSpin checks that step 2's store reached the frame and lets step 3
// end, by writing the word after it through the identity map.
func (task *userTask) releaseSpin() error {
	pa, _, ok := task.space.Extract(userFaultVA)
	if !ok {
		return fmt.Errorf("%w: %#x not mapped after the fault", errUserMode, userFaultVA)
	}
	if v := cpu.Load64(uint64(pa)); v != 0x5a {
		return fmt.Errorf("%w: the retried store left %#x at %v, want 0x5a", errUserMode, v, pa)
	}
	cpu.Store64(uint64(pa)+8, 1)
	return nil
}

// newUserTask builds the task: a user space with the trampoline, the program
// at userCodeVA, a stack page whose first word is the thread pointer's
// target, and a context that starts at the program's entry.
func newUserTask() (*userTask, error) {
	s, err := mach.sys.NewSpace(pmap.KindUser)
	if err != nil {
		return nil, err
	}
	task := &userTask{space: s}
	if err := mach.PrepareSpace(s); err != nil {
		task.destroy()
		return nil, err
	}
	code, err := task.mapPage(userCodeVA, pmap.ProtRead|pmap.ProtExecute)
	if err != nil {
		task.destroy()
		return nil, err
	}
	copy(pmap.Identity{}.Frame(code)[:], userProgram(perCPUVA))
	stack, err := task.mapPage(userStackVA, pmap.ProtRead|pmap.ProtWrite)
	if err != nil {
		task.destroy()
		return nil, err
	}
	cpu.Store64(uint64(stack), userTLSWord)
	task.ctx.SetPC(userCodeVA)
	task.ctx.SetSP(userStackTop)
	task.ctx.SetTLS(userStackVA)
	return task, nil
}

// mapPage maps a fresh frame at va in the task's space.
func (task *userTask) mapPage(va pmap.VAddr, prot pmap.Prot) (pmap.PAddr, error) {
	pa, ok := mach.tables.AllocFrame()
	if !ok {
		return 0, pmap.ErrNoFrames
	}
	task.frames = append(task.frames, pa)
	return pa, task.space.Enter(va, pa, prot, 0)
}

// destroy drops the space and gives the frames back.
func (task *userTask) destroy() {
	task.space.Destroy()
	for _, pa := range task.frames {
		mach.tables.FreeFrame(pa)
	}
}

// resumed checks the traps of the program resumed at places it did not
// choose: at its UD2, on its stack page, at a non-canonical address.
func (r *userRun) resumed(c *Context, t machine.Trap, pc uint64) error {
	switch r.state {
	case expectUD:
		if t.Kind != machine.TrapException || t.Vector != cpu.VectorUD || pc != userUD2 {
			return fmt.Errorf("%w: after resuming at UD2: %v at PC %#x", errUserMode, t, c.PC())
		}
		c.SetPC(userStackVA)
		r.state = expectNXFault
		return nil
	case expectNXFault:
		if t.Kind != machine.TrapPageFault || t.Addr != userStackVA || t.Access != pmap.ProtExecute || !t.Present {
			return fmt.Errorf("%w: want an execute fault on the stack page %#x, got %v", errUserMode, userStackVA, t)
		}
		c.SetPC(lowerHalfEnd)
		r.state = expectBadPC
		return nil
	case expectBadPC:
		if t.Kind != machine.TrapException || t.Vector != cpu.VectorGP || c.PC() != lowerHalfEnd {
			return fmt.Errorf("%w: want #GP for the non-canonical PC %#x, got %v at PC %#x", errUserMode, uint64(lowerHalfEnd), t, c.PC())
		}
		r.state = userCheckDone
		return nil
	}
	return fmt.Errorf("%w: %v at PC %#x in state %d", errUserMode, t, c.PC(), r.state)
}
