package arm64

import (
	"testing"

	"github.com/tamach/tamach/pmap"
)

// populate gives s a few mappings so that bad calls have something to spoil.
func populate(t *testing.T, s *Space) {
	t.Helper()
	base := pmap.VAddr(0x40_0000)
	if s.upper {
		base += pmap.VAddr(upperBase)
	}
	for i := 0; i < 8; i++ {
		va := base + pmap.VAddr(i*pmap.PageSize)
		must(t, s.Enter(va, frame(i), pmap.ProtRead|pmap.ProtWrite, 0), "Enter")
	}
}

// TestBadInput checks that every bad argument returns the right error and
// leaves every table frame exactly as it was.
func TestBadInput(t *testing.T) {
	const rw = pmap.ProtRead | pmap.ProtWrite
	type call struct {
		name string
		want error
		do   func(s *Space) error
	}
	user := []call{
		{"Enter unaligned va", pmap.ErrUnaligned, func(s *Space) error { return s.Enter(0x40_0008, frame(9), rw, 0) }},
		{"Enter unaligned pa", pmap.ErrUnaligned, func(s *Space) error { return s.Enter(0x50_0000, frame(9)+1, rw, 0) }},
		{"Enter pa beyond 48 bits", pmap.ErrOutOfRange, func(s *Space) error { return s.Enter(0x50_0000, 1<<48, rw, 0) }},
		{"Enter va 1<<48", pmap.ErrOutOfRange, func(s *Space) error { return s.Enter(1<<48, frame(9), rw, 0) }},
		{"Enter va 1<<62", pmap.ErrOutOfRange, func(s *Space) error { return s.Enter(1<<62, frame(9), rw, 0) }},
		{"Enter non-canonical", pmap.ErrNonCanonical, func(s *Space) error { return s.Enter(0x8000_0000_0000_0000, frame(9), rw, 0) }},
		{"Enter non-canonical high", pmap.ErrNonCanonical, func(s *Space) error { return s.Enter(0xfffe_ffff_ffff_f000, frame(9), rw, 0) }},
		{"Enter kernel range", pmap.ErrKernelRange, func(s *Space) error { return s.Enter(0xffff_0000_0000_0000, frame(9), rw, 0) }},
		{"Enter kernel range with Kernel flag", pmap.ErrKernelRange, func(s *Space) error {
			return s.Enter(0xffff_8000_0000_0000, frame(9), rw, pmap.Kernel)
		}},
		{"Enter bad prot", pmap.ErrBadFlags, func(s *Space) error { return s.Enter(0x50_0000, frame(9), 0x8, 0) }},
		{"Enter bad flags", pmap.ErrBadFlags, func(s *Space) error { return s.Enter(0x50_0000, frame(9), rw, 0x80) }},
		{"Remove unaligned", pmap.ErrUnaligned, func(s *Space) error { return s.Remove(0x40_0001, 0x41_0000) }},
		{"Remove unaligned end", pmap.ErrUnaligned, func(s *Space) error { return s.Remove(0x40_0000, 0x40_0fff) }},
		{"Remove end below start", pmap.ErrBadRange, func(s *Space) error { return s.Remove(0x40_2000, 0x40_1000) }},
		{"Remove beyond 48 bits", pmap.ErrOutOfRange, func(s *Space) error { return s.Remove(0x40_0000, 1<<48+pmap.PageSize) }},
		{"Remove kernel range", pmap.ErrKernelRange, func(s *Space) error { return s.Remove(0xffff_0000_0000_0000, 0xffff_0000_0001_0000) }},
		{"Protect bad prot", pmap.ErrBadFlags, func(s *Space) error { return s.Protect(0x40_0000, 0x41_0000, 0x10) }},
		{"Protect non-canonical", pmap.ErrNonCanonical, func(s *Space) error { return s.Protect(0x8000_0000_0000_0000, 0x8000_0000_0001_0000, 0) }},
		{"SetWired unmapped", pmap.ErrNotMapped, func(s *Space) error { return s.SetWired(0x60_0000, true) }},
		{"SetWired unaligned", pmap.ErrUnaligned, func(s *Space) error { return s.SetWired(0x40_0004, true) }},
		{"SetWired kernel range", pmap.ErrKernelRange, func(s *Space) error { return s.SetWired(0xffff_0000_0000_0000, true) }},
		{"MapRange in a user space", ErrNotKernel, func(s *Space) error { return s.MapRange(0x4000_0000, 0x4000_0000, 2<<20, rw, 0) }},
	}
	kernel := []call{
		{"Enter upper half in the TTBR0 kernel space", pmap.ErrOutOfRange, func(s *Space) error { return s.Enter(0xffff_0000_0000_0000, frame(9), rw, 0) }},
		{"MapRange size 0", pmap.ErrUnaligned, func(s *Space) error { return s.MapRange(0x4000_0000, 0x4000_0000, 0, rw, 0) }},
		{"MapRange unaligned size", pmap.ErrUnaligned, func(s *Space) error { return s.MapRange(0x4000_0000, 0x4000_0000, 100, rw, 0) }},
		{"MapRange past 48 bits", pmap.ErrOutOfRange, func(s *Space) error { return s.MapRange(1<<48-pmap.PageSize, 0x4000_0000, 2*pmap.PageSize, rw, 0) }},
		{"MapRange pa past 48 bits", pmap.ErrOutOfRange, func(s *Space) error { return s.MapRange(0x4000_0000, 1<<48-pmap.PageSize, 2*pmap.PageSize, rw, 0) }},
		{"MapRange wraps", pmap.ErrBadRange, func(s *Space) error { return s.MapRange(0x4000_0000, 0x4000_0000, 1<<64-pmap.PageSize, rw, 0) }},
		{"MapRange bad flags", pmap.ErrBadFlags, func(s *Space) error { return s.MapRange(0x4000_0000, 0x4000_0000, 1<<20, rw, 0x40) }},
	}
	upper := []call{
		{"Enter lower half in the upper space", pmap.ErrOutOfRange, func(s *Space) error { return s.Enter(0x40_0000, frame(9), rw, 0) }},
		{"Enter non-canonical in the upper space", pmap.ErrNonCanonical, func(s *Space) error { return s.Enter(0xfff0_0000_0000_0000, frame(9), rw, 0) }},
	}
	run := func(kind string, calls []call, mk func(h *harness) *Space) {
		for _, c := range calls {
			t.Run(kind+"/"+c.name, func(t *testing.T) {
				h := newHarness(t, modeSoftware)
				s := mk(h)
				populate(t, s)
				before, inUse, stats := tableSnapshot(h, s), h.arena.InUse(), s.Stats()
				wantErr(t, c.do(s), c.want, c.name)
				if !equalSnapshots(before, tableSnapshot(h, s)) || h.arena.InUse() != inUse || s.Stats() != stats {
					t.Fatalf("%s changed the tables", c.name)
				}
			})
		}
	}
	run("user", user, func(h *harness) *Space { return h.create(pmap.KindUser) })
	run("kernel", kernel, func(h *harness) *Space { return h.create(pmap.KindKernel) })
	run("upper", upper, func(h *harness) *Space { return h.upper() })
}

