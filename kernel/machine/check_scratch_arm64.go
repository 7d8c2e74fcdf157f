//go:build tamago

package machine

import (
	"errors"
	"fmt"

	"github.com/tamach/tamach/pmap"
	arm64pmap "github.com/tamach/tamach/pmap/arm64"
)

// scratchPattern is the word CheckScratch writes through its mapping.
const scratchPattern = 0x7a6d_6163_6863_6b21

// errScratch reports what CheckScratch saw.
var errScratch = errors.New("pmap-scratch")

// CheckScratch is the boot self-check "pmap-scratch": in the kernel's live
// space it maps a fresh frame at ScratchVA (outside the identity map),
// writes a pattern through that address, reads it back through the identity
// map at the frame's physical address, checks Extract, Stats and the MMU's
// own view (AT S1E1R, PAR_EL1), unmaps it, and checks that reading and
// writing ScratchVA then fault (recovered by the probes' fixups) and that
// AT reports a translation fault. It gives the frame back.
func CheckScratch() (string, error) {
	if mach == nil {
		return "", errNotStarted
	}
	k := mach.kernel
	pa, ok := mach.tables.AllocFrame()
	if !ok {
		return "", pmap.ErrNoFrames
	}
	defer mach.tables.FreeFrame(pa)
	before := k.Stats()
	if err := scratchUnmapped("before Enter"); err != nil {
		return "", err
	}
	if err := k.Enter(ScratchVA, pa, pmap.ProtRead|pmap.ProtWrite, 0); err != nil {
		return "", err
	}
	if err := scratchMapped(k, pa, before); err != nil {
		k.Remove(ScratchVA, ScratchVA+pmap.PageSize)
		return "", err
	}
	if err := k.Remove(ScratchVA, ScratchVA+pmap.PageSize); err != nil {
		return "", err
	}
	if after := k.Stats(); after != before {
		return "", fmt.Errorf("%w: stats after Remove %+v, before Enter %+v", errScratch, after, before)
	}
	if _, _, ok := k.Extract(ScratchVA); ok {
		return "", fmt.Errorf("%w: Extract still finds %v after Remove", errScratch, ScratchVA)
	}
	if err := scratchUnmapped("after Remove"); err != nil {
		return "", err
	}
	return fmt.Sprintf("va %#x -> %v, pattern ok, Extract/Stats/PAR_EL1 agree, read and write fault after remove", uint64(ScratchVA), pa), nil
}

// scratchMapped checks the mapping of ScratchVA to pa in k, whose stats were
// before until the Enter.
func scratchMapped(k *arm64pmap.Space, pa pmap.PAddr, before pmap.Stats) error {
	got, prot, ok := k.Extract(ScratchVA + 8)
	if !ok || got != pa+8 || !prot.Allows(pmap.ProtRead|pmap.ProtWrite) {
		return fmt.Errorf("%w: Extract(%v) = %v %v %v, want %v rw", errScratch, ScratchVA+8, got, prot, ok, pa+8)
	}
	st := k.Stats()
	if st.Resident != before.Resident+1 || st.TablePages <= before.TablePages {
		return fmt.Errorf("%w: stats %+v after Enter, %+v before", errScratch, st, before)
	}
	if hw, fs, ok := a64DecodePAR(atS1E1R(uint64(ScratchVA))); !ok || hw != pa {
		return fmt.Errorf("%w: AT S1E1R %v: PA %v ok %v (%v), want %v", errScratch, ScratchVA, hw, ok, fs, pa)
	}
	if !probeWrite(uint64(ScratchVA)+8, scratchPattern) {
		return fmt.Errorf("%w: store to mapped %v faulted", errScratch, ScratchVA+8)
	}
	if v := load64(uint64(pa) + 8); v != scratchPattern {
		return fmt.Errorf("%w: wrote %#x at %v, read %#x at %v", errScratch, uint64(scratchPattern), ScratchVA+8, v, pa+8)
	}
	if v, ok := probeRead(uint64(ScratchVA) + 8); !ok || v != scratchPattern {
		return fmt.Errorf("%w: probe of %v = %#x %v", errScratch, ScratchVA+8, v, ok)
	}
	return nil
}

// scratchUnmapped checks that ScratchVA is not mapped: the MMU reports a
// translation fault for it and both probes fault.
func scratchUnmapped(when string) error {
	if _, fs, ok := a64DecodePAR(atS1E1R(uint64(ScratchVA))); ok || fs.Kind() != FaultTranslation {
		return fmt.Errorf("%w: %s: AT S1E1R %v translates (ok %v, %v)", errScratch, when, ScratchVA, ok, fs)
	}
	if v, ok := probeRead(uint64(ScratchVA) + 8); ok {
		return fmt.Errorf("%w: %s: %v readable (read %#x): stale TLB entry?", errScratch, when, ScratchVA+8, v)
	}
	if probeWrite(uint64(ScratchVA)+8, scratchPattern) {
		return fmt.Errorf("%w: %s: %v writable: stale TLB entry?", errScratch, when, ScratchVA+8)
	}
	return nil
}
