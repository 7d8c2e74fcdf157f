//go:build tamago

package task

import (
	"github.com/tamach/tamach/kernel/machine"
	"github.com/tamach/tamach/pmap"
)

func (*machineCPU) Arch() *Arch { return ARM64 }

// CloneContext copies every register, FP/SIMD included.
func (*machineCPU) CloneContext(c Context) Context {
	n := *c.(*machine.Context)
	return &n
}

// PrepareSpace has nothing to do on arm64: the trampoline lives in the
// TTBR1 half, shared by every space.
func (*machineCPU) PrepareSpace(pmap.Pmap) error { return nil }
