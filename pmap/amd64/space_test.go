package amd64

import (
	"testing"

	"github.com/tamach/tamach/pmap"
)

// expectedMapping is one row of a table of expected translations.
type expectedMapping struct {
	va   pmap.VAddr
	pa   pmap.PAddr
	prot pmap.Prot
	user bool
}

// checkExpected walks every expected mapping with the independent MMU and
// checks translation and rights for every kind of access.
func checkExpected(t *testing.T, e *env, s *Space, want []expectedMapping) {
	t.Helper()
	for _, m := range want {
		for _, acc := range []mmuAccess{{}, {write: true}, {exec: true}, {user: true}, {user: true, write: true}, {user: true, exec: true}} {
			allowed := (!acc.user || m.user) && (!acc.write || m.prot&pmap.ProtWrite != 0) &&
				(!acc.exec || m.prot&pmap.ProtExecute != 0)
			r, err := e.walk(s, m.va+0x123, acc)
			if allowed != (err == nil) {
				t.Errorf("%v %+v: allowed %v, walk error %v", m.va, acc, allowed, err)
				continue
			}
			if err == nil && r.pa != uint64(m.pa)+0x123 {
				t.Errorf("%v: pa %#x, want %v+0x123", m.va, r.pa, m.pa)
			}
		}
		pa, prot, ok := s.Extract(m.va)
		if !ok || pa != m.pa || prot != m.prot {
			t.Errorf("Extract(%v) = %v %v %v, want %v %v", m.va, pa, prot, ok, m.pa, m.prot)
		}
	}
}

func TestMappings(t *testing.T) {
	e := newEnv(t, allFeatures)
	u := e.space(pmap.KindUser)
	rw, rx, r := pmap.ProtRead|pmap.ProtWrite, pmap.ProtRead|pmap.ProtExecute, pmap.ProtRead
	trampoline := pmap.VAddr(0xffff_ffff_ffe0_0000)
	steps := []struct {
		va    pmap.VAddr
		pa    pmap.PAddr
		prot  pmap.Prot
		flags pmap.Flags
	}{
		{0x40_0000, managedBase, rx, 0},
		{0x40_1000, managedBase + 0x1000, r, 0},
		{0x8000_0000, managedBase + 0x2000, rw, pmap.Wired},
		{0x7fff_ffff_f000, managedBase + 0x3000, pmap.ProtWrite, 0}, // write implies read
		{0x1000, 0x9000, rw, pmap.Kernel},                           // supervisor page in the lower half
		{trampoline, 0x20_0000, rx, pmap.Kernel},
	}
	for _, st := range steps {
		e.must(u.Enter(st.va, st.pa, st.prot, st.flags))
	}
	checkExpected(t, e, u, []expectedMapping{
		{0x40_0000, managedBase, rx, true},
		{0x40_1000, managedBase + 0x1000, r, true},
		{0x8000_0000, managedBase + 0x2000, rw, true},
		{0x7fff_ffff_f000, managedBase + 0x3000, rw, true},
		{0x1000, 0x9000, rw, false},
		{trampoline, 0x20_0000, rx, false},
	})
	if st := u.Stats(); st.Resident != 6 || st.Wired != 1 {
		t.Errorf("stats %+v", st)
	}

	k := e.space(pmap.KindKernel)
	e.must(k.MapRange(0, 0, 4<<30, pmap.ProtAll, 0))
	e.must(k.MapRange(0xfee0_0000, 0xfee0_0000, 0x1000, rw, pmap.Device))
	e.must(k.Enter(0xffff_8000_0000_0000, managedBase, rw, 0))
	checkExpected(t, e, k, []expectedMapping{
		{0x1234_5000, 0x1234_5000, pmap.ProtAll, false},
		{0xbfff_f000, 0xbfff_f000, pmap.ProtAll, false},
		{0xfee0_0000, 0xfee0_0000, rw, false},
		{0xffff_8000_0000_0000, managedBase, rw, false},
	})
	if r, err := e.walk(k, 0xfee0_0000, mmuAccess{}); err != nil || r.leaf&(mmuPCD|mmuPWT) != mmuPCD|mmuPWT {
		t.Errorf("device page not uncached: %#x %v", r.leaf, err)
	}
	if r, err := e.walk(k, 0x4000_0000, mmuAccess{}); err != nil || r.pageSize != 1<<30 {
		t.Errorf("1 GiB page expected at 1 GiB: size %#x %v", r.pageSize, err)
	}
	if r, err := e.walk(k, 0xfec0_0000, mmuAccess{}); err != nil || r.pageSize != 2<<20 {
		t.Errorf("2 MiB page expected next to the split: size %#x %v", r.pageSize, err)
	}
	leaves, _ := mmuEnumerate(e.arena, uint64(k.Root()), 46)
	for _, l := range leaves {
		if l.entry&mmuG != 0 {
			t.Errorf("global leaf at %v", l.va)
		}
	}
	if st := k.Stats(); st.Resident != 4<<30/pmap.PageSize+1 {
		t.Errorf("kernel stats %+v", st)
	}
}

func TestFastFaultAndRefs(t *testing.T) {
	e := newEnv(t, allFeatures)
	u := e.space(pmap.KindUser)
	if u.FastFault(0x1000, pmap.ProtWrite) {
		t.Error("FastFault returned true on x86-64")
	}
	u.Reference()
	u.Destroy()
	if u.Stats().TablePages != 1 {
		t.Error("Destroy with a reference left freed the space")
	}
	u.Activate()
	defer func() {
		if recover() == nil {
			t.Error("destroying the active space did not panic")
		}
	}()
	u.Destroy()
}
