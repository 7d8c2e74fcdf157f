package armv8

// countToNanos converts a count of a counter running at hz to nanoseconds.
// Whole seconds and the remainder are scaled separately, so nothing
// overflows for hz below 18 GHz and uptimes below 584 years.
//
//go:nosplit
func countToNanos(count, hz uint64) uint64 {
	const nanosPerSecond = 1_000_000_000
	if hz == 0 {
		return 0
	}
	return count/hz*nanosPerSecond + count%hz*nanosPerSecond/hz
}

// nanosToCount converts nanoseconds to counts at hz, rounding up so that a
// timer set from it never fires early.
func nanosToCount(ns, hz uint64) uint64 {
	const nanosPerSecond = 1_000_000_000
	whole := ns / nanosPerSecond * hz
	return whole + (ns%nanosPerSecond*hz+nanosPerSecond-1)/nanosPerSecond
}
