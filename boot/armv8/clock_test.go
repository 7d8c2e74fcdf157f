package armv8

import "testing"

func TestCountToNanos(t *testing.T) {
	tests := []struct{ count, hz, want uint64 }{
		{62_500_000, 62_500_000, 1_000_000_000},
		{1, 62_500_000, 16},
		{3, 1_000_000_000, 3},
		{1 << 50, 62_500_000, (1 << 50) * 16},
		{5, 0, 0},
	}
	for _, tt := range tests {
		if got := countToNanos(tt.count, tt.hz); got != tt.want {
			t.Errorf("countToNanos(%d, %d) = %d, want %d", tt.count, tt.hz, got, tt.want)
		}
	}
}

func TestNanosToCount(t *testing.T) {
	tests := []struct{ ns, hz, want uint64 }{
		{1_000_000_000, 62_500_000, 62_500_000},
		{16, 62_500_000, 1},
		{17, 62_500_000, 2},
		{1, 62_500_000, 1},
		{0, 62_500_000, 0},
		{3_000_000_000_000, 62_500_000, 3000 * 62_500_000},
	}
	for _, tt := range tests {
		if got := nanosToCount(tt.ns, tt.hz); got != tt.want {
			t.Errorf("nanosToCount(%d, %d) = %d, want %d", tt.ns, tt.hz, got, tt.want)
		}
		if back := countToNanos(nanosToCount(tt.ns, tt.hz), tt.hz); back < tt.ns {
			t.Errorf("round trip of %d ns gives %d ns: the timer would fire early", tt.ns, back)
		}
	}
}
