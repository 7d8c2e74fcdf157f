package arm64

import (
	"strings"
	"testing"

	"github.com/tamach/tamach/pmap"
)

// TestWalkExplains checks the walk the pmap shows for a tracked user page on
// a CPU without FEAT_HAFDBS (AF clear, clean), a block of the kernel's map,
// and an unmapped address: one step per level read, the raw descriptors as
// the tables hold them, and the fields by the Arm ARM's names.
func TestWalkExplains(t *testing.T) {
	h := newHarness(t, modeSoftware)
	u := h.create(pmap.KindUser)
	const va pmap.VAddr = 0x0000_7f12_3456_7000
	pa := managedBase + 5*pmap.PageSize
	if err := u.Enter(va, pa, pmap.ProtRead|pmap.ProtWrite, 0); err != nil {
		t.Fatal(err)
	}
	steps := u.Walk(va + 0x123)
	if len(steps) != 4 {
		t.Fatalf("walk of a page: %d steps, want 4: %+v", len(steps), steps)
	}
	for l, st := range steps {
		if st.Level != []string{"L0", "L1", "L2", "L3"}[l] || st.Index != index(uint64(va), l) {
			t.Errorf("step %d: %s index %d", l, st.Level, st.Index)
		}
		if got := h.sys.table(st.Table)[st.Index]; uint64(got) != st.Entry {
			t.Errorf("step %d: entry %#x, the table holds %#x", l, st.Entry, got)
		}
	}
	for _, want := range []string{"page " + pa.String() + " (4 KiB)", "AttrIndx=normal", "AP[2:1]=11", "nG", "PXN", "UXN", "writable", "tracked", "(first access faults: Access flag)"} {
		if !strings.Contains(steps[3].Decoded, want) {
			t.Errorf("L3 decoded %q, lacks %q", steps[3].Decoded, want)
		}
	}
	if !u.FastFault(va, pmap.ProtRead) {
		t.Fatal("FastFault refused the first read")
	}
	if d := u.Walk(va)[3].Decoded; !strings.Contains(d, "AF") || !strings.Contains(d, "(clean: the first write faults)") {
		t.Errorf("after the first read: %q", d)
	}
	if s := u.Walk(va + 0x10_0000_0000); len(s) != 2 || !strings.HasPrefix(s[1].Decoded, "invalid") {
		t.Errorf("walk of an unmapped address: %+v", s)
	}
	k := h.create(pmap.KindKernel)
	if err := k.MapRange(0x4000_0000, 0x4000_0000, 1<<21, pmap.ProtRead|pmap.ProtWrite, pmap.Wired); err != nil {
		t.Fatal(err)
	}
	ks := k.Walk(0x4000_1000)
	if len(ks) != 3 || ks[2].Level != "L2" || !strings.Contains(ks[2].Decoded, "block ") || !strings.Contains(ks[2].Decoded, "(2 MiB)") ||
		!strings.Contains(ks[2].Decoded, "AP[2:1]=00") {
		t.Errorf("walk of a 2 MiB block: %+v", ks)
	}
}
