package arm64

import (
	"testing"

	"github.com/tamach/tamach/pmap"
)

// Golden register values, composed by hand from the field tables of the Arm
// ARM (D24.2 MAIR_EL1, TCR_EL1, TTBR0_EL1; C5.5 TLBI operands).
func TestGoldenRegisters(t *testing.T) {
	// MAIR_EL1: Attr0 = 0xff (Normal WB RA WA, inner and outer),
	// Attr1 = 0x04 (Device-nGnRE), Attr2 = 0x44 (Normal Non-cacheable).
	if MAIR != 0x4404ff {
		t.Errorf("MAIR = %#x, want 0x4404ff", MAIR)
	}
	f := DecodeFeatures(qemuA57MMFR0, 0)
	if f.ASIDBits != 16 || !f.Gran4 || f.PARange != 0b0100 || f.HWAccess || f.HWDirty {
		t.Errorf("DecodeFeatures(cortex-a57) = %+v", f)
	}
	// TCR_EL1: T0SZ=16 (0x10), IRGN0=01 (0x100), ORGN0=01 (0x400),
	// SH0=11 (0x3000), TG0=00, T1SZ=16 (0x100000), IRGN1=01 (0x1000000),
	// ORGN1=01 (0x4000000), SH1=11 (0x30000000), TG1=10 (0x80000000),
	// IPS=0b100 (44 bits, from PARange; 0x400000000), AS=1 (0x1000000000).
	if got := tcrValue(f, false, false); got != 0x14b5103510 {
		t.Errorf("TCR(a57) = %#x, want 0x14b5103510", got)
	}
	// PARange 52 bits is capped at IPS 48 bits (0b101); HA bit 39, HD bit 40.
	f52 := DecodeFeatures(0b0110|0b0010<<4, 0b0010)
	if !f52.HWAccess || !f52.HWDirty {
		t.Errorf("HAFDBS=2 not decoded: %+v", f52)
	}
	if got := tcrValue(f52, true, true); got != 0x195b5103510 {
		t.Errorf("TCR(52-bit, HA, HD) = %#x, want 0x195b5103510", got)
	}
	// 8-bit ASIDs: no AS bit.
	if f8 := DecodeFeatures(0b0101, 0b0001); f8.ASIDBits != 8 || !f8.HWAccess || f8.HWDirty {
		t.Errorf("DecodeFeatures(8-bit ASID, AF only) = %+v", f8)
	} else if got := tcrValue(f8, false, false); got&tcrAS != 0 {
		t.Errorf("TCR with 8-bit ASIDs sets AS: %#x", got)
	}
	if f := DecodeFeatures(0xf<<28, 0); f.Gran4 {
		t.Errorf("TGran4 = 0b1111 decoded as supported")
	}
	if got := ttbr0Value(0x4000_0000, 7); got != 0x0007_0000_4000_0000 {
		t.Errorf("TTBR0 = %#x", got)
	}
	if got := tlbiVA(5, 0x7fff_ffff_f000); got != 0x0005_0007_ffff_ffff {
		t.Errorf("TLBI VAE1IS operand = %#x", got)
	}
	if got := tlbiVA(0, 0xffff_0000_0000_1000); got != 0x0ff0_0000_0001 {
		t.Errorf("TLBI VAE1IS operand (upper) = %#x", got)
	}
	if got := tlbiASID(0x1234); got != 0x1234_0000_0000_0000 {
		t.Errorf("TLBI ASIDE1IS operand = %#x", got)
	}
}

// Golden descriptors, bit by bit from D8.3.2 (block/page) and D8.3.1
// (table): bits[1:0] 11 page / 01 block, AttrIndx[4:2], AP[2:1] bits[7:6],
// SH bits[9:8] = 11, AF bit 10, nG bit 11, DBM 51, PXN 53, UXN 54, software
// bits 55 (write), 56 (wired), 57 (tracked), 58 (direct).
func TestGoldenDescriptors(t *testing.T) {
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

// TestMapRangeLevels checks that MapRange picks the largest leaves that fit.
func TestMapRangeLevels(t *testing.T) {
	h := newHarness(t, modeSoftware)
	k := h.create(pmap.KindKernel)
	// [1 GiB - 8 KiB, 2 GiB + 2 MiB + 4 KiB): two pages, one 1 GiB block,
	// one 2 MiB block, one page.
	start := pmap.VAddr(1<<30 - 8<<10)
	size := uint64(8<<10 + 1<<30 + 2<<20 + 4<<10)
	must(t, k.MapRange(start, pmap.PAddr(start), size, pmap.ProtRead|pmap.ProtWrite, 0), "MapRange")
	want := []struct {
		va    uint64
		level int
	}{
		{1<<30 - 8<<10, 3}, {1<<30 - 4<<10, 3}, {1 << 30, 1}, {1<<30 + 1<<29, 1},
		{2 << 30, 2}, {2<<30 + 2<<20 - 4<<10, 2}, {2<<30 + 2<<20, 3},
	}
	for _, w := range want {
		got := softWalk(h.arena, uint64(k.root), w.va)
		if got.fault != wOK || got.level != w.level || got.pa != w.va {
			t.Errorf("va %#x: fault %v level %d pa %#x, want level %d identity", w.va, got.fault, got.level, got.pa, w.va)
		}
	}
	if got := softWalk(h.arena, uint64(k.root), 2<<30+2<<20+4<<10); got.fault != wTranslation {
		t.Errorf("page after the range is mapped")
	}
	st := k.Stats()
	if st.Resident != size/pmap.PageSize {
		t.Errorf("Resident = %d, want %d", st.Resident, size/pmap.PageSize)
	}
	if st.TablePages != uint64(h.arena.InUse()) {
		t.Errorf("TablePages = %d, arena in use %d", st.TablePages, h.arena.InUse())
	}
}
