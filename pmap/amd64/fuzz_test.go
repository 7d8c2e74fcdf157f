package amd64

import (
	"encoding/binary"
	"errors"
	"testing"

	"github.com/tamach/tamach/pmap"
)

// FuzzArgs feeds arbitrary arguments to every entry point of a space that
// already holds mappings: no call may panic, a rejected call must leave the
// tables as they were, and an accepted Enter must read back.
func FuzzArgs(f *testing.F) {
	f.Add(uint64(0x40_0000), uint64(managedBase), uint64(0x41_0000), uint8(3), uint8(0), false)
	f.Add(uint64(1<<47), uint64(0), uint64(1<<47+0x1000), uint8(7), uint8(4), true)
	f.Add(uint64(0xffff_ffff_ffe0_0000), uint64(0x20_0000), uint64(0xffff_ffff_fff0_0000), uint8(5), uint8(4), false)
	f.Add(uint64(0x40_0008), uint64(1<<50), uint64(0), uint8(0x80), uint8(0x81), true)
	f.Fuzz(func(t *testing.T, va, pa, end uint64, prot, flags uint8, kernel bool) {
		e := newEnvSize(t, allFeatures, 1<<20)
		kind := pmap.KindUser
		if kernel {
			kind = pmap.KindKernel
		}
		s := e.space(kind)
		e.must(s.Enter(0x40_0000, managedBase, pmap.ProtAll, 0))
		if kernel {
			e.must(s.MapRange(0, 0, 1<<30, pmap.ProtRead|pmap.ProtWrite, 0))
		}
		calls := []func() error{
			func() error { return s.Enter(pmap.VAddr(va), pmap.PAddr(pa), pmap.Prot(prot), pmap.Flags(flags)) },
			func() error { return s.Protect(pmap.VAddr(va), pmap.VAddr(end), pmap.Prot(prot)) },
			func() error { return s.SetWired(pmap.VAddr(va), flags&1 != 0) },
			func() error {
				return s.MapRange(pmap.VAddr(va), pmap.PAddr(pa), end&(1<<32-1), pmap.Prot(prot), pmap.Flags(flags))
			},
			func() error { return s.Remove(pmap.VAddr(va), pmap.VAddr(end)) },
		}
		for i, call := range calls {
			before := e.snapshot(s)
			err := call()
			// Only bad arguments promise untouched tables; running out
			// of frames midway through MapRange does not.
			if err != nil && !errors.Is(err, pmap.ErrNotMapped) && !errors.Is(err, pmap.ErrNoFrames) &&
				!sameTables(before, e.snapshot(s)) {
				t.Fatalf("call %d failed (%v) but changed the tables", i, err)
			}
			if i == 0 && err == nil && prot&7 != 0 {
				got, _, ok := s.Extract(pmap.VAddr(va))
				if !ok || got != pmap.PAddr(pa) {
					t.Fatalf("Enter(%#x, %#x) then Extract = %v %v", va, pa, got, ok)
				}
			}
		}
		s.Destroy()
		if e.arena.InUse() != 0 {
			t.Fatalf("%d frames leaked", e.arena.InUse())
		}
	})
}

// FuzzOps runs a byte-coded sequence of Enter/Remove/Protect on a small
// window against a map model, checked with the independent MMU.
func FuzzOps(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15})
	f.Add([]byte{0, 0, 0, 7, 1, 0, 0, 40, 2, 0, 1, 16, 0, 3, 3, 9, 2, 255, 255, 1})
	f.Fuzz(func(t *testing.T, prog []byte) {
		e := newEnvSize(t, allFeatures, 1<<20)
		s := e.space(pmap.KindUser)
		m := map[pmap.VAddr]pmap.PAddr{}
		// Pages spread over 4 page tables in 2 page directories.
		page := func(b byte) pmap.VAddr {
			return 0x40_0000 + pmap.VAddr(b&3)*0x4000_0000 + pmap.VAddr(b>>2)*0x20_1000
		}
		for len(prog) >= 4 {
			op, a, b, c := prog[0]%3, prog[1], prog[2], prog[3]
			prog = prog[4:]
			switch op {
			case 0:
				va, pa := page(a), managedBase+pmap.PAddr(binary.LittleEndian.Uint16([]byte{b, c})%4096)*pmap.PageSize
				e.must(s.Enter(va, pa, pmap.ProtRead, 0))
				m[va] = pa
			case 1:
				start := page(a)
				end := start + pmap.VAddr(b%8)*pmap.PageSize
				e.must(s.Remove(start, end))
				for va := start; va < end; va += pmap.PageSize {
					delete(m, va)
				}
			case 2:
				e.must(s.Protect(page(a), page(a)+pmap.PageSize, pmap.Prot(b%8)))
				if b%8 == 0 {
					delete(m, page(a))
				}
			}
		}
		leaves, _ := mmuEnumerate(e.arena, uint64(s.Root()), 46)
		if len(leaves) != len(m) || s.Stats().Resident != uint64(len(m)) {
			t.Fatalf("%d leaves, %d in the model, stats %+v", len(leaves), len(m), s.Stats())
		}
		for _, l := range leaves {
			if m[l.va] != pmap.PAddr(l.pa) {
				t.Fatalf("%v maps %#x, model %v", l.va, l.pa, m[l.va])
			}
		}
		s.Destroy()
		if e.arena.InUse() != 0 {
			t.Fatalf("%d frames leaked", e.arena.InUse())
		}
	})
}
