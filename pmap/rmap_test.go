package pmap

import (
	"math/rand"
	"testing"
)

// TestRmapAgainstModel adds and removes random mappings and checks every
// frame's list against a plain Go map.
func TestRmapAgainstModel(t *testing.T) {
	const frames = 64
	r := NewRmap[int](0x100000, frames*PageSize)
	model := map[PAddr]map[Mapping[int]]bool{}
	rng := rand.New(rand.NewSource(1))
	for step := 0; step < 20000; step++ {
		pa := PAddr(0x100000 + rng.Intn(frames)*PageSize)
		m := Mapping[int]{Space: rng.Intn(4), VA: VAddr(rng.Intn(8) * PageSize)}
		if model[pa] == nil {
			model[pa] = map[Mapping[int]]bool{}
		}
		if model[pa][m] {
			if !r.Remove(pa, m.Space, m.VA) {
				t.Fatalf("step %d: Remove(%v, %v) found nothing", step, pa, m)
			}
			delete(model[pa], m)
		} else {
			r.Add(pa, m.Space, m.VA)
			model[pa][m] = true
		}
	}
	total := 0
	var buf []Mapping[int]
	for i := 0; i < frames; i++ {
		pa := PAddr(0x100000 + i*PageSize)
		buf = r.Mappings(pa, buf[:0])
		if len(buf) != len(model[pa]) || r.Count(pa) != len(buf) {
			t.Fatalf("%v: %d mappings, model has %d", pa, len(buf), len(model[pa]))
		}
		for _, m := range buf {
			if !model[pa][m] {
				t.Fatalf("%v: unexpected mapping %v", pa, m)
			}
		}
		total += len(buf)
	}
	if total != r.Total() {
		t.Fatalf("Total() = %d, lists hold %d", r.Total(), total)
	}
}

func TestRmapIgnoresUnmanaged(t *testing.T) {
	r := NewRmap[int](0x100000, 4*PageSize)
	for _, pa := range []PAddr{0, 0xff000, 0x104000, 1 << 40} {
		r.Add(pa, 1, 0)
		r.SetAttr(pa, AttrModified)
		if r.Managed(pa) || r.Count(pa) != 0 || r.Attr(pa) != 0 || r.Total() != 0 {
			t.Fatalf("%v: unmanaged frame was recorded", pa)
		}
	}
}

func TestRmapSteadyStateAllocatesNothing(t *testing.T) {
	r := NewRmap[int](0, 16*PageSize)
	r.Add(PageSize, 1, 0)
	r.Remove(PageSize, 1, 0)
	if n := testing.AllocsPerRun(100, func() {
		r.Add(PageSize, 1, 0x1000)
		r.Remove(PageSize, 1, 0x1000)
	}); n != 0 {
		t.Fatalf("Add+Remove allocates %v times", n)
	}
}

func TestArenaFramesAndLeaks(t *testing.T) {
	a := NewArena(0x200000, 8*PageSize)
	pa, ok := a.AllocFrame()
	if !ok || !a.Contains(pa) || a.InUse() != 1 {
		t.Fatalf("AllocFrame = %v, %v; InUse %d", pa, ok, a.InUse())
	}
	Table(a, pa)[511] = 0xdead
	if a.Frame(pa)[511*8] != 0xad {
		t.Fatal("Table and Frame disagree on the frame's bytes (little-endian word)")
	}
	a.FreeFrame(pa)
	again, _ := a.AllocFrame()
	if again != pa || Table(a, again)[511] != 0 {
		t.Fatal("a reused frame must come back zeroed")
	}
	a.SetLimit(1)
	if _, ok := a.AllocFrame(); ok {
		t.Fatal("AllocFrame past the limit succeeded")
	}
}
