//go:build tamago && arm64

package arm64

import (
	"fmt"

	"github.com/tamach/tamach/pmap"

	"github.com/tamach/tamach/kernel/machine"

	cpu "github.com/tamach/tamach/cpu/arm64"
)

// CheckScratch is the boot self-check "pmap-scratch" (machine.CheckScratch)
// in the kernel's live TTBR0 space, at ScratchVA, with a frame from the
// table frames. The MMU's own view comes from AT S1E1R and PAR_EL1 (Arm ARM
// C5.5, "A64 system instructions for address translation"): a translation
// it reports must be the pmap's, and after the Remove it must report a
// translation fault.
func CheckScratch() (string, error) {
	if mach == nil {
		return "", errNotStarted
	}
	return machine.CheckScratch(mach.kernel, mach.tables, pmap.Identity{}, ScratchVA, machine.ScratchMMU{
		Read:  probeRead,
		Write: probeWrite,
		Translate: func(va uint64) (pmap.PAddr, error) {
			pa, fs, ok := decodePAR(atS1E1R(va))
			switch {
			case ok:
				return pa, nil
			case fs.Kind() == cpu.FaultTranslation:
				return 0, machine.ErrNoTranslation
			}
			return 0, fmt.Errorf("AT S1E1R: %v", fs)
		},
	})
}
