package amd64

import (
	"testing"

	"github.com/tamach/tamach/pmap"
)

// Test memory layout: table frames come from an arena at arenaBase; the
// managed VM frame pool is a separate physical range that needs no backing
// (no test reads through a managed frame but ZeroPage/CopyPage, which use
// frames of the arena).
const (
	arenaBase   pmap.PAddr = 0x0010_0000
	arenaSize   uint64     = 16 << 20
	managedBase pmap.PAddr = 0x4000_0000
	managedSize uint64     = 64 << 20
)

// allFeatures is a modern CPU: PCID, INVPCID, NX, 1 GiB pages, 46-bit
// physical addresses.
var allFeatures = Features{PCID: true, INVPCID: true, NX: true, Page1G: true, PhysAddrBits: 46}

// featureSets are the CPUs the model and TLB tests run on.
var featureSets = map[string]Features{
	"all":        allFeatures,
	"pcid-noinv": {PCID: true, NX: true, Page1G: true, PhysAddrBits: 46},
	"nopcid":     {NX: true, PhysAddrBits: 39},
	"bare":       {},
}

// env is one System over an arena with a fake CPU.
type env struct {
	t     testing.TB
	arena *pmap.Arena
	cpu   *fakeCPU
	sys   *System
}

func newEnv(t testing.TB, feat Features) *env {
	t.Helper()
	return newEnvSize(t, feat, arenaSize)
}

// newEnvSize is newEnv with an arena of size bytes for the tables.
func newEnvSize(t testing.TB, feat Features, size uint64) *env {
	t.Helper()
	a := pmap.NewArena(arenaBase, size)
	cpu := newFakeCPU(feat, a)
	sys, err := New(Config{Memory: a, Frames: a, ManagedBase: managedBase, ManagedSize: managedSize, CPU: cpu})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return &env{t: t, arena: a, cpu: cpu, sys: sys}
}

func (e *env) space(kind pmap.Kind) *Space {
	e.t.Helper()
	s, err := e.sys.NewSpace(kind)
	if err != nil {
		e.t.Fatalf("NewSpace(%v): %v", kind, err)
	}
	return s
}

func (e *env) must(err error) {
	e.t.Helper()
	if err != nil {
		e.t.Fatal(err)
	}
}

// walk translates va in s with the independent MMU, without touching A/D.
func (e *env) walk(s *Space, va pmap.VAddr, acc mmuAccess) (mmuResult, error) {
	return mmuWalk(e.arena, uint64(s.Root()), uint64(va), acc, e.cpu.config(), false)
}

// snapshot copies every table frame reachable from s, root included.
func (e *env) snapshot(s *Space) map[uint64][pmap.Entries]uint64 {
	_, tables := mmuEnumerate(e.arena, uint64(s.Root()), e.cpu.config().physBits)
	m := make(map[uint64][pmap.Entries]uint64, len(tables))
	for _, pa := range tables {
		m[pa] = *pmap.Table(e.arena, pmap.PAddr(pa))
	}
	return m
}

// sameTables reports whether two snapshots are equal.
func sameTables(a, b map[uint64][pmap.Entries]uint64) bool {
	if len(a) != len(b) {
		return false
	}
	for pa, t := range a {
		if u, ok := b[pa]; !ok || u != t {
			return false
		}
	}
	return true
}
