package machine

import (
	"errors"
	"fmt"

	"github.com/tamach/tamach/pmap"
)

// ScratchPattern is the word the pmap-scratch check writes through its
// mapping.
const ScratchPattern = 0x7a6d_6163_6863_6b21

// errScratch reports what CheckScratch saw.
var errScratch = errors.New("pmap-scratch")

// ScratchMMU is what the pmap-scratch check needs from an architecture to
// see the kernel's live address space as the CPU sees it.
type ScratchMMU struct {
	// Read loads the word at va, or reports false if the load faults
	// (the architecture's recoverable probe).
	Read func(va uint64) (uint64, bool)
	// Write stores v at va, or reports false if the store faults.
	Write func(va, v uint64) bool
	// Translate asks the MMU itself for va's translation (arm64: AT
	// S1E1R and PAR_EL1); nil where the CPU has no such instruction. It
	// returns ErrNoTranslation for a translation fault, another error for
	// any other fault.
	Translate func(va uint64) (pmap.PAddr, error)
}

// ErrNoTranslation is what ScratchMMU.Translate returns when the MMU
// reports a translation fault: no valid entry maps the address.
var ErrNoTranslation = errors.New("translation fault")

// CheckScratch is the boot self-check "pmap-scratch", the same on every
// architecture: in the kernel's live space k it maps a fresh frame from
// frames at va (outside the identity map), writes ScratchPattern through va,
// reads it back through mem at the frame's physical address, checks Extract
// and Stats (and the MMU's own translation, where it has one), unmaps it,
// and checks that va then faults for reads and writes: a stale TLB entry
// would let them through. It gives the frame back.
func CheckScratch(k pmap.Pmap, frames pmap.Frames, mem pmap.Memory, va pmap.VAddr, mmu ScratchMMU) (string, error) {
	pa, ok := frames.AllocFrame()
	if !ok {
		return "", pmap.ErrNoFrames
	}
	defer frames.FreeFrame(pa)
	before := k.Stats()
	if err := scratchUnmapped(va, mmu, "before Enter"); err != nil {
		return "", err
	}
	if err := k.Enter(va, pa, pmap.ProtRead|pmap.ProtWrite, 0); err != nil {
		return "", err
	}
	if err := scratchMapped(k, mem, va, pa, before, mmu); err != nil {
		k.Remove(va, va+pmap.PageSize)
		return "", err
	}
	if err := k.Remove(va, va+pmap.PageSize); err != nil {
		return "", err
	}
	if after := k.Stats(); after != before {
		return "", fmt.Errorf("%w: stats after Remove %+v, before Enter %+v", errScratch, after, before)
	}
	if _, _, ok := k.Extract(va); ok {
		return "", fmt.Errorf("%w: Extract still finds %v after Remove", errScratch, va)
	}
	if err := scratchUnmapped(va, mmu, "after Remove"); err != nil {
		return "", err
	}
	mmuNote := ""
	if mmu.Translate != nil {
		mmuNote = ", the MMU's translation agrees"
	}
	return fmt.Sprintf("va %#x -> %v, pattern ok, Extract and Stats agree%s, read and write fault after remove", uint64(va), pa, mmuNote), nil
}

// scratchMapped checks the mapping of va to pa in k, whose stats were
// before until the Enter.
func scratchMapped(k pmap.Pmap, mem pmap.Memory, va pmap.VAddr, pa pmap.PAddr, before pmap.Stats, mmu ScratchMMU) error {
	const off = 8
	got, prot, ok := k.Extract(va + off)
	if !ok || got != pa+off || !prot.Allows(pmap.ProtRead|pmap.ProtWrite) {
		return fmt.Errorf("%w: Extract(%v) = %v %v %v, want %v rw", errScratch, va+off, got, prot, ok, pa+off)
	}
	st := k.Stats()
	if st.Resident != before.Resident+1 || st.TablePages <= before.TablePages {
		return fmt.Errorf("%w: stats %+v after Enter, %+v before", errScratch, st, before)
	}
	if mmu.Translate != nil {
		if hw, err := mmu.Translate(uint64(va)); err != nil || hw != pa {
			return fmt.Errorf("%w: the MMU translates %v to %v (%v), want %v", errScratch, va, hw, err, pa)
		}
	}
	if !mmu.Write(uint64(va)+off, ScratchPattern) {
		return fmt.Errorf("%w: store to mapped %v faulted", errScratch, va+off)
	}
	frame := mem.Frame(pa)
	if v := uint64(frame[off]) | uint64(frame[off+1])<<8 | uint64(frame[off+2])<<16 | uint64(frame[off+3])<<24 |
		uint64(frame[off+4])<<32 | uint64(frame[off+5])<<40 | uint64(frame[off+6])<<48 | uint64(frame[off+7])<<56; v != ScratchPattern {
		return fmt.Errorf("%w: wrote %#x at %v, read %#x at %v", errScratch, uint64(ScratchPattern), va+off, v, pa+off)
	}
	if v, ok := mmu.Read(uint64(va) + off); !ok || v != ScratchPattern {
		return fmt.Errorf("%w: probe of %v = %#x %v", errScratch, va+off, v, ok)
	}
	return nil
}

// scratchUnmapped checks that va is not mapped: the MMU (where it can say)
// reports a translation fault, and both probes fault.
func scratchUnmapped(va pmap.VAddr, mmu ScratchMMU, when string) error {
	if mmu.Translate != nil {
		if pa, err := mmu.Translate(uint64(va)); !errors.Is(err, ErrNoTranslation) {
			return fmt.Errorf("%w: %s: the MMU translates %v to %v (%v), want a translation fault", errScratch, when, va, pa, err)
		}
	}
	if v, ok := mmu.Read(uint64(va) + 8); ok {
		return fmt.Errorf("%w: %s: %v readable (read %#x): stale TLB entry?", errScratch, when, va+8, v)
	}
	if mmu.Write(uint64(va)+8, ScratchPattern) {
		return fmt.Errorf("%w: %s: %v writable: stale TLB entry?", errScratch, when, va+8)
	}
	return nil
}
