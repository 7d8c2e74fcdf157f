package amd64

import (
	"errors"
	"testing"

	"github.com/tamach/tamach/pmap"
)

// TestGoldenEntries checks encodings against values worked out by hand from
// the manual's tables.
func TestGoldenEntries(t *testing.T) {
	nx := func(p pmap.Prot, user bool) leafAttrs { return leafAttrs{prot: p, user: user, nx: true} }
	cases := []struct {
		name string
		got  entry
		want uint64
	}{
		// Table 4-15: PML4E referencing a PDPT at 0x1000, P|R/W|U/S.
		{"pml4e user", tableEntry(0x1000, true), 0x0000_0000_0000_1007},
		// Table 4-19: PDE referencing a PT, supervisor: P|R/W.
		{"pde kernel", tableEntry(0x7654_3000, false), 0x0000_0000_7654_3003},
		// Table 4-20: PTE, user read/write data page, XD (bit 63) set.
		{"pte user rw-", leafEntry(0x20_0000, levelPT, nx(pmap.ProtRead|pmap.ProtWrite, true)), 0x8000_0000_0020_0007},
		// Table 4-20: PTE, user r-x text page: P|U/S, no XD.
		{"pte user r-x", leafEntry(0x40_1000, levelPT, nx(pmap.ProtRead|pmap.ProtExecute, true)), 0x0000_0000_0040_1005},
		// Table 4-20: PTE, supervisor read-only, no-execute.
		{"pte kernel r--", leafEntry(0x3000, levelPT, nx(pmap.ProtRead, false)), 0x8000_0000_0000_3001},
		// §4.9.2: device registers, PCD|PWT (PAT entry 3, UC).
		{"pte device", leafEntry(0xfee0_0000, levelPT, leafAttrs{prot: pmap.ProtRead | pmap.ProtWrite, device: true, nx: true}), 0x8000_0000_fee0_001b},
		// Without NXE, bit 63 is reserved and never set (§4.6).
		{"pte no NX", leafEntry(0x5000, levelPT, leafAttrs{prot: pmap.ProtRead}), 0x0000_0000_0000_5001},
		// Table 4-16: the 1 GiB PDPTE TamaGo's amd64 boot code writes
		// for 0x40000000 (PS|R/W|P).
		{"pdpte 1G", leafEntry(0x4000_0000, levelPDPT, leafAttrs{prot: pmap.ProtAll}), 0x4000_0083},
	}
	for _, c := range cases {
		if uint64(c.got) != c.want {
			t.Errorf("%s: %#x, want %#x", c.name, uint64(c.got), c.want)
		}
	}
	// Table 4-13: CR3 with PCID 3 and the PML4 table at 0x5000, no flush.
	if v := CR3(0x5000) | CR3(3) | CR3NoFlush; uint64(v) != 0x8000_0000_0000_5003 || v.Root() != 0x5000 || v.PCID() != 3 {
		t.Errorf("CR3 %#x", uint64(v))
	}
}

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

func TestExpectedMappings(t *testing.T) {
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

// TestNoFrames runs out of table frames and checks nothing leaks.
func TestNoFrames(t *testing.T) {
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

// TestLeaks maps and unmaps across many tables, both halves and large pages,
// and checks every table frame comes back.
func TestLeaks(t *testing.T) {
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

// TestModifiedFromHardware sets D through the simulated MMU and checks
// IsModified, ClearModify and the TLB invalidation §4.8 requires.
func TestModifiedFromHardware(t *testing.T) {
	for name, feat := range featureSets {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, feat)
			u := e.space(pmap.KindUser)
			pa := managedBase + 0x5000
			e.must(u.Enter(0x40_0000, pa, pmap.ProtRead|pmap.ProtWrite, 0))
			u.Activate()
			if e.sys.IsModified(pa) || e.sys.IsReferenced(pa) {
				t.Fatal("fresh page modified or referenced")
			}
			write := mmuAccess{write: true, user: true}
			if _, err := e.cpu.access(0x40_0000, write); err != nil {
				t.Fatal(err)
			}
			if !e.sys.IsModified(pa) || !e.sys.IsReferenced(pa) {
				t.Fatal("write not seen")
			}
			e.sys.ClearModify(pa)
			if e.sys.IsModified(pa) {
				t.Fatal("ClearModify did not clear")
			}
			if _, err := e.cpu.access(0x40_0008, write); err != nil {
				t.Fatal(err)
			}
			if !e.sys.IsModified(pa) {
				t.Fatal("second write lost: D cached in the TLB was not invalidated")
			}
			e.must(u.Enter(0x40_0000, pa, pmap.ProtRead, 0)) // same frame, fewer rights
			if !e.sys.IsModified(pa) {
				t.Fatal("re-entering the same frame lost its modified bit")
			}
			e.must(u.Remove(0x40_0000, 0x40_1000))
			if !e.sys.IsModified(pa) || !e.sys.IsReferenced(pa) {
				t.Fatal("removal lost the modified/referenced bits")
			}
			e.sys.ClearReference(pa)
			if e.sys.IsReferenced(pa) {
				t.Fatal("ClearReference did not clear")
			}
			e.cpu.checkTLB(t, []*Space{u})
		})
	}
}

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

func TestZeroCopyPage(t *testing.T) {
	e := newEnv(t, allFeatures)
	src, _ := e.arena.AllocFrame()
	dst, _ := e.arena.AllocFrame()
	e.arena.Frame(src)[100] = 7
	e.sys.CopyPage(src, dst)
	if e.arena.Frame(dst)[100] != 7 {
		t.Error("CopyPage")
	}
	e.sys.ZeroPage(dst)
	if e.arena.Frame(dst)[100] != 0 {
		t.Error("ZeroPage")
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

// TestDetectFeatures decodes a CPUID table shaped like QEMU's "max" CPU.
func TestDetectFeatures(t *testing.T) {
	table := map[uint32][4]uint32{
		cpuidMaxLeaf:     {0x0d, 0, 0, 0},
		cpuidInfo:        {0, 0, infoECXPCID, 0},
		cpuidExtFeatures: {0, extFeatEBXINVPCID, 0, 0},
		cpuidMaxExtLeaf:  {0x8000_0008, 0, 0, 0},
		cpuidExtInfo:     {0, 0, 0, extInfoEDXNX | extInfoEDXPage1GB},
		cpuidAddrSizes:   {0x3028, 0, 0, 0}, // 40 physical, 48 linear bits
	}
	cpuid := func(leaf, sub uint32) (uint32, uint32, uint32, uint32) {
		r := table[leaf]
		return r[0], r[1], r[2], r[3]
	}
	want := Features{PCID: true, INVPCID: true, NX: true, Page1G: true, PhysAddrBits: 40}
	if got := DetectFeatures(cpuid); got != want {
		t.Errorf("DetectFeatures = %+v, want %+v", got, want)
	}
	table[cpuidMaxLeaf] = [4]uint32{1, 0, 0, 0} // leaf 7 absent
	table[cpuidInfo] = [4]uint32{}
	table[cpuidMaxExtLeaf] = [4]uint32{0x8000_0001, 0, 0, 0}
	want = Features{NX: true, Page1G: true}
	if got := DetectFeatures(cpuid); got != want {
		t.Errorf("DetectFeatures (old CPU) = %+v, want %+v", got, want)
	}
}
