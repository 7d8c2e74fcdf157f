package machine

import (
	"encoding/binary"
	"strings"
	"testing"

	"github.com/tamach/tamach/pmap"
	"github.com/tamach/tamach/vm/vmtest"
)

// simulatedMMU is the pmap-scratch check's view of a kernel space built on
// the host: every probe walks the tables in software (the formats' Access
// hooks), as the MMU would. stale, when set, is a translation the "TLB"
// keeps after it was removed from the tables.
type simulatedMMU struct {
	space interface {
		Access(va pmap.VAddr, access pmap.Prot, user bool) (pmap.PAddr, bool)
	}
	mem   pmap.Memory
	stale map[uint64]pmap.PAddr
}

func (m *simulatedMMU) translate(va uint64, access pmap.Prot) (pmap.PAddr, bool) {
	if pa, ok := m.space.Access(pmap.VAddr(va), access, false); ok {
		return pa, true
	}
	pa, ok := m.stale[va&^pmap.PageMask]
	return pa + pmap.PAddr(va&pmap.PageMask), ok
}

func (m *simulatedMMU) probes() ScratchMMU {
	return ScratchMMU{
		Read: func(va uint64) (uint64, bool) {
			pa, ok := m.translate(va, pmap.ProtRead)
			if !ok {
				return 0, false
			}
			return binary.LittleEndian.Uint64(m.mem.Frame(pa.Trunc())[pa&pmap.PageMask:]), true
		},
		Write: func(va, v uint64) bool {
			pa, ok := m.translate(va, pmap.ProtWrite)
			if ok {
				binary.LittleEndian.PutUint64(m.mem.Frame(pa.Trunc())[pa&pmap.PageMask:], v)
			}
			return ok
		},
	}
}

// newKernelSpace builds a kernel space of the given real pmap format over
// a host arena.
func newKernelSpace(t *testing.T, p *vmtest.Pmap) (pmap.Pmap, *pmap.Arena) {
	t.Helper()
	arena := pmap.NewArena(0x4000_0000, 256*pmap.PageSize)
	sys, err := p.New(vmtest.Machine{Memory: arena, Frames: arena, PoolBase: 0x4000_0000, PoolSize: 16 * pmap.PageSize})
	if err != nil {
		t.Fatal(err)
	}
	k, err := sys.Create(pmap.KindKernel)
	if err != nil {
		t.Fatal(err)
	}
	return k, arena
}

func TestCheckScratch(t *testing.T) {
	const va pmap.VAddr = 0x0000_6000_0000_0000
	for _, p := range []*vmtest.Pmap{vmtest.AMD64, vmtest.ARM64Hardware} {
		t.Run(p.Name, func(t *testing.T) {
			k, arena := newKernelSpace(t, p)
			mmu := &simulatedMMU{space: k.(interface {
				Access(pmap.VAddr, pmap.Prot, bool) (pmap.PAddr, bool)
			}), mem: arena}
			inUse := arena.InUse()
			note, err := CheckScratch(k, arena, arena, va, mmu.probes())
			if err != nil {
				t.Fatalf("CheckScratch: %v", err)
			}
			if !strings.Contains(note, "pattern ok") || arena.InUse() != inUse {
				t.Fatalf("note %q, frames in use %d, before %d", note, arena.InUse(), inUse)
			}
			// A translation that outlives its Remove (a missing TLB
			// invalidation) must fail the check.
			mmu.stale = map[uint64]pmap.PAddr{uint64(va): 0x4000_0000}
			if _, err := CheckScratch(k, arena, arena, va, mmu.probes()); err == nil || !strings.Contains(err.Error(), "stale TLB") {
				t.Fatalf("CheckScratch with a stale translation: %v, want a stale TLB error", err)
			}
		})
	}
}
