package amd64

import (
	"errors"
	"testing"

	"github.com/tamach/tamach/pmap"
)

// TestBadInput checks every kind of bad argument returns its error and leaves
// the tables as they were.
func TestBadInput(t *testing.T) {
	e := newEnv(t, allFeatures)
	u, k := e.space(pmap.KindUser), e.space(pmap.KindKernel)
	e.must(u.Enter(0x40_0000, managedBase, pmap.ProtRead, 0))
	e.must(k.MapRange(0, 0, 1<<30, pmap.ProtRead|pmap.ProtWrite, 0))
	rw := pmap.ProtRead | pmap.ProtWrite
	cases := []struct {
		name string
		s    *Space
		op   func(s *Space) error
		want error
	}{
		{"enter unaligned va", u, func(s *Space) error { return s.Enter(0x40_0010, managedBase, rw, 0) }, pmap.ErrUnaligned},
		{"enter unaligned pa", u, func(s *Space) error { return s.Enter(0x40_0000, managedBase+8, rw, 0) }, pmap.ErrUnaligned},
		{"enter non-canonical", u, func(s *Space) error { return s.Enter(1<<47, managedBase, rw, 0) }, pmap.ErrNonCanonical},
		{"enter non-canonical high", k, func(s *Space) error { return s.Enter(0x0001_0000_0000_0000, 0, rw, 0) }, pmap.ErrNonCanonical},
		{"enter kernel range", u, func(s *Space) error { return s.Enter(0xffff_8000_0000_0000, managedBase, rw, 0) }, pmap.ErrKernelRange},
		{"enter pa beyond MAXPHYADDR", u, func(s *Space) error { return s.Enter(0x40_0000, 1<<46, rw, 0) }, pmap.ErrOutOfRange},
		{"enter bad prot", u, func(s *Space) error { return s.Enter(0x40_0000, managedBase, 0x8, 0) }, pmap.ErrBadFlags},
		{"enter bad flags", u, func(s *Space) error { return s.Enter(0x40_0000, managedBase, rw, 0x80) }, pmap.ErrBadFlags},
		{"remove unaligned", u, func(s *Space) error { return s.Remove(0x40_0000, 0x40_0800) }, pmap.ErrUnaligned},
		{"remove backwards", u, func(s *Space) error { return s.Remove(0x40_1000, 0x40_0000) }, pmap.ErrBadRange},
		{"remove across hole", k, func(s *Space) error { return s.Remove(0x7fff_ffff_f000, 0xffff_8000_0000_1000) }, pmap.ErrNonCanonical},
		{"remove kernel range", u, func(s *Space) error { return s.Remove(0xffff_8000_0000_0000, 0xffff_8000_0001_0000) }, pmap.ErrKernelRange},
		{"protect bad prot", u, func(s *Space) error { return s.Protect(0x40_0000, 0x40_1000, 0x10) }, pmap.ErrBadFlags},
		{"protect non-canonical", u, func(s *Space) error { return s.Protect(1<<47, 1<<47+0x1000, 0) }, pmap.ErrNonCanonical},
		{"setwired unmapped", u, func(s *Space) error { return s.SetWired(0x50_0000, true) }, pmap.ErrNotMapped},
		{"setwired unaligned", u, func(s *Space) error { return s.SetWired(0x40_0008, true) }, pmap.ErrUnaligned},
		{"maprange user", u, func(s *Space) error { return s.MapRange(0, 0, 1<<21, rw, 0) }, ErrNotKernel},
		{"maprange size", k, func(s *Space) error { return s.MapRange(0, 0, 1<<21+1, rw, 0) }, pmap.ErrUnaligned},
		{"maprange wraps", k, func(s *Space) error { return s.MapRange(0xffff_ffff_fff0_0000, 0, 1<<21, rw, 0) }, pmap.ErrBadRange},
		{"maprange pa end", k, func(s *Space) error { return s.MapRange(0, 1<<46-0x1000, 0x2000, rw, 0) }, pmap.ErrOutOfRange},
	}
	for _, c := range cases {
		before, stats := e.snapshot(c.s), c.s.Stats()
		err := c.op(c.s)
		if !errors.Is(err, c.want) {
			t.Errorf("%s: error %v, want %v", c.name, err, c.want)
		}
		if !sameTables(before, e.snapshot(c.s)) || stats != c.s.Stats() {
			t.Errorf("%s: tables or stats changed", c.name)
		}
	}
	if _, _, ok := u.Extract(1 << 47); ok {
		t.Error("Extract of a non-canonical address succeeded")
	}
	if _, err := e.sys.Create(7); !errors.Is(err, pmap.ErrBadFlags) {
		t.Errorf("Create(7): %v", err)
	}
	if _, err := New(Config{}); !errors.Is(err, ErrConfig) {
		t.Errorf("New(empty): %v", err)
	}
}

