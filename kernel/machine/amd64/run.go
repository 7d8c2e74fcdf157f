//go:build tamago && amd64

package amd64

import (
	"unsafe"

	"github.com/tamach/tamach/pmap"
	amd64pmap "github.com/tamach/tamach/pmap/amd64"

	cpu "github.com/tamach/tamach/cpu/amd64"

	"github.com/tamach/tamach/kernel/machine"
)

// enterUser enters user mode through the trampoline and returns at the next
// trap from user mode (run_amd64.s).
func enterUser(userFX, kernelFX uintptr, fsBase uint64)

// trapReturn is where the trampoline resumes the kernel after a trap from
// user mode (run_amd64.s). Entered only by a jump from trampUserTrap.
func trapReturn()

// kernelFX holds the kernel's FPU/SSE state while a thread runs.
var kernelFX [fxAreaSize + fxAlign]byte

// Run implements machine.Machine: see run. A context not made by
// NewContext or Clone, or a space not made by this machine's pmap, is a
// broken invariant and panics.
func (m *Machine) Run(c machine.Context, space pmap.Pmap) machine.Trap {
	ctx, ok := c.(*Context)
	if !ok {
		panic("amd64.Machine.Run: the context is not an amd64 Context")
	}
	s, ok := space.(*amd64pmap.Space)
	if !ok {
		panic("amd64.Machine.Run: the space is not a pmap/amd64 space")
	}
	return run(ctx, s)
}

// run loads c's registers, FS base and FPU/SSE state, switches to space s
// and enters ring 3 with interrupts enabled, and returns at the next trap
// with its reason; c then holds the registers at the trap. A timer interrupt
// preempts the thread after its quantum. Precondition: Start has run and
// PrepareSpace(s) has succeeded; interrupts are masked.
func run(c *Context, s *amd64pmap.Space) machine.Trap {
	if tramp == nil {
		panic("amd64.run: Start has not run")
	}
	if s != trampChecked {
		// A space without the trampoline would fault on the CR3 load's
		// next fetch, a triple fault: say why instead. The walk is done
		// once per switch of space, not once per system call.
		if _, _, ok := s.Extract(TrampolineVA); !ok {
			panic("amd64.run: space has no trampoline (PrepareSpace)")
		}
		trampChecked = s
	}
	cpu.CLI() // the kernel runs with IF = 0; TamaGo's idle loop may have set it
	if t, bad := c.badPC(); bad {
		return t
	}
	img := c.fxImage()
	if !c.fxReady {
		initFX(img)
		c.fxReady = true
	}
	v, f := tramp.vars, tramp.frame
	v.Sysret = 0
	if c.loadInto(f) {
		v.Sysret = 1
	}
	v.UserCR3 = uint64(s.Prepare())
	armTimer(c.timeLeft)
	enterUser(uintptr(unsafe.Pointer(&img[0])), uintptr(unsafe.Pointer(&kernelFXImage()[0])), c.FSBase)
	c.timeLeft = stopTimer()
	c.saveFrom(f)
	t := decodeTrap(f.Vector, f.ErrorCode, v.CR2)
	c.sysret = t.Kind == machine.TrapSyscall
	if t.Kind == machine.TrapInterrupt && t.Vector != vectorSpur {
		endOfInterrupt()
	}
	return t
}

// trampChecked is the last space run found the trampoline mapped in.
var trampChecked *amd64pmap.Space

// kernelCR3 is the CR3 value that brings back the kernel's space: the one
// loaded now, with the no-flush bit when PCIDs are on (nothing changes the
// kernel's tables while a thread runs; Intel SDM Vol. 3A §4.10.4.1).
func kernelCR3(pcid bool) uint64 {
	v := cpu.ReadCR3()
	if pcid {
		v |= uint64(amd64pmap.CR3NoFlush)
	}
	return v
}

// fxImage returns c's 16-byte aligned FXSAVE image.
func (c *Context) fxImage() []byte { return alignedFX(&c.fx) }

// kernelFXImage returns the kernel's 16-byte aligned FXSAVE image.
func kernelFXImage() []byte { return alignedFX(&kernelFX) }
