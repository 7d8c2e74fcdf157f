package arm64

import (
	"testing"

	"github.com/tamach/tamach/pmap"
)

// perm is the expected result of r, w, x at one privilege: "rwx" style.
type perm string

func (h *harness) permsOf(s *Space, va pmap.VAddr, el0 bool) perm {
	b := []byte("---")
	for i, a := range []wAccess{{el0: el0}, {el0: el0, write: true}, {el0: el0, exec: true}} {
		if _, f := h.touch(s, va, a); f == wOK {
			b[i] = "rwx"[i]
		}
	}
	return perm(b)
}

// TestMappings checks a table of expected mappings by walking the tables
// (gVisor pagetables_test.go style): translation, level, and what EL0 and
// EL1 may do, after the emulated bits are resolved.
func TestMappings(t *testing.T) {
	const rw, rx, rwx = pmap.ProtRead | pmap.ProtWrite, pmap.ProtRead | pmap.ProtExecute, pmap.ProtAll
	type mapping struct {
		va    pmap.VAddr
		pa    pmap.PAddr
		prot  pmap.Prot
		flags pmap.Flags
	}
	cases := []struct {
		name     string
		kind     pmap.Kind
		upper    bool
		m        mapping
		el0, el1 perm
		global   bool
	}{
		{"user rw", pmap.KindUser, false, mapping{0x40_0000, frame(1), rw, 0}, "rw-", "rw-", false},
		{"user r-x", pmap.KindUser, false, mapping{0x40_1000, frame(2), rx, 0}, "r-x", "r--", false},
		{"user --x is execute-only", pmap.KindUser, false, mapping{0x40_2000, frame(3), pmap.ProtExecute, 0}, "--x", "r--", false},
		{"user rwx: never executable at EL1", pmap.KindUser, false, mapping{0x40_3000, frame(4), rwx, 0}, "rwx", "rw-", false},
		{"user -w- is rw-", pmap.KindUser, false, mapping{0x40_4000, frame(5), pmap.ProtWrite, 0}, "rw-", "rw-", false},
		{"user Kernel flag r--", pmap.KindUser, false, mapping{0x7fff_ffff_f000, frame(6), pmap.ProtRead, pmap.Kernel}, "---", "r--", false},
		{"user Kernel flag rwx", pmap.KindUser, false, mapping{0x1000, frame(7), rwx, pmap.Kernel}, "---", "rwx", false},
		{"user device rwx loses x", pmap.KindUser, false, mapping{0x50_0000, deviceBase, rwx, pmap.Device}, "rw-", "rw-", false},
		{"user unmanaged rw", pmap.KindUser, false, mapping{0x60_0000, 0x4100_0000, rw, 0}, "rw-", "rw-", false},
		{"kernel rw", pmap.KindKernel, false, mapping{0x4000_0000, 0x4000_0000, rw, 0}, "---", "rw-", false},
		{"kernel --x is r-x", pmap.KindKernel, false, mapping{0x4000_1000, 0x4000_1000, pmap.ProtExecute, 0}, "---", "r-x", false},
		{"kernel managed rw", pmap.KindKernel, false, mapping{0x8000_0000, frame(0), rw, pmap.Wired}, "---", "rw-", false},
		{"upper r-x", pmap.KindKernel, true, mapping{0xffff_ffff_ffff_f000, 0x4000_2000, rx, 0}, "---", "r-x", true},
	}
	for _, mode := range allModes {
		for _, c := range cases {
			t.Run(mode.String()+"/"+c.name, func(t *testing.T) {
				h := newHarness(t, mode)
				var s *Space
				if c.upper {
					s = h.upper()
					h.activate(h.create(pmap.KindKernel))
				} else {
					s = h.create(c.kind)
				}
				must(t, s.Enter(c.m.va, c.m.pa, c.m.prot, c.m.flags), "Enter")
				w := softWalk(h.arena, uint64(s.root), uint64(c.m.va))
				if w.fault != wOK || w.level != 3 || w.pa != uint64(c.m.pa) {
					t.Fatalf("walk: fault %v level %d pa %#x, want page of %v", w.fault, w.level, w.pa, c.m.pa)
				}
				if global := w.desc&wNG == 0; global != c.global {
					t.Errorf("global = %v, want %v", global, c.global)
				}
				if got := h.permsOf(s, c.m.va, true); got != c.el0 {
					t.Errorf("EL0 may %s, want %s", got, c.el0)
				}
				if got := h.permsOf(s, c.m.va, false); got != c.el1 {
					t.Errorf("EL1 may %s, want %s", got, c.el1)
				}
				pa, prot, ok := s.Extract(c.m.va + 0x123)
				if !ok || pa != c.m.pa+0x123 {
					t.Errorf("Extract = %v %v %v", pa, prot, ok)
				}
				h.checkTLB()
			})
		}
	}
}
