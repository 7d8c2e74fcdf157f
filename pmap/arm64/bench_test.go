package arm64

import (
	"testing"

	"github.com/tamach/tamach/pmap"
)

// nopCPU is a CPU whose maintenance costs nothing, so benchmarks measure the
// pmap itself.
type nopCPU struct{ n int }

func (c *nopCPU) MMFR0() uint64                   { return qemuA57MMFR0 }
func (c *nopCPU) MMFR1() uint64                   { return 0 }
func (c *nopCPU) SetTTBR0(uint64)                 { c.n++ }
func (c *nopCPU) SetTTBR1(uint64)                 { c.n++ }
func (c *nopCPU) InvalidatePage(ASID, pmap.VAddr) { c.n++ }
func (c *nopCPU) InvalidateASID(ASID)             { c.n++ }
func (c *nopCPU) InvalidateAll()                  { c.n++ }
func (c *nopCPU) Sync()                           { c.n++ }

func (c *nopCPU) CleanInvalidateDataCache(pmap.PAddr, uint64) { c.n++ }
func (c *nopCPU) SyncInstructionCache(pmap.PAddr, uint64)     { c.n++ }
func (c *nopCPU) ZeroFrame(f *[pmap.PageSize]byte)            { clear(f[:]) }

const benchWindow = 4096 // pages

func benchSpace(tb testing.TB) (*System, *Space) {
	arena := pmap.NewArena(arenaBase, 16<<20)
	sys, err := New(Config{Memory: arena, Frames: arena, ManagedBase: managedBase, ManagedSize: managedSize, CPU: &nopCPU{}})
	if err != nil {
		tb.Fatal(err)
	}
	p, err := sys.Create(pmap.KindUser)
	if err != nil {
		tb.Fatal(err)
	}
	s := p.(*Space)
	s.Activate() // live: every change pays for its TLB maintenance calls
	return sys, s
}

func benchVA(i int) pmap.VAddr { return pmap.VAddr(0x40_0000 + (i%benchWindow)*pmap.PageSize) }

func fill(tb testing.TB, s *Space) {
	for i := 0; i < benchWindow; i++ {
		if err := s.Enter(benchVA(i), frame(i), rw, 0); err != nil {
			tb.Fatal(err)
		}
	}
}

func BenchmarkEnter(b *testing.B) {
	_, s := benchSpace(b)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if i%benchWindow == 0 && i > 0 {
			b.StopTimer()
			s.Remove(benchVA(0), benchVA(0)+benchWindow*pmap.PageSize)
			b.StartTimer()
		}
		s.Enter(benchVA(i), frame(i%benchWindow), rw, 0)
	}
}

func BenchmarkRemove(b *testing.B) {
	_, s := benchSpace(b)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if i%benchWindow == 0 {
			b.StopTimer()
			fill(b, s)
			b.StartTimer()
		}
		va := benchVA(i)
		s.Remove(va, va+pmap.PageSize)
	}
}

func BenchmarkProtect(b *testing.B) {
	_, s := benchSpace(b)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if i%benchWindow == 0 {
			b.StopTimer()
			fill(b, s)
			b.StartTimer()
		}
		va := benchVA(i)
		s.Protect(va, va+pmap.PageSize, pmap.ProtRead)
	}
}

// BenchmarkProtectRange lowers 512 pages per call; reported per page.
func BenchmarkProtectRange(b *testing.B) {
	_, s := benchSpace(b)
	b.ReportAllocs()
	for i := 0; i < b.N; i += 512 {
		if i%benchWindow == 0 {
			b.StopTimer()
			fill(b, s)
			b.StartTimer()
		}
		va := benchVA(i)
		s.Protect(va, va+512*pmap.PageSize, pmap.ProtRead)
	}
}

func BenchmarkExtract(b *testing.B) {
	_, s := benchSpace(b)
	fill(b, s)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, _, ok := s.Extract(benchVA(i)); !ok {
			b.Fatal("not mapped")
		}
	}
}

// BenchmarkEnterRemove maps and unmaps one page next to a resident one, so
// the tables stay (the vm fault/unmap steady state).
func BenchmarkEnterRemove(b *testing.B) {
	_, s := benchSpace(b)
	s.Enter(0x40_0000, frame(0), rw, 0)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s.Enter(0x40_1000, frame(1), rw, 0)
		s.Remove(0x40_1000, 0x40_2000)
	}
}

func BenchmarkFastFault(b *testing.B) {
	sys, s := benchSpace(b)
	s.Enter(0x40_0000, frame(0), rw, 0)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s.FastFault(0x40_0000, pmap.ProtWrite)
		sys.ClearModify(frame(0))
		sys.ClearReference(frame(0))
	}
}

// TestZeroAllocs: the steady state allocates nothing.
func TestZeroAllocs(t *testing.T) {
	sys, s := benchSpace(t)
	s.Enter(0x40_0000, frame(0), rw, 0)
	other, _ := sys.Create(pmap.KindUser)
	other.Enter(0x40_0000, frame(1), rw, 0)
	ops := map[string]func(){
		"Enter+Remove": func() {
			s.Enter(0x40_1000, frame(1), rw, 0)
			s.Remove(0x40_1000, 0x40_2000)
		},
		"Enter in place + Protect": func() {
			s.Enter(0x40_0000, frame(0), rw, 0)
			s.Protect(0x40_0000, 0x40_1000, pmap.ProtRead)
		},
		"PageProtect": func() {
			s.Enter(0x40_1000, frame(1), rw, 0)
			sys.PageProtect(frame(1), pmap.ProtRead)
			sys.PageProtect(frame(1), pmap.ProtNone)
		},
		"referenced/modified": func() {
			s.FastFault(0x40_0000, pmap.ProtWrite)
			sys.IsModified(frame(0))
			sys.IsReferenced(frame(0))
			sys.ClearModify(frame(0))
			sys.ClearReference(frame(0))
		},
		"Extract+SetWired": func() {
			s.Extract(0x40_0000)
			s.SetWired(0x40_0000, true)
			s.SetWired(0x40_0000, false)
		},
	}
	for name, op := range ops {
		op() // warm up the reverse map's free list
		if n := testing.AllocsPerRun(100, op); n != 0 {
			t.Errorf("%s: %v allocs per run", name, n)
		}
	}
}