// TestOutOfFrames runs out of table frames and checks nothing leaks.
func TestOutOfFrames(t *testing.T) {
	e := newEnv(t, allFeatures)
	u := e.space(pmap.KindUser)
	base := e.arena.InUse()
	e.arena.SetLimit(base + 2) // PDPT and PD, no PT
	err := u.Enter(0x40_0000, managedBase, pmap.ProtRead, 0)
	if !errors.Is(err, pmap.ErrNoFrames) {
		t.Fatalf("Enter with no frames: %v", err)
	}
	if e.arena.InUse() != base || u.Stats().TablePages != 1 {
		t.Errorf("tables leaked: in use %d, want %d; stats %+v", e.arena.InUse(), base, u.Stats())
	}
	e.arena.SetLimit(0)
	k := e.space(pmap.KindKernel)
	e.must(k.MapRange(0, 0, 1<<30, pmap.ProtRead, 0))
	e.arena.SetLimit(e.arena.InUse())
	if err := k.Remove(0x1000, 0x2000); !errors.Is(err, pmap.ErrNoFrames) {
		t.Errorf("split with no frames: %v", err)
	}
	// Enter with ProtNone removes the page, which splits the large page
	// first: the failed split is Enter's error, and the page stays mapped.
	if err := k.Enter(0x1000, 0x1000, pmap.ProtNone, 0); !errors.Is(err, pmap.ErrNoFrames) {
		t.Errorf("Enter(ProtNone) splitting with no frames: %v", err)
	}
	if _, _, ok := k.Extract(0x1000); !ok {
		t.Error("failed Enter(ProtNone) unmapped the page")
	}
	e.arena.SetLimit(0)
	if _, err := e.sys.Create(pmap.KindUser); err != nil {
		t.Fatal(err)
	}
	e.arena.SetLimit(e.arena.InUse())
	if _, err := e.sys.Create(pmap.KindUser); !errors.Is(err, pmap.ErrNoFrames) {
		t.Errorf("Create with no frames: %v", err)
	}
}

// TestNoLeaks maps and unmaps across many tables, both halves and large pages,
// and checks every table frame comes back.
func TestNoLeaks(t *testing.T) {
	e := newEnv(t, allFeatures)
	base := e.arena.InUse()
	u := e.space(pmap.KindUser)
	for i := pmap.VAddr(0); i < 600; i++ {
		va := i * 0x20_1000 // a new PT, often a new PD
		e.must(u.Enter(va, managedBase+pmap.PAddr(i%16)*pmap.PageSize, pmap.ProtRead, 0))
	}
	e.must(u.Enter(0xffff_ffff_ffff_f000, 0x20_0000, pmap.ProtRead, pmap.Kernel))
	e.must(u.Remove(0, lowerEnd))
	if st := u.Stats(); st.Resident != 1 || st.TablePages != 4 {
		t.Errorf("after Remove: %+v", st)
	}
	u.Destroy()
	k := e.space(pmap.KindKernel)
	e.must(k.MapRange(0, 0, 3<<30, pmap.ProtAll, 0))
	e.must(k.Enter(0x1000, 0x1000, pmap.ProtRead, 0))    // splits 1 GiB then 2 MiB
	e.must(k.Remove(0x4000_0000, 0x4000_0000+0x20_1000)) // splits another
	k.Destroy()
	if got := e.arena.InUse(); got != base {
		t.Errorf("frames in use %d, want %d", got, base)
	}
	if e.sys.rmap.Total() != 0 {
		t.Errorf("reverse map holds %d mappings", e.sys.rmap.Total())
	}
}