// TestHoles: Remove and Protect over unmapped ranges are not errors and
// change nothing.
func TestHoles(t *testing.T) {
	h := newHarness(t, modeSoftware)
	s := h.create(pmap.KindUser)
	populate(t, s)
	before := tableSnapshot(h, s)
	must(t, s.Remove(0x1000_0000, 0x2000_0000), "Remove hole")
	must(t, s.Protect(0x1000_0000, 0x2000_0000, pmap.ProtRead), "Protect hole")
	must(t, s.Remove(0x40_0000, 0x40_0000), "empty Remove")
	if !equalSnapshots(before, tableSnapshot(h, s)) {
		t.Fatal("operations on holes changed the tables")
	}
	if _, _, ok := s.Extract(0xffff_0000_0000_0000); ok {
		t.Error("Extract of a kernel-range address succeeded in a user space")
	}
	if s.FastFault(0x40_0001, 0x10) || s.FastFault(0x60_0000, pmap.ProtRead) {
		t.Error("FastFault resolved a bad or unmapped access")
	}
}

func TestNewErrors(t *testing.T) {
	arena := pmap.NewArena(arenaBase, 1<<20)
	cpu := newFakeCPU(arena, 0)
	if _, err := New(Config{Memory: arena, Frames: arena}); !errorsIs(err, ErrConfig) {
		t.Errorf("New without CPU: %v", err)
	}
	if _, err := New(Config{Memory: arena, Frames: arena, CPU: cpu, ManagedBase: 0x1001}); !errorsIs(err, pmap.ErrUnaligned) {
		t.Errorf("New with unaligned managed base: %v", err)
	}
	if _, err := New(Config{Memory: arena, Frames: arena, CPU: cpu, ManagedBase: 1 << 48, ManagedSize: pmap.PageSize}); !errorsIs(err, pmap.ErrOutOfRange) {
		t.Errorf("New with managed range beyond 48 bits: %v", err)
	}
	cpu.mmfr0 = 0xf << 28
	if _, err := New(Config{Memory: arena, Frames: arena, CPU: cpu}); !errorsIs(err, ErrNoGranule) {
		t.Errorf("New on a CPU without the 4KB granule: %v", err)
	}
	cpu.mmfr0 = qemuA57MMFR0
	sys, err := New(Config{Memory: arena, Frames: arena, CPU: cpu})
	must(t, err, "New")
	if _, err := sys.Create(pmap.Kind(7)); !errorsIs(err, pmap.ErrBadFlags) {
		t.Errorf("Create(7): %v", err)
	}
	for i := 0; i < kernelASIDs; i++ {
		_, err := sys.Create(pmap.KindKernel)
		must(t, err, "Create kernel")
	}
	if _, err := sys.Create(pmap.KindKernel); !errorsIs(err, ErrNoASID) {
		t.Errorf("Create beyond the kernel ASIDs: %v", err)
	}
}

