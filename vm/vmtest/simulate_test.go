package vmtest

import (
	"testing"

	"github.com/tamach/tamach/pmap"
)

// TestMMUReferencedModified checks each pmap's MMU hook against the
// referenced and modified bits the pmap reports: a read sets referenced
// only, a write sets modified, a write to a read-only mapping faults and
// changes nothing, an unmapped page faults; where the hardware does not
// keep the bits (arm64 without FEAT_HAFDBS, the software pmap) the access
// faults until FastFault grants it.
func TestMMUReferencedModified(t *testing.T) {
	hardware := map[string]bool{"amd64": true, "arm64-hafdbs": true} // the MMU keeps the bits
	for _, p := range Pmaps {
		t.Run(p.Name, func(t *testing.T) {
			env, err := New(Options{Pmap: p, PoolPages: 4, TablePages: 16})
			if err != nil {
				t.Fatal(err)
			}
			pm, err := env.Pmap.Create(pmap.KindUser)
			if err != nil {
				t.Fatal(err)
			}
			mmu := pm.(MMU)
			const va, ro pmap.VAddr = 0x40_0000, 0x40_1000
			pa := ramBase
			if err := pm.Enter(va, pa, pmap.ProtRead|pmap.ProtWrite, 0); err != nil {
				t.Fatal(err)
			}
			if err := pm.Enter(ro, pa+pmap.PageSize, pmap.ProtRead, 0); err != nil {
				t.Fatal(err)
			}
			access := func(va pmap.VAddr, a pmap.Prot) bool {
				if got, ok := mmu.Access(va+5, a, true); ok {
					if got != pa+5 && got != pa+pmap.PageSize+5 {
						t.Fatalf("%v translated to %v", va, got)
					}
					return true
				}
				return pm.FastFault(va, a) && mustAccess(t, mmu, va, a)
			}
			if env.Pmap.IsReferenced(pa) || env.Pmap.IsModified(pa) {
				t.Fatal("fresh mapping referenced or modified")
			}
			if _, ok := mmu.Access(va, pmap.ProtRead, true); ok != hardware[p.Name] {
				t.Fatalf("first access without FastFault succeeded: %v, hardware-managed bits: %v", ok, hardware[p.Name])
			}
			if !access(va, pmap.ProtRead) || !env.Pmap.IsReferenced(pa) || env.Pmap.IsModified(pa) {
				t.Fatalf("after a read: referenced %v modified %v", env.Pmap.IsReferenced(pa), env.Pmap.IsModified(pa))
			}
			if !access(va, pmap.ProtWrite) || !env.Pmap.IsModified(pa) {
				t.Fatal("a write did not set modified")
			}
			if access(ro, pmap.ProtWrite) || env.Pmap.IsModified(pa+pmap.PageSize) {
				t.Fatal("write through a read-only mapping")
			}
			if _, ok := mmu.Access(0x80_0000, pmap.ProtRead, true); ok {
				t.Fatal("unmapped page accessed")
			}
			env.Pmap.ClearModify(pa)
			if _, ok := mmu.Access(va, pmap.ProtRead, true); !ok && !pm.FastFault(va, pmap.ProtRead) {
				t.Fatal("read after ClearModify faults for good")
			}
			if env.Pmap.IsModified(pa) {
				t.Fatal("a read after ClearModify set modified")
			}
			pm.Destroy()
		})
	}
}

func mustAccess(t *testing.T, mmu MMU, va pmap.VAddr, a pmap.Prot) bool {
	t.Helper()
	if _, ok := mmu.Access(va, a, true); !ok {
		t.Fatalf("access %v at %v still faults after FastFault", a, va)
	}
	return true
}
