package kernel

import (
	"fmt"
	"strconv"
	"strings"
)

// sizeUnits are the suffixes ParseSize accepts, in binary multiples (as
// QEMU's -m and qemu-img take them).
var sizeUnits = map[byte]uint{'K': 10, 'M': 20, 'G': 30}

// ParseSize parses a byte count with an optional K, M or G suffix (binary
// multiples, either case): "16M" is 16 MiB, "4096" is 4096 bytes.
func ParseSize(s string) (uint64, error) {
	num, shift := s, uint(0)
	if s != "" {
		if sh, ok := sizeUnits[strings.ToUpper(s[len(s)-1:])[0]]; ok {
			num, shift = s[:len(s)-1], sh
		}
	}
	n, err := strconv.ParseUint(num, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("bad size %q: want a number with an optional K, M or G suffix", s)
	}
	if n > ^uint64(0)>>shift {
		return 0, fmt.Errorf("bad size %q: too large", s)
	}
	return n << shift, nil
}
