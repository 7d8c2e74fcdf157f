package amd64

import (
	"strings"
	"testing"

	"github.com/tamach/tamach/pmap"
)

// TestWalkExplains checks the walk the pmap shows for a 4 KiB user page, a
// 2 MiB kernel page and an unmapped address: one step per level read, the
// raw entries as the tables hold them, and the fields by the SDM's names.
func TestWalkExplains(t *testing.T) {
	e := newEnv(t, allFeatures)
	u := e.space(pmap.KindUser)
	const va pmap.VAddr = 0x0000_7f12_3456_7000
	pa := managedBase + 5*pmap.PageSize
	e.must(u.Enter(va, pa, pmap.ProtRead|pmap.ProtWrite, 0))
	steps := u.Walk(va + 0x123)
	if len(steps) != 4 {
		t.Fatalf("walk of a 4 KiB page: %d steps, want 4: %+v", len(steps), steps)
	}
	for i, want := range []string{"PML4E", "PDPTE", "PDE", "PTE"} {
		if steps[i].Level != want || steps[i].Index != index(va, levelPML4-i) {
			t.Errorf("step %d: %s index %d, want %s index %d", i, steps[i].Level, steps[i].Index, want, index(va, levelPML4-i))
		}
		if got := e.sys.table(steps[i].Table)[steps[i].Index]; uint64(got) != steps[i].Entry {
			t.Errorf("step %d: entry %#x, the table holds %#x", i, steps[i].Entry, got)
		}
	}
	for _, want := range []string{"P RW US", "XD", "page " + pa.String() + " (4 KiB)", "managed", "rights rw-"} {
		if !strings.Contains(steps[3].Decoded, want) {
			t.Errorf("PTE decoded %q, lacks %q", steps[3].Decoded, want)
		}
	}
	if !strings.Contains(steps[0].Decoded, "table ") || !strings.Contains(steps[0].Decoded, "(1 entries in use)") {
		t.Errorf("PML4E decoded %q", steps[0].Decoded)
	}
	if s := u.Walk(va + 0x10_0000_0000); len(s) != 2 || !strings.HasPrefix(s[1].Decoded, "not present") {
		t.Errorf("walk of an unmapped address: %+v", s)
	}
	if u.Walk(0x0000_8000_0000_0000) != nil {
		t.Error("walk of a non-canonical address: want none")
	}
	k := e.space(pmap.KindKernel)
	e.must(k.MapRange(0x4000_0000, 0x4000_0000, 1<<21, pmap.ProtRead|pmap.ProtWrite, pmap.Wired))
	ks := k.Walk(0x4000_1000)
	if len(ks) != 3 || ks[2].Level != "PDE" || !strings.Contains(ks[2].Decoded, "PS") || !strings.Contains(ks[2].Decoded, "(2 MiB)") {
		t.Errorf("walk of a 2 MiB page: %+v", ks)
	}
}
