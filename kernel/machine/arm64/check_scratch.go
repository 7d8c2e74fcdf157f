//go:build tamago && arm64

package arm64

import (
	"fmt"

	"github.com/tamach/tamach/pmap"
	arm64pmap "github.com/tamach/tamach/pmap/arm64"

	"github.com/tamach/tamach/kernel/machine"

	cpu "github.com/tamach/tamach/cpu/arm64"
)

// CheckScratch is the boot self-check "pmap-scratch" (machine.CheckScratch)
// in the kernel's live TTBR0 space, at ScratchVA, with a frame from the
// table frames. The MMU's own view comes from AT S1E1R and PAR_EL1 (Arm ARM
// C5.5, "A64 system instructions for address translation"): a translation
// it reports must be the pmap's, and after the Remove it must report a
// translation fault.
//
// It then checks ZeroPage on a frame filled with ones: the pmap zeroes
// frames with DC ZVA when DCZID_EL0 allows it (pmap/arm64 HardwareCPU), and
// a block size misread would leave part of every zero-fill page dirty.
func CheckScratch() (string, error) {
	if mach == nil {
		return "", errNotStarted
	}
	note, err := checkScratchMMU()
	if err != nil {
		return "", err
	}
	zero, err := checkZeroPage()
	if err != nil {
		return "", err
	}
	return note + "; " + zero, nil
}

// checkZeroPage fills a frame with ones, zeroes it with the pmap's
// ZeroPage and checks every byte.
func checkZeroPage() (string, error) {
	pa, ok := mach.tables.AllocFrame()
	if !ok {
		return "", pmap.ErrNoFrames
	}
	defer mach.tables.FreeFrame(pa)
	f := pmap.Identity{}.Frame(pa)
	for i := range f {
		f[i] = 0xff
	}
	mach.sys.ZeroPage(pa)
	for i, b := range f {
		if b != 0 {
			return "", fmt.Errorf("pmap-scratch: ZeroPage left byte %d of %v as %#x", i, pa, b)
		}
	}
	how := fmt.Sprintf("stores (DCZID_EL0 %#x: DC ZVA prohibited or its block over 512 bytes)", cpu.ReadDCZID())
	if b := arm64pmap.ZeroBlock(); b != 0 {
		how = fmt.Sprintf("DC ZVA, %d-byte blocks", b)
	}
	return "ZeroPage by " + how + " ok", nil
}

// checkScratchMMU is machine.CheckScratch with the MMU's own view.
func checkScratchMMU() (string, error) {
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
