package armv8

import "testing"

func TestRNGUsesRNDR(t *testing.T) {
	var r rngSource
	r.init(true, 1)
	n := uint64(0)
	read := func() (uint64, bool) { n++; return n * 0x0101010101010101, true }
	var b [12]byte
	r.fill(b[:], read)
	if b[0] != 1 || b[8] != 2 || r.fallback != 0 {
		t.Errorf("bytes %x, fallback %d: want RNDR words 1, 2", b, r.fallback)
	}
}

func TestRNGFallsBack(t *testing.T) {
	var r rngSource
	r.init(true, 42)
	failing := func() (uint64, bool) { return 0, false }
	a, b := r.next(failing), r.next(failing)
	if a == b || r.fallback != 2 {
		t.Errorf("fallback words %#x %#x, count %d", a, b, r.fallback)
	}
	var s rngSource
	s.init(false, 42)
	if s.next(nil) != a {
		t.Error("SplitMix64 with the same seed must repeat")
	}
	if s.Name() == r.Name() {
		t.Error("the names of the sources must differ")
	}
}

func TestSplitMixKnownValue(t *testing.T) {
	// First output of SplitMix64 seeded with 0 (reference implementation
	// by Vigna, prng.di.unimi.it/splitmix64.c).
	var r rngSource
	r.init(false, 0)
	if got := r.splitmix(); got != 0xe220a8397b1dcdaf {
		t.Errorf("splitmix64(0) = %#x", got)
	}
}
