package arm64

import (
	"testing"

	"github.com/tamach/tamach/pmap"
)

// TestMapRangeLevels checks that MapRange picks the largest leaves that fit.
func TestMapRangeLevels(t *testing.T) {
	h := newHarness(t, modeSoftware)
	k := h.create(pmap.KindKernel)
	// [1 GiB - 8 KiB, 2 GiB + 2 MiB + 4 KiB): two pages, one 1 GiB block,
	// one 2 MiB block, one page.
	start := pmap.VAddr(1<<30 - 8<<10)
	size := uint64(8<<10 + 1<<30 + 2<<20 + 4<<10)
	must(t, k.MapRange(start, pmap.PAddr(start), size, pmap.ProtRead|pmap.ProtWrite, 0), "MapRange")
	want := []struct {
		va    uint64
		level int
	}{
		{1<<30 - 8<<10, 3}, {1<<30 - 4<<10, 3}, {1 << 30, 1}, {1<<30 + 1<<29, 1},
		{2 << 30, 2}, {2<<30 + 2<<20 - 4<<10, 2}, {2<<30 + 2<<20, 3},
	}
	for _, w := range want {
		got := softWalk(h.arena, uint64(k.root), w.va)
		if got.fault != wOK || got.level != w.level || got.pa != w.va {
			t.Errorf("va %#x: fault %v level %d pa %#x, want level %d identity", w.va, got.fault, got.level, got.pa, w.va)
		}
	}
	if got := softWalk(h.arena, uint64(k.root), 2<<30+2<<20+4<<10); got.fault != wTranslation {
		t.Errorf("page after the range is mapped")
	}
	st := k.Stats()
	if st.Resident != size/pmap.PageSize {
		t.Errorf("Resident = %d, want %d", st.Resident, size/pmap.PageSize)
	}
	if st.TablePages != uint64(h.arena.InUse()) {
		t.Errorf("TablePages = %d, arena in use %d", st.TablePages, h.arena.InUse())
	}
}
