package amd64

import (
	"testing"

	"github.com/tamach/tamach/pmap"
)

// TestPCIDGenerations activates more spaces than there are PCIDs and checks
// that no stale translation can be used and that reused PCIDs are flushed.
func TestPCIDGenerations(t *testing.T) {
	for _, name := range []string{"all", "pcid-noinv"} {
		t.Run(name, func(t *testing.T) {
			const n = 4200
			e := newEnvSize(t, featureSets[name], (4*n+64)*pmap.PageSize)
			spaces := make([]*Space, 0, n)
			for i := 0; i < n; i++ {
				s := e.space(pmap.KindUser)
				e.must(s.Enter(0x40_0000, managedBase+pmap.PAddr(i%1000)*pmap.PageSize, pmap.ProtRead, 0))
				s.Activate()
				if _, err := e.cpu.access(0x40_0000, mmuAccess{user: true}); err != nil {
					t.Fatal(err)
				}
				spaces = append(spaces, s)
			}
			if e.sys.pcidGen != 2 {
				t.Errorf("generation %d after %d spaces, want 2", e.sys.pcidGen, n)
			}
			// Space 0's PCID now belongs to space 4095; space 0 must get a
			// fresh one, flushed before use.
			spaces[0].Activate()
			pa, err := e.cpu.access(0x40_0000, mmuAccess{user: true})
			if err != nil || pmap.PAddr(pa) != managedBase {
				t.Errorf("space 0 reads %#x %v, want %v", pa, err, managedBase)
			}
			e.must(spaces[4150].Remove(0x40_0000, 0x40_1000)) // not active: by PCID
			spaces[4150].Activate()
			if _, err := e.cpu.access(0x40_0000, mmuAccess{user: true}); err == nil {
				t.Error("removed page still translates through a stale TLB entry")
			}
			e.cpu.checkTLB(t, spaces)
		})
	}
}

// TestPrepare checks the trampoline protocol: changes made while the
// kernel's tables are loaded reach the task's PCID.
func TestPrepare(t *testing.T) {
	for name, feat := range featureSets {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, feat)
			k, u := e.space(pmap.KindKernel), e.space(pmap.KindUser)
			e.must(k.MapRange(0, 0, 1<<30, pmap.ProtRead|pmap.ProtWrite, 0))
			e.must(u.Enter(0x40_0000, managedBase, pmap.ProtRead|pmap.ProtWrite, 0))
			k.Activate()
			kcr3 := e.cpu.cr3 | CR3NoFlush
			if !feat.PCID {
				kcr3 = e.cpu.cr3
			}
			for round := 0; round < 3; round++ {
				e.cpu.LoadCR3(u.Prepare()) // the trampoline's exit path
				if _, err := e.cpu.access(0x40_0000, mmuAccess{user: true, write: true}); err != nil {
					t.Fatalf("round %d: %v", round, err)
				}
				e.cpu.LoadCR3(kcr3) // trap entry
				e.must(u.Protect(0x40_0000, 0x40_1000, pmap.ProtRead))
				e.cpu.checkTLB(t, []*Space{k, u})
				e.cpu.LoadCR3(u.Prepare())
				if _, err := e.cpu.access(0x40_0000, mmuAccess{user: true, write: true}); err == nil {
					t.Fatalf("round %d: write allowed after Protect", round)
				}
				e.cpu.LoadCR3(kcr3)
				e.must(u.Enter(0x40_0000, managedBase, pmap.ProtRead|pmap.ProtWrite, 0))
			}
		})
	}
}
