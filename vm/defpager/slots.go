package defpager

import "math/bits"

// slotMap is the allocation bitmap of the backing store: bit n of word n/64
// is set when slot n (disk page n) holds some object's page. Allocation is
// next-fit from a rotor, so a burst of pageouts lands on consecutive disk
// pages (the layout Mach's default pager also aims for with its cluster
// allocation, to keep writes sequential).
//
// A slotMap is guarded by the lock of the DefaultPager that owns it.
type slotMap struct {
	words []uint64
	n     uint64 // slots
	used  uint64 // slots set
	rotor uint64 // word index where the next search starts
}

const wordBits = 64

func newSlotMap(n uint64) slotMap {
	return slotMap{words: make([]uint64, (n+wordBits-1)/wordBits), n: n}
}

// alloc performs the transition free → in use for one slot and returns it,
// or reports false when every slot is in use.
func (m *slotMap) alloc() (uint64, bool) {
	if m.used == m.n {
		return 0, false
	}
	nw := uint64(len(m.words))
	for i := uint64(0); i < nw; i++ {
		w := (m.rotor + i) % nw
		free := ^m.words[w]
		if w == nw-1 {
			free &= m.lastWordMask()
		}
		if free == 0 {
			continue
		}
		b := uint64(bits.TrailingZeros64(free))
		m.words[w] |= 1 << b
		m.used++
		m.rotor = w
		return w*wordBits + b, true
	}
	panic("defpager: slotMap.alloc: used count disagrees with the bitmap")
}

// lastWordMask selects the bits of the last word that name real slots.
func (m *slotMap) lastWordMask() uint64 {
	if r := m.n % wordBits; r != 0 {
		return 1<<r - 1
	}
	return ^uint64(0)
}

// free performs the transition in use → free for slot s.
func (m *slotMap) free(s uint64) {
	w, b := s/wordBits, s%wordBits
	if s >= m.n || m.words[w]&(1<<b) == 0 {
		panic("defpager: slotMap.free of a slot not in use")
	}
	m.words[w] &^= 1 << b
	m.used--
}

// inUse reports whether slot s is allocated.
func (m *slotMap) inUse(s uint64) bool {
	return s < m.n && m.words[s/wordBits]&(1<<(s%wordBits)) != 0
}

// count recounts the set bits, for the consistency check.
func (m *slotMap) count() uint64 {
	var c uint64
	for _, w := range m.words {
		c += uint64(bits.OnesCount64(w))
	}
	return c
}
