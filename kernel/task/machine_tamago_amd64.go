//go:build tamago

package task

import (
	"github.com/tamach/tamach/kernel/machine"
	"github.com/tamach/tamach/pmap"
)

func (*machineCPU) Arch() *Arch { return AMD64 }

// CloneContext copies the general registers and the FS base. The FPU/SSE
// image is not copied (machine.Context keeps it at an offset that depends
// on where the Context lives): the new thread starts with the default FPU
// state, which Go code, saving nothing in vector registers across a system
// call, does not notice.
func (*machineCPU) CloneContext(c Context) Context {
	o := c.(*machine.Context)
	return &machine.Context{Regs: o.Regs, FSBase: o.FSBase}
}

func (*machineCPU) PrepareSpace(space pmap.Pmap) error { return machine.PrepareSpace(space) }
