package arm64

import (
	"encoding/binary"
	"testing"

	"github.com/tamach/tamach/pmap"
)

// FuzzEnter feeds arbitrary arguments to Enter and MapRange: either an error
// with the tables untouched, or a mapping the walker and Extract agree on.
func FuzzEnter(f *testing.F) {
	f.Add(uint64(0x40_0000), uint64(frame(1)), uint8(3), uint8(0), false, uint64(0))
	f.Add(uint64(0xffff_0000_0000_0000), uint64(0x4000_0000), uint8(5), uint8(4), true, uint64(0))
	f.Add(uint64(0x7fff_ffff_f000), uint64(deviceBase), uint8(7), uint8(3), false, uint64(0))
	f.Add(uint64(1<<48), uint64(0), uint8(1), uint8(0), false, uint64(0))
	f.Add(uint64(0x4000_0000), uint64(0x4000_0000), uint8(3), uint8(1), true, uint64(1<<30+2<<20+4<<10))
	f.Add(uint64(0x1000), uint64(0xfff), uint8(9), uint8(0x20), true, uint64(3))
	f.Fuzz(func(t *testing.T, va, pa uint64, prot, flags uint8, kernel bool, size uint64) {
		h := newHarness(t, modeSoftware)
		kind := pmap.KindUser
		if kernel {
			kind = pmap.KindKernel
		}
		s := h.create(kind)
		populate(t, s)
		before := tableSnapshot(h, s)
		size %= 4 << 30 // keep MapRange's table use bounded
		var err error
		if kernel && size != 0 {
			err = s.MapRange(pmap.VAddr(va), pmap.PAddr(pa), size, pmap.Prot(prot), pmap.Flags(flags))
		} else {
			size = pmap.PageSize
			err = s.Enter(pmap.VAddr(va), pmap.PAddr(pa), pmap.Prot(prot), pmap.Flags(flags))
		}
		if err != nil {
			if !equalSnapshots(before, tableSnapshot(h, s)) {
				t.Fatalf("failed call (%v) changed the tables", err)
			}
			return
		}
		for _, off := range []uint64{0, size - pmap.PageSize} {
			got, gprot, ok := s.Extract(pmap.VAddr(va + off))
			w := softWalk(h.arena, uint64(s.root), va+off)
			if prot&7 == 0 || (flags&uint8(pmap.Device) != 0 && prot&7 == uint8(pmap.ProtExecute)) {
				continue // nothing mapped, or a device mapping with no right left
			}
			if !ok || got != pmap.PAddr(pa+off) || w.fault != wOK || w.pa != pa+off {
				t.Fatalf("va %#x: Extract %v %v %v, walker %v %#x", va+off, got, gprot, ok, w.fault, w.pa)
			}
		}
		h.checkTLB()
		must(t, s.Remove(0, pmap.VAddr(halfSize)), "Remove all")
		if st := s.Stats(); st.TablePages != 1 || st.Resident != 0 {
			t.Fatalf("after removing all: %+v", st)
		}
	})
}

// FuzzOps interprets the input as a sequence of operations on two spaces
// sharing frames, checking the pmap against a model after each one.
func FuzzOps(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15})
	f.Add([]byte{0, 0, 3, 0, 1, 0, 3, 1, 2, 0, 0, 0, 5, 0, 0, 2, 4, 1, 0, 0})
	f.Add([]byte{7, 7, 7, 7, 0, 1, 1, 1, 6, 1, 1, 1, 3, 1, 1, 0, 2, 1, 1, 2})
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, mode := range []accessMode{modeSoftware, modeHardware} {
			fuzzOps(t, mode, data)
		}
	})
}

func fuzzOps(t *testing.T, mode accessMode, data []byte) {
	h := newHarness(t, mode)
	r := &modelRun{t: t, h: h, m: model{ref: map[pmap.PAddr]bool{}, mod: map[pmap.PAddr]bool{}}}
	r.spaces = []*Space{h.create(pmap.KindKernel), h.create(pmap.KindUser), h.create(pmap.KindUser)}
	r.m.spaces = make([]map[pmap.VAddr]mEntry, len(r.spaces))
	for i := range r.m.spaces {
		r.m.spaces[i] = map[pmap.VAddr]mEntry{}
	}
	r.rng = &byteRand{data: data}
	for i := 0; len(data) > 0 && i < len(data)/2+1; i++ {
		r.vas, r.pas = r.vas[:0], r.pas[:0]
		var step string
		switch r.rng.Intn(8) {
		case 0, 1:
			step = r.stepEnter()
		case 2:
			step = r.stepRemove()
		case 3:
			step = r.stepProtect()
		case 4:
			step = r.stepPageProtect()
		case 5:
			step = r.stepClear()
		case 6:
			step = r.stepTouch()
		default:
			step = r.stepSetWired()
		}
		h.checkTLB()
		for _, va := range r.vas {
			for si := range r.spaces {
				r.checkVA(si, va, step)
			}
		}
		for _, pa := range r.pas {
			r.checkFrame(pa, step)
		}
		r.checkStats(step)
	}
	r.teardown()
}

// byteRand is a deterministic source of choices read from fuzz input.
type byteRand struct {
	data []byte
	pos  int
}

// Intn returns a choice in [0, n) from the next two bytes of input.
func (b *byteRand) Intn(n int) int {
	var buf [2]byte
	for i := range buf {
		if len(b.data) > 0 {
			buf[i] = b.data[b.pos%len(b.data)]
		}
		b.pos++
	}
	return int(binary.LittleEndian.Uint16(buf[:])) % n
}
