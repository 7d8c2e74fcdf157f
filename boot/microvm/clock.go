//go:build tamago && amd64

package microvm

import (
	"fmt"
	"runtime"
	"slices"
	"sync/atomic"
	"time"
)

// calibrationTicks is how long calibrateClock counts TSC ticks: 10 ms of
// PIT time, 11931 ticks. Both ends of the window are PIT tick edges, so the
// error is the latency of a PIT read (well under a microsecond under TCG),
// below 0.01 %; under -icount each window costs 10 million guest
// instructions.
const calibrationTicks = pitHz / 100

// calibrationWindow counts TSC ticks over calibrationTicks of the PIT and
// returns the TSC rate they give.
func calibrationWindow() uint64 {
	var w pitStopwatch
	w.reset()
	for w.poll() == 0 {
		// wait for a tick edge, so the window starts on one
	}
	w.ticks = 0
	tsc0 := AMD64.Counter()
	for w.poll() < calibrationTicks {
	}
	tsc1 := AMD64.Counter()
	return tscHz(tsc1-tsc0, w.ticks)
}

// tscFrequency is the TSC rate in Hz measured by calibrateClock.
var tscFrequency uint64

// pitStart programs PIT counter 0 as a free-running rate generator over
// its full 16-bit range (8254 datasheet, "Write Operations": control word,
// then the count LSB and MSB).
func pitStart() {
	out8(portPITControl, pitProgramMode2)
	out8(portPITCounter0, pitReloadFree&0xff)
	out8(portPITCounter0, pitReloadFree>>8)
}

// pitRead latches and reads counter 0 (8254 datasheet, "Counter Latch
// Command": the count is held until both bytes are read).
func pitRead() uint16 {
	out8(portPITControl, pitLatchCounter0)
	lsb := in8(portPITCounter0)
	msb := in8(portPITCounter0)
	return uint16(msb)<<8 | uint16(lsb)
}

// pitStopwatch accumulates PIT ticks across counter periods. It must be
// polled at least once every 54.9 ms.
type pitStopwatch struct {
	last  uint16
	ticks uint64
}

// reset starts counting from the current count.
func (w *pitStopwatch) reset() {
	w.last = pitRead()
	w.ticks = 0
}

// poll reads the counter and returns the ticks since reset.
func (w *pitStopwatch) poll() uint64 {
	cur := pitRead()
	w.ticks += pitTicksBetween(w.last, cur)
	w.last = cur
	return w.ticks
}

// calibrationWindows is how many windows calibrateClock measures; it keeps
// the median. Under TCG the TSC is the host's and the PIT follows the host's
// clock, so a window the host deschedules QEMU's vCPU thread in (a busy
// machine: seen as 18 % off over one 10 ms window) is an outlier the median
// discards, as long as most windows are undisturbed.
const calibrationWindows = 5

// calibrateClock measures the TSC against the PIT and sets the CPU's
// timer multiplier so that nanotime counts nanoseconds.
func calibrateClock() {
	pitStart()
	var hz [calibrationWindows]uint64
	for i := range hz {
		hz[i] = calibrationWindow()
	}
	slices.Sort(hz[:])
	tscFrequency = hz[calibrationWindows/2]
	AMD64.TimerOffset = 0
	AMD64.TimerMultiplier = float64(time.Second) / float64(tscFrequency)
}

// SleepTolerance is how far CheckSleep lets time.Sleep be off.
const SleepTolerance = 0.05

// CheckSleep sleeps 100 ms with time.Sleep and measures the sleep with the
// PIT, the reference clock, polled by a second goroutine while the first
// sleeps. It returns what it measured, and an error if the PIT saw more
// than SleepTolerance away from 100 ms in each of sleepAttempts tries.
func CheckSleep() (string, error) {
	var note string
	var err error
	for attempt := 1; attempt <= sleepAttempts; attempt++ {
		if note, err = measureSleep(); err == nil {
			if attempt > 1 {
				note += fmt.Sprintf(" (attempt %d of %d)", attempt, sleepAttempts)
			}
			return note, nil
		}
	}
	return note, err
}

// sleepAttempts is how many measurements CheckSleep makes before it fails.
// Under TCG the guest's clocks follow the host's, and a host that
// deschedules QEMU's vCPU thread in the middle of the 100 ms window (a busy
// CI machine) stretches one measurement; a wrong calibration is off every
// time.
const sleepAttempts = 3

// measureSleep sleeps 100 ms and measures the sleep with the PIT.
func measureSleep() (string, error) {
	const want = 100 * time.Millisecond
	var stop atomic.Bool
	ready := make(chan struct{})
	measured := make(chan uint64)
	go func() {
		var w pitStopwatch
		w.reset()
		close(ready)
		for !stop.Load() {
			w.poll()
			runtime.Gosched()
		}
		measured <- w.poll()
	}()
	<-ready
	start := time.Now()
	time.Sleep(want)
	byTSC := time.Since(start)
	stop.Store(true)
	byPIT := time.Duration(pitTicksToNanos(<-measured))
	note := fmt.Sprintf("time.Sleep(%v) took %.3f ms by the PIT, %.3f ms by the TSC at %d Hz",
		want, ms(byPIT), ms(byTSC), tscFrequency)
	if off := float64(byPIT-want) / float64(want); off > SleepTolerance || off < -SleepTolerance {
		return note, fmt.Errorf("%s: %+.1f %% off, more than %.0f %%", note, off*100, SleepTolerance*100)
	}
	return note, nil
}

// ms converts a duration to milliseconds.
func ms(d time.Duration) float64 {
	return float64(d) / float64(time.Millisecond)
}
