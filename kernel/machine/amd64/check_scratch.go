//go:build tamago && amd64

package amd64

import (
	"github.com/tamach/tamach/pmap"

	"github.com/tamach/tamach/kernel/machine"
)

// CheckScratch is the boot self-check "pmap-scratch" (machine.CheckScratch)
// in the kernel's live space, at ScratchVA, with a frame from the table
// frames. x86 has no instruction that asks the MMU for a translation, so
// the check relies on the probes.
func CheckScratch() (string, error) {
	if mach == nil {
		return "", errNotStarted
	}
	return machine.CheckScratch(mach.kernel, mach.tables, pmap.Identity{}, ScratchVA, machine.ScratchMMU{
		Read:  func(va uint64) (uint64, bool) { return probeRead(uintptr(va)) },
		Write: func(va, v uint64) bool { return probeWrite(uintptr(va), v) },
	})
}
