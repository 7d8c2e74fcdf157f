//go:build tamago

package armv8

import "fmt"

// Exception fixups: the kernel's recoverable accesses (probes that touch
// memory that may not be mapped) register the address of their access
// instruction and where to resume. A data abort taken from EL1 at a
// registered PC does not report: trapCommon (vectors_arm64.s) sets ELR_EL1
// to the fixup and returns there with every register as it was. Linux's
// exception tables (arch/arm64/mm/extable.c) are the same idea.
//
// The table is written by Go before any probe runs and read by trapCommon
// with DAIF masked on the one CPU; entries are never removed.
type fixup struct {
	PC, Resume uint64
}

// maxFixups bounds the table trapCommon scans.
const maxFixups = 8

var (
	fixups     [maxFixups]fixup
	fixupCount uint64
)

// AddFixup registers a fixup: a data abort at EL1 at pc resumes at resume.
func AddFixup(pc, resume uint64) error {
	if pc == 0 || resume == 0 {
		return fmt.Errorf("armv8: fixup %#x -> %#x: zero address", pc, resume)
	}
	for i := uint64(0); i < fixupCount; i++ {
		if fixups[i].PC == pc {
			if fixups[i].Resume != resume {
				return fmt.Errorf("armv8: fixup for %#x already resumes at %#x", pc, fixups[i].Resume)
			}
			return nil
		}
	}
	if fixupCount == maxFixups {
		return fmt.Errorf("armv8: exception fixup table full (%d entries)", maxFixups)
	}
	fixups[fixupCount] = fixup{PC: pc, Resume: resume}
	fixupCount++
	return nil
}
