package arm64

import (
	"errors"
	"testing"

	"github.com/tamach/tamach/pmap"
)

// Test machine: table frames come from an arena; managed frames (the vm
// pool) are a separate physical range that only needs to exist in the
// tables, not in host memory.
const (
	arenaBase   = pmap.PAddr(0x4000_0000)
	arenaSize   = 32 << 20
	managedBase = pmap.PAddr(0x8000_0000)
	managedSize = 64 << 20
	deviceBase  = pmap.PAddr(0x0900_0000) // QEMU virt PL011
)

// accessMode selects how referenced/modified are kept.
type accessMode int

const (
	modeSoftware       accessMode = iota // CPU without FEAT_HAFDBS
	modeHardware                         // FEAT_HAFDBS with AF and dirty state
	modeForcedSoftware                   // FEAT_HAFDBS present, Config.SoftwareAccess
)

func (m accessMode) String() string {
	return [...]string{"software", "hardware", "forced-software"}[m]
}

var allModes = []accessMode{modeSoftware, modeHardware, modeForcedSoftware}

type harness struct {
	t       testing.TB
	arena   *pmap.Arena
	cpu     *fakeCPU
	sys     *System
	hwAF    bool
	hwDirty bool
	spaces  []*Space // created by the harness and not destroyed
}

func newHarness(t testing.TB, mode accessMode) *harness {
	t.Helper()
	arena := pmap.NewArena(arenaBase, arenaSize)
	var hafdbs uint64
	if mode != modeSoftware {
		hafdbs = 0b0010
	}
	cpu := newFakeCPU(arena, hafdbs)
	sys, err := New(Config{Memory: arena, Frames: arena, ManagedBase: managedBase, ManagedSize: managedSize,
		CPU: cpu, SoftwareAccess: mode == modeForcedSoftware})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	h := &harness{t: t, arena: arena, cpu: cpu, sys: sys}
	h.hwAF, h.hwDirty = sys.HardwareAccess()
	return h
}

func (h *harness) create(kind pmap.Kind) *Space {
	h.t.Helper()
	p, err := h.sys.Create(kind)
	if err != nil {
		h.t.Fatalf("Create(%v): %v", kind, err)
	}
	s := p.(*Space)
	h.spaces = append(h.spaces, s)
	return s
}

func (h *harness) upper() *Space {
	h.t.Helper()
	s, err := h.sys.CreateUpper()
	if err != nil {
		h.t.Fatalf("CreateUpper: %v", err)
	}
	h.spaces = append(h.spaces, s)
	return s
}

func (h *harness) destroy(s *Space) {
	for i, x := range h.spaces {
		if x == s {
			h.spaces = append(h.spaces[:i], h.spaces[i+1:]...)
			break
		}
	}
	s.Destroy()
}

func (h *harness) liveRoots() map[uint64]bool {
	m := map[uint64]bool{}
	for _, s := range h.spaces {
		m[uint64(s.root)] = true
	}
	return m
}

// checkTLB fails the test if the model TLB holds a stale entry or saw a
// break-before-make violation.
func (h *harness) checkTLB() {
	h.t.Helper()
	if v := h.cpu.violations; len(v) > 0 {
		h.t.Fatalf("break-before-make violated: %v", v)
	}
	if st := h.cpu.stale(h.liveRoots()); len(st) > 0 {
		h.t.Fatalf("stale TLB entries after the operation: %v", st)
	}
}

// activate loads s the way the kernel would.
func (h *harness) activate(s *Space) {
	s.Activate()
}

// touch performs access a at va in s (activated first), resolving
// emulated-bit faults with FastFault as the kernel's abort handler does.
// It returns the translated address and the final fault.
func (h *harness) touch(s *Space, va pmap.VAddr, a wAccess) (uint64, wFault) {
	h.t.Helper()
	h.activate(s)
	for try := 0; ; try++ {
		pa, f := h.cpu.access(uint64(va), a, h.hwAF, h.hwDirty)
		if f == wOK || f == wTranslation || try == 2 {
			return pa, f
		}
		if !s.FastFault(va, accessProt(a)) {
			return 0, f
		}
	}
}

func accessProt(a wAccess) pmap.Prot {
	switch {
	case a.exec:
		return pmap.ProtExecute
	case a.write:
		return pmap.ProtWrite
	}
	return pmap.ProtRead
}

// tableSnapshot copies every table reachable from s's root.
func tableSnapshot(h *harness, s *Space) map[pmap.PAddr][512]uint64 {
	snap := map[pmap.PAddr][512]uint64{}
	var visit func(pa pmap.PAddr, level int)
	visit = func(pa pmap.PAddr, level int) {
		t := *pmap.Table(h.arena, pa)
		snap[pa] = t
		if level == 3 {
			return
		}
		for _, d := range t {
			if d&wValid != 0 && d&wNotBlock != 0 {
				visit(pmap.PAddr(d&wAddr), level+1)
			}
		}
	}
	visit(s.root, 0)
	return snap
}

func equalSnapshots(a, b map[pmap.PAddr][512]uint64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func wantErr(t testing.TB, err, want error, what string) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("%s: got error %v, want %v", what, err, want)
	}
}

func must(t testing.TB, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// frame returns the i-th managed frame.
func frame(i int) pmap.PAddr { return managedBase + pmap.PAddr(i)*pmap.PageSize }

func errorsIs(err, target error) bool { return errors.Is(err, target) }
