//go:build tamago

package task

import (
	"github.com/tamach/tamach/kernel/machine"
	"github.com/tamach/tamach/pmap"
)

func (*machineCPU) Arch() *Arch { return AMD64 }

// CloneContext copies the general registers, the FS base and the FPU/SSE
// state (x87 and MXCSR control words, XMM registers): machine.Context.Clone
// moves the FXSAVE image between the two Contexts' aligned offsets.
func (*machineCPU) CloneContext(c Context) Context {
	return c.(*machine.Context).Clone()
}

func (*machineCPU) PrepareSpace(space pmap.Pmap) error { return machine.PrepareSpace(space) }