// TestOutOfFrames: every operation that needs table frames fails cleanly
// with ErrNoFrames and leaves no half-built tables behind.
func TestOutOfFrames(t *testing.T) {
	h := newHarness(t, modeSoftware)
	s := h.create(pmap.KindUser)
	populate(t, s)
	for limit := h.arena.InUse(); limit < h.arena.InUse()+3; limit++ {
		h.arena.SetLimit(limit)
		before, inUse := tableSnapshot(h, s), h.arena.InUse()
		// A fresh L0 slot needs three new tables: fails at every limit here.
		wantErr(t, s.Enter(0x7f00_0000_0000, frame(20), pmap.ProtRead, 0), pmap.ErrNoFrames, "Enter")
		if !equalSnapshots(before, tableSnapshot(h, s)) || h.arena.InUse() != inUse {
			t.Fatalf("limit %d: failed Enter left tables behind", limit)
		}
	}
	h.arena.SetLimit(0)

	k := h.create(pmap.KindKernel)
	must(t, k.MapRange(0x4000_0000, 0x4000_0000, 1<<30, pmap.ProtRead|pmap.ProtWrite, 0), "MapRange")
	h.arena.SetLimit(h.arena.InUse())
	before := tableSnapshot(h, k)
	wantErr(t, k.Remove(0x4000_1000, 0x4000_2000), pmap.ErrNoFrames, "Remove splitting a block")
	wantErr(t, k.Protect(0x4000_1000, 0x4000_2000, pmap.ProtRead), pmap.ErrNoFrames, "Protect splitting a block")
	wantErr(t, k.Enter(0x4000_1000, 0x4000_1000, pmap.ProtNone, 0), pmap.ErrNoFrames, "Enter(ProtNone) splitting a block")
	if !equalSnapshots(before, tableSnapshot(h, k)) {
		t.Fatal("failed split changed the tables")
	}
	h.arena.SetLimit(0)
	if _, err := h.sys.CreateUpper(); err != nil {
		t.Fatal(err)
	}
}

// TestNoLeaks: tables are freed as they empty; Destroy returns every frame.
func TestNoLeaks(t *testing.T) {
	for _, mode := range allModes {
		h := newHarness(t, mode)
		s := h.create(pmap.KindUser)
		k := h.create(pmap.KindKernel)
		up := h.upper()
		base := h.arena.InUse()
		for i := 0; i < 1000; i++ {
			va := pmap.VAddr(uint64(i) * (1 << 21) % (1 << 47))
			must(t, s.Enter(va, frame(i%50), pmap.ProtRead, 0), "Enter")
		}
		must(t, k.MapRange(0, 0, 4<<30+8<<10, pmap.ProtRead|pmap.ProtWrite, 0), "MapRange")
		must(t, k.Remove(1<<30+4<<10, 1<<30+8<<10), "Remove inside a block")
		must(t, up.Enter(0xffff_ffff_ffff_f000, 0x4000_0000, pmap.ProtRead, 0), "Enter upper")
		must(t, s.Remove(0, pmap.VAddr(halfSize)), "Remove all")
		must(t, k.Remove(0, pmap.VAddr(halfSize)), "Remove all kernel")
		must(t, up.Remove(pmap.VAddr(upperBase), 0), "Remove all upper")
		if h.arena.InUse() != base {
			t.Fatalf("%v: %d frames in use after removing everything, want %d", mode, h.arena.InUse(), base)
		}
		for i := 0; i < 100; i++ {
			must(t, s.Enter(pmap.VAddr(i)<<30, frame(i), pmap.ProtRead|pmap.ProtWrite, pmap.Wired), "Enter")
		}
		h.activate(k)
		h.destroy(s)
		h.destroy(k)
		h.destroy(up)
		if h.arena.InUse() != 0 || h.sys.rmap.Total() != 0 {
			t.Fatalf("%v: after Destroy %d frames in use, %d reverse mappings", mode, h.arena.InUse(), h.sys.rmap.Total())
		}
	}
}
