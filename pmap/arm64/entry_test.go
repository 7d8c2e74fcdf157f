package arm64

import (
	"testing"

	"github.com/tamach/tamach/pmap"
)

// Golden descriptors, bit by bit from D8.3.2 (block/page) and D8.3.1
// (table): bits[1:0] 11 page / 01 block, AttrIndx[4:2], AP[2:1] bits[7:6],
// SH bits[9:8] = 11, AF bit 10, nG bit 11, DBM 51, PXN 53, UXN 54, software
// bits 55 (write), 56 (wired), 57 (tracked), 58 (direct).
func TestGoldenEntries(t *testing.T) {
	cases := []struct {
		name  string
		mode  accessMode
		build func(h *harness) (*Space, pmap.VAddr)
		level int
		want  uint64
	}{
		{"user rw tracked, software", modeSoftware, func(h *harness) (*Space, pmap.VAddr) {
			s := h.create(pmap.KindUser)
			must(t, s.Enter(0x40_0000, frame(1), pmap.ProtRead|pmap.ProtWrite, 0), "Enter")
			return s, 0x40_0000
		}, 3, 0x02e0_0000_8000_1bc3}, // AP=11 (clean), AF=0, nG, PXN|UXN, sw write|tracked
		{"user rw tracked, hardware", modeHardware, func(h *harness) (*Space, pmap.VAddr) {
			s := h.create(pmap.KindUser)
			must(t, s.Enter(0x40_0000, frame(1), pmap.ProtRead|pmap.ProtWrite, 0), "Enter")
			return s, 0x40_0000
		}, 3, 0x02e8_0000_8000_1bc3}, // same plus DBM
		{"kernel rwx unmanaged", modeSoftware, func(h *harness) (*Space, pmap.VAddr) {
			s := h.create(pmap.KindKernel)
			must(t, s.Enter(0x4020_0000, 0x4020_0000, pmap.ProtAll, 0), "Enter")
			return s, 0x4020_0000
		}, 3, 0x00c0_0000_4020_0f03}, // AP=00, AF, nG, UXN, sw write
		{"kernel device rw", modeSoftware, func(h *harness) (*Space, pmap.VAddr) {
			s := h.create(pmap.KindKernel)
			must(t, s.Enter(pmap.VAddr(deviceBase), deviceBase, pmap.ProtRead|pmap.ProtWrite, pmap.Device), "Enter")
			return s, pmap.VAddr(deviceBase)
		}, 3, 0x00e0_0000_0900_0f07}, // AttrIndx=1, PXN|UXN
		{"upper r-x global", modeSoftware, func(h *harness) (*Space, pmap.VAddr) {
			s := h.upper()
			must(t, s.Enter(0xffff_0000_0000_0000, 0x4000_1000, pmap.ProtRead|pmap.ProtExecute, 0), "Enter")
			return s, 0xffff_0000_0000_0000
		}, 3, 0x0040_0000_4000_1783}, // AP=10, AF, no nG, UXN
		{"kernel 2 MiB block rw wired", modeSoftware, func(h *harness) (*Space, pmap.VAddr) {
			s := h.create(pmap.KindKernel)
			must(t, s.MapRange(0x4020_0000, 0x4020_0000, 2<<20, pmap.ProtRead|pmap.ProtWrite, pmap.Wired), "MapRange")
			return s, 0x4020_0000
		}, 2, 0x05e0_0000_4020_0f01}, // block, sw write|wired|direct
		{"kernel 1 GiB block r--", modeSoftware, func(h *harness) (*Space, pmap.VAddr) {
			s := h.create(pmap.KindKernel)
			must(t, s.MapRange(0x4000_0000, 0x4000_0000, 1<<30, pmap.ProtRead, 0), "MapRange")
			return s, 0x4000_0000
		}, 1, 0x0460_0000_4000_0f81}, // AP=10, PXN|UXN, direct
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, c.mode)
			s, va := c.build(h)
			w := softWalk(h.arena, uint64(s.root), uint64(va))
			if w.fault != wOK || w.level != c.level {
				t.Fatalf("walk: fault %v level %d, want a level-%d leaf", w.fault, w.level, c.level)
			}
			if w.desc != c.want {
				t.Errorf("descriptor %#016x, want %#016x", w.desc, c.want)
			}
		})
	}
	if d := tableEntry(0x4000_5000, 3); d != 0x4000_500f {
		t.Errorf("table descriptor with count 3 = %#x, want 0x4000500f", d)
	}
}
