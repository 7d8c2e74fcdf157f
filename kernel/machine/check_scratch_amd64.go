//go:build tamago

package machine

import (
	"errors"
	"fmt"

	"github.com/tamach/tamach/pmap"
	amd64pmap "github.com/tamach/tamach/pmap/amd64"
)

// scratchPattern is the word CheckScratch writes through its mapping.
const scratchPattern = 0x7a6d_6163_6863_6b21

// errScratch reports what CheckScratch saw.
var errScratch = errors.New("pmap-scratch")

// CheckScratch is the boot self-check "pmap-scratch": in the kernel's live
// space it maps a fresh frame at ScratchVA (outside the identity map), writes
// a pattern through that address, reads it back through the identity map at
// the frame's physical address, checks Extract and Stats, unmaps it, and
// checks that a read of ScratchVA then faults (recovered by probe). It gives
// the frame back.
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
	if _, ok := probe(uintptr(ScratchVA)); ok {
		return "", fmt.Errorf("%w: %v readable before it was mapped", errScratch, ScratchVA)
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
	if v, ok := probe(uintptr(ScratchVA)); ok {
		return "", fmt.Errorf("%w: %v still readable after Remove (read %#x): stale TLB entry", errScratch, ScratchVA, v)
	}
	return fmt.Sprintf("va %#x -> %v, pattern ok, Extract and Stats agree, fault after remove", uint64(ScratchVA), pa), nil
}

// scratchMapped checks the mapping of ScratchVA to pa in k, whose stats were
// before until the Enter.
func scratchMapped(k *amd64pmap.Space, pa pmap.PAddr, before pmap.Stats) error {
	got, prot, ok := k.Extract(ScratchVA + 8)
	if !ok || got != pa+8 || !prot.Allows(pmap.ProtRead|pmap.ProtWrite) {
		return fmt.Errorf("%w: Extract(%v) = %v %v %v, want %v rw", errScratch, ScratchVA+8, got, prot, ok, pa+8)
	}
	st := k.Stats()
	if st.Resident != before.Resident+1 || st.TablePages <= before.TablePages {
		return fmt.Errorf("%w: stats %+v after Enter, %+v before", errScratch, st, before)
	}
	store64(uint64(ScratchVA)+8, scratchPattern)
	if v := load64(uint64(pa) + 8); v != scratchPattern {
		return fmt.Errorf("%w: wrote %#x at %v, read %#x at %v", errScratch, uint64(scratchPattern), ScratchVA+8, v, pa+8)
	}
	if v, ok := probe(uintptr(ScratchVA) + 8); !ok || v != scratchPattern {
		return fmt.Errorf("%w: probe of %v = %#x %v", errScratch, ScratchVA+8, v, ok)
	}
	return nil
}
