package kernel

import "testing"

func TestParseSize(t *testing.T) {
	for _, c := range []struct {
		in   string
		want uint64
		ok   bool
	}{
		{"4096", 4096, true}, {"16M", 16 << 20, true}, {"16m", 16 << 20, true},
		{"512K", 512 << 10, true}, {"2G", 2 << 30, true}, {"0", 0, true},
		{"", 0, false}, {"M", 0, false}, {"-1M", 0, false}, {"16MB", 0, false},
		{"1.5M", 0, false}, {"17179869184G", 0, false}, {"x", 0, false},
	} {
		got, err := ParseSize(c.in)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d, ok %v", c.in, got, err, c.want, c.ok)
		}
	}
}
