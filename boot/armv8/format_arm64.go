//go:build tamago

package armv8

// Number formatting for the trap report, which prints with the runtime's
// print (no fmt: the report must work with the heap in any state it can).

const hexDigits = "0123456789abcdef"

// hex64 formats v as 0x and 16 hex digits.
func hex64(v uint64) string {
	var b [18]byte
	b[0], b[1] = '0', 'x'
	for i := 0; i < 16; i++ {
		b[17-i] = hexDigits[v>>(4*uint(i))&0xf]
	}
	return string(b[:])
}

// hex32 formats v as 0x and 8 hex digits.
func hex32(v uint32) string {
	return "0x" + hex64(uint64(v))[10:]
}

// hexShort formats v as 0x and its significant hex digits.
func hexShort(v uint64) string {
	s := hex64(v)[2:]
	for len(s) > 1 && s[0] == '0' {
		s = s[1:]
	}
	return "0x" + s
}

// itoa formats a non-negative int in decimal.
func itoa(n int) string {
	if n <= 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}
