package armv8

// ID_AA64ISAR0_EL1.RNDR, bits [63:60]: non-zero when FEAT_RNG is
// implemented (Arm ARM D24.2 "ID_AA64ISAR0_EL1").
const (
	isar0RNDRShift = 60
	isar0FieldMask = 0xf
)

// rndrRetries bounds the retries of a RNDR read that reports no entropy
// (Arm ARM D24.2 "RNDR": NZCV = 0b0100 when no number is returned in a
// reasonable time) before the fallback is used for that word.
const rndrRetries = 16

// rngSource is the board's random source: RNDR when the CPU has FEAT_RNG,
// else SplitMix64 (Steele, Lea, Flood, "Fast splittable pseudorandom number
// generators", OOPSLA 2014) seeded from the counter at boot. The fallback
// is not cryptographically secure; Info says which source is in use.
type rngSource struct {
	ready    bool
	hasRNDR  bool
	state    uint64 // SplitMix64 state
	fallback uint64 // words taken from SplitMix64
}

// entropy is the machine's source (one CPU).
var entropy rngSource

func (r *rngSource) init(hasRNDR bool, seed uint64) {
	r.hasRNDR = hasRNDR
	r.state = seed
	r.ready = true
}

// next returns one 64-bit word, from read (the RNDR instruction) when the
// CPU has it and it delivers.
func (r *rngSource) next(read func() (uint64, bool)) uint64 {
	if r.hasRNDR {
		for i := 0; i < rndrRetries; i++ {
			if v, ok := read(); ok {
				return v
			}
		}
	}
	r.fallback++
	return r.splitmix()
}

// splitmix advances SplitMix64 by one step.
func (r *rngSource) splitmix() uint64 {
	const (
		golden = 0x9e3779b97f4a7c15
		mul1   = 0xbf58476d1ce4e5b9
		mul2   = 0x94d049bb133111eb
	)
	r.state += golden
	z := r.state
	z = (z ^ z>>30) * mul1
	z = (z ^ z>>27) * mul2
	return z ^ z>>31
}

// fill fills b with random bytes.
func (r *rngSource) fill(b []byte, read func() (uint64, bool)) {
	for len(b) > 0 {
		v := r.next(read)
		for i := 0; i < 8 && len(b) > 0; i++ {
			b[0] = byte(v >> (8 * i))
			b = b[1:]
		}
	}
}

// Name says which source is in use.
func (r *rngSource) Name() string {
	if r.hasRNDR {
		return "FEAT_RNG RNDR"
	}
	return "SplitMix64 seeded from CNTVCT (no FEAT_RNG: NOT cryptographically secure)"
}
