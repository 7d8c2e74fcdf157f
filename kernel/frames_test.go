package kernel

import (
	"testing"

	"github.com/tamach/tamach/pmap"
)

func TestFramePoolHandsOutEachFrameOnce(t *testing.T) {
	arena := pmap.NewArena(0x100000, 70*pmap.PageSize)
	p := NewFramePool(arena, 0x100000, 0x100000+70*pmap.PageSize)
	seen := map[pmap.PAddr]bool{}
	for {
		pa, ok := p.AllocFrame()
		if !ok {
			break
		}
		if seen[pa] || !pa.Aligned() || pa < 0x100000 || pa >= 0x100000+70*pmap.PageSize {
			t.Fatalf("bad or repeated frame %v", pa)
		}
		seen[pa] = true
		arena.Frame(pa)[7] = 0xff // dirty it: a reused frame must come back zeroed
	}
	if len(seen) != 70 || p.Free() != 0 {
		t.Fatalf("handed out %d frames, %d free; want 70, 0", len(seen), p.Free())
	}
	p.FreeFrame(0x100000 + 65*pmap.PageSize)
	pa, ok := p.AllocFrame()
	if !ok || pa != 0x100000+65*pmap.PageSize || arena.Frame(pa)[7] != 0 {
		t.Fatalf("reuse: got %v %v, byte %#x", pa, ok, arena.Frame(pa)[7])
	}
}

func TestFramePoolDoubleFreePanics(t *testing.T) {
	arena := pmap.NewArena(0, 4*pmap.PageSize)
	p := NewFramePool(arena, 0, 4*pmap.PageSize)
	defer func() {
		if recover() == nil {
			t.Fatal("freeing a frame twice did not panic")
		}
	}()
	pa, _ := p.AllocFrame()
	p.FreeFrame(pa)
	p.FreeFrame(pa)
}
