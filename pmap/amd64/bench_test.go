package amd64

import (
	"testing"

	"github.com/tamach/tamach/pmap"
)

// nopCPU does nothing but count, so benchmarks measure the pmap alone.
type nopCPU struct {
	feat  Features
	calls int
}

func (c *nopCPU) Features() Features                         { return c.feat }
func (c *nopCPU) LoadCR3(v CR3)                              { c.calls++ }
func (c *nopCPU) InvalidatePage(va pmap.VAddr)               { c.calls++ }
func (c *nopCPU) InvalidateAddress(pcid PCID, va pmap.VAddr) { c.calls++ }
func (c *nopCPU) InvalidateContext(pcid PCID)                { c.calls++ }

const benchPages = 1 << 14 // 64 MiB of virtual space, 32 page tables

func benchSpace(tb testing.TB) (*System, *Space) {
	a := pmap.NewArena(arenaBase, arenaSize)
	sys, err := New(Config{Memory: a, Frames: a, ManagedBase: managedBase, ManagedSize: managedSize,
		CPU: &nopCPU{feat: allFeatures}})
	if err != nil {
		tb.Fatal(err)
	}
	s, err := sys.NewSpace(pmap.KindUser)
	if err != nil {
		tb.Fatal(err)
	}
	s.Activate()
	return sys, s
}

func benchVA(i int) pmap.VAddr { return 0x40_0000 + pmap.VAddr(i%benchPages)*pmap.PageSize }
func benchPA(i int) pmap.PAddr { return managedBase + pmap.PAddr(i%benchPages)*pmap.PageSize }

func fill(tb testing.TB, s *Space, prot pmap.Prot) {
	for i := 0; i < benchPages; i++ {
		if err := s.Enter(benchVA(i), benchPA(i), prot, 0); err != nil {
			tb.Fatal(err)
		}
	}
}

var rw = pmap.ProtRead | pmap.ProtWrite

func BenchmarkEnter(b *testing.B) {
	_, s := benchSpace(b)
	fill(b, s, rw)
	s.Remove(benchVA(0), benchVA(benchPages-1)+pmap.PageSize)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if i%benchPages == 0 && i > 0 {
			b.StopTimer()
			s.Remove(benchVA(0), benchVA(benchPages-1)+pmap.PageSize)
			b.StartTimer()
		}
		s.Enter(benchVA(i), benchPA(i), rw, 0)
	}
}

func BenchmarkRemove(b *testing.B) {
	_, s := benchSpace(b)
	fill(b, s, rw)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if i%benchPages == 0 && i > 0 {
			b.StopTimer()
			fill(b, s, rw)
			b.StartTimer()
		}
		s.Remove(benchVA(i), benchVA(i)+pmap.PageSize)
	}
}

func BenchmarkProtect(b *testing.B) {
	_, s := benchSpace(b)
	fill(b, s, rw)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if i%benchPages == 0 && i > 0 {
			b.StopTimer()
			fill(b, s, rw)
			b.StartTimer()
		}
		s.Protect(benchVA(i), benchVA(i)+pmap.PageSize, pmap.ProtRead)
	}
}

// BenchmarkProtectRange lowers 512 pages per call; reported per page.
func BenchmarkProtectRange(b *testing.B) {
	_, s := benchSpace(b)
	fill(b, s, rw)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i += 512 {
		if i%benchPages == 0 && i > 0 {
			b.StopTimer()
			fill(b, s, rw)
			b.StartTimer()
		}
		s.Protect(benchVA(i), benchVA(i)+512*pmap.PageSize, pmap.ProtRead)
	}
}

func BenchmarkExtract(b *testing.B) {
	_, s := benchSpace(b)
	fill(b, s, rw)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, _, ok := s.Extract(benchVA(i)); !ok {
			b.Fatal("not mapped")
		}
	}
}

// BenchmarkEnterRemove maps and unmaps one page whose page table stays (a
// neighbour keeps it alive): the fault-in / pageout cycle.
func BenchmarkEnterRemove(b *testing.B) {
	_, s := benchSpace(b)
	s.Enter(0x40_1000, managedBase+0x1000, rw, 0)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s.Enter(0x40_0000, managedBase, rw, 0)
		s.Remove(0x40_0000, 0x40_1000)
	}
}

// BenchmarkEnterRemoveTables is the same cycle when every call must create
// and free a PDPT, a PD and a PT.
func BenchmarkEnterRemoveTables(b *testing.B) {
	_, s := benchSpace(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s.Enter(0x40_0000, managedBase, rw, 0)
		s.Remove(0x40_0000, 0x40_1000)
	}
}

func BenchmarkPageProtect(b *testing.B) {
	sys, s := benchSpace(b)
	fill(b, s, rw)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		sys.PageProtect(benchPA(i), pmap.ProtRead)
	}
}

// TestZeroAllocs checks the steady state allocates nothing.
func TestZeroAllocs(t *testing.T) {
	sys, s := benchSpace(t)
	other, err := sys.NewSpace(pmap.KindUser)
	if err != nil {
		t.Fatal(err)
	}
	fill(t, s, rw)
	fill(t, other, rw)
	i := 0
	allocs := testing.AllocsPerRun(1000, func() {
		va, pa := benchVA(i), benchPA(i)
		s.Enter(va, pa, rw, pmap.Wired)
		s.Protect(va, va+pmap.PageSize, pmap.ProtRead)
		s.SetWired(va, false)
		s.Extract(va)
		sys.IsModified(pa)
		sys.ClearModify(pa)
		sys.ClearReference(pa)
		sys.PageProtect(pa, pmap.ProtRead)
		sys.PageProtect(pa, pmap.ProtNone)
		s.Remove(va, va+pmap.PageSize)
		other.Enter(va, pa, rw, 0)
		other.Activate()
		s.Activate()
		i++
	})
	if allocs != 0 {
		t.Errorf("%v allocations per run, want 0", allocs)
	}
}
