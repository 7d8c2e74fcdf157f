package microvm

import "testing"

func TestPITControlWords(t *testing.T) {
	// 8254 datasheet Figure 7: counter 0, LSB then MSB, mode 2, binary is
	// 00 11 010 0; the counter 0 latch command is all zeros.
	if pitProgramMode2 != 0b0011_0100 {
		t.Errorf("pitProgramMode2 = %#b", pitProgramMode2)
	}
	if pitLatchCounter0 != 0 {
		t.Errorf("pitLatchCounter0 = %#b", pitLatchCounter0)
	}
}

func TestPITTicksBetween(t *testing.T) {
	tests := []struct {
		prev, cur uint16
		want      uint64
	}{
		{1000, 900, 100},
		{5, 5, 0},
		{1, 0, 1},       // 1 to the reload value 65536, read as 0
		{0, 65535, 1},   // and on from 65536
		{10, 65526, 20}, // across the reload
		{30000, 30001, 65535},
	}
	for _, tt := range tests {
		if got := pitTicksBetween(tt.prev, tt.cur); got != tt.want {
			t.Errorf("pitTicksBetween(%d, %d) = %d, want %d", tt.prev, tt.cur, got, tt.want)
		}
	}
}

func TestPITTicksToNanos(t *testing.T) {
	if got := pitTicksToNanos(pitHz); got != 1e9 {
		t.Errorf("one second of ticks = %d ns", got)
	}
	if got := pitTicksToNanos(pitHz / 10); got < 99_999_000 || got > 100_000_000 {
		t.Errorf("100 ms of ticks = %d ns", got)
	}
}

func TestTSCHz(t *testing.T) {
	tests := []struct {
		tsc, pit, want uint64
	}{
		{1e9, pitHz, 1e9}, // 1 GHz over one second
		{1e9 / 100, calibrationTicksHost, 1_000_068_728}, // the 10 ms window: 11931 ticks
		{3e9 * 3600, pitHz * 3600, 3e9},                  // an hour at 3 GHz: no overflow
	}
	for _, tt := range tests {
		if got := tscHz(tt.tsc, tt.pit); got != tt.want {
			t.Errorf("tscHz(%d, %d) = %d, want %d", tt.tsc, tt.pit, got, tt.want)
		}
	}
}

// calibrationTicksHost mirrors clock.go's calibrationTicks, which is only
// built for tamago.
const calibrationTicksHost = pitHz / 100

func TestTSCHzNoTicksPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("tscHz with no PIT ticks did not panic")
		}
	}()
	tscHz(1, 0)
}
