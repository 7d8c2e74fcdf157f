package virtio

import (
	"errors"
	"fmt"
)

// Regs is one virtio-mmio register window. Every access is one 32-bit
// little-endian load or store, as virtio-mmio requires for its registers
// and for 32- and 64-bit configuration fields (virtio spec §4.2.2.2). On
// GOOS=tamago, MMIO returns the real thing; tests use a fake device.
type Regs interface {
	Read32(off Reg) uint32
	Write32(off Reg, v uint32)
}

// Window is one virtio-mmio transport slot of a board: where it is and
// how to reach its registers.
type Window struct {
	Base PAddr
	Regs Regs
}

// Errors a transport reports. Each is wrapped with the transport's name.
var (
	// ErrLegacy is returned for a block device behind a legacy (version
	// 1) transport; QEMU's default for virtio-mmio. Modern transports
	// need -global virtio-mmio.force-legacy=false (disk.mk).
	ErrLegacy = errors.New("virtio: legacy virtio-mmio transport (version 1); run QEMU with -global virtio-mmio.force-legacy=false")
	// ErrFeatures is returned when the device lacks a feature the driver
	// needs or does not accept the driver's subset (FEATURES_OK clear).
	ErrFeatures = errors.New("virtio: feature negotiation failed")
	// ErrQueue is returned when queue 0 is missing or already in use.
	ErrQueue = errors.New("virtio: virtqueue unavailable")
	// ErrNeedsReset is returned when the device sets DEVICE_NEEDS_RESET
	// (§2.1.1): it will not complete requests until reinitialized.
	ErrNeedsReset = errors.New("virtio: device needs reset (DEVICE_NEEDS_RESET)")
	// ErrTimeout is returned when the device does not respond within the
	// driver's bound.
	ErrTimeout = errors.New("virtio: device did not respond in time")
)

// devState is where a transport is in the driver initialization sequence
// of virtio spec §3.1.1, one state per status bit the driver has set:
//
//	reset -> acknowledged -> driverKnown -> featuresOK -> live
//	any state -> failed (status FAILED written: the driver gave up)
type devState uint8

const (
	stateReset        devState = iota // 0 written to status and read back (§2.4)
	stateAcknowledged                 // ACKNOWLEDGE set
	stateDriverKnown                  // DRIVER set
	stateFeaturesOK                   // features written, FEATURES_OK set and read back
	stateLive                         // queue set up, DRIVER_OK set: requests may flow
	stateFailed                       // FAILED set
)

var devStateNames = [...]string{"reset", "acknowledged", "driver", "features-ok", "live", "failed"}

func (s devState) String() string {
	if int(s) < len(devStateNames) {
		return devStateNames[s]
	}
	return "unknown"
}

// transport is the driver side of one virtio-mmio device.
type transport struct {
	regs  Regs
	base  PAddr
	state devState
	clock clock
}

// slot is what a transport slot holds, from identify.
type slot uint8

const (
	slotAbsent slot = iota // no virtio-mmio magic, or device ID 0
	slotOther              // a device of another type: not ours
	slotBlock              // a block device on a modern transport
)

// identify reads MagicValue, Version and DeviceID (§4.2.3.1.1: the driver
// checks the magic and version, and ignores a device ID of 0 without
// touching any other register). It returns ErrLegacy for a block device
// behind a version-1 transport.
func identify(r Regs) (slot, error) {
	if r.Read32(RegMagic) != mmioMagic {
		return slotAbsent, nil
	}
	version := r.Read32(RegVersion)
	switch id := r.Read32(RegDeviceID); {
	case id == deviceIDNone:
		return slotAbsent, nil
	case id != deviceIDBlock:
		return slotOther, nil
	}
	switch version {
	case mmioVersionModern:
		return slotBlock, nil
	case mmioVersionLegacy:
		return slotAbsent, ErrLegacy
	}
	return slotAbsent, fmt.Errorf("virtio: unknown virtio-mmio version %d", version)
}

// begin runs steps 1-3 of §3.1.1: reset, ACKNOWLEDGE, DRIVER.
func (t *transport) begin() error {
	t.regs.Write32(RegStatus, 0)
	// §2.4.2: after writing 0 the driver waits until status reads 0.
	deadline := t.clock.deadline()
	for t.regs.Read32(RegStatus) != 0 {
		if t.clock.past(deadline) {
			return fmt.Errorf("%w: status not 0 after reset", ErrTimeout)
		}
	}
	t.state = stateReset
	t.setStatus(statusAcknowledge, stateAcknowledged)
	t.setStatus(statusDriver, stateDriverKnown)
	return nil
}

// setStatus adds bit to the device status and records the new state.
func (t *transport) setStatus(bit uint32, next devState) {
	t.regs.Write32(RegStatus, t.regs.Read32(RegStatus)|bit)
	t.state = next
}

// negotiate runs steps 4-6 of §3.1.1: read the device's features, accept
// those in want, check that every feature in need is among them, write
// them, set FEATURES_OK and read it back (the device clears it if it does
// not support the subset). It returns the accepted features.
func (t *transport) negotiate(want, need uint64) (uint64, error) {
	if t.state != stateDriverKnown {
		panic("virtio.transport.negotiate: called out of sequence")
	}
	offered := t.read64(RegDeviceFeaturesSel, RegDeviceFeatures)
	if offered&need != need {
		return 0, fmt.Errorf("%w: device offers %#x, driver needs %#x", ErrFeatures, offered, need)
	}
	accepted := offered & want
	t.regs.Write32(RegDriverFeaturesSel, 0)
	t.regs.Write32(RegDriverFeatures, uint32(accepted))
	t.regs.Write32(RegDriverFeaturesSel, 1)
	t.regs.Write32(RegDriverFeatures, uint32(accepted>>32))
	t.setStatus(statusFeaturesOK, stateFeaturesOK)
	if t.regs.Read32(RegStatus)&statusFeaturesOK == 0 {
		return 0, fmt.Errorf("%w: device cleared FEATURES_OK for features %#x", ErrFeatures, accepted)
	}
	return accepted, nil
}

// read64 reads a 64-bit feature word through a select register and a
// 32-bit window (§4.2.2: DeviceFeaturesSel 0 and 1).
func (t *transport) read64(sel, val Reg) uint64 {
	t.regs.Write32(sel, 0)
	lo := t.regs.Read32(val)
	t.regs.Write32(sel, 1)
	hi := t.regs.Read32(val)
	return uint64(hi)<<32 | uint64(lo)
}

// maxQueue returns the largest size queue index may have (QueueNumMax),
// or ErrQueue if the queue is absent or already live (§4.2.3.2 steps 1-3).
func (t *transport) maxQueue(index uint32) (uint32, error) {
	t.regs.Write32(RegQueueSel, index)
	if t.regs.Read32(RegQueueReady) != 0 {
		return 0, fmt.Errorf("%w: queue %d already ready", ErrQueue, index)
	}
	n := t.regs.Read32(RegQueueNumMax)
	if n == 0 {
		return 0, fmt.Errorf("%w: queue %d absent (QueueNumMax 0)", ErrQueue, index)
	}
	return n, nil
}

// setQueue tells the device the size and the three areas of queue index
// and marks it ready (§4.2.3.2 steps 5-7).
func (t *transport) setQueue(index uint32, q *splitQueue) {
	if t.state != stateFeaturesOK {
		panic("virtio.transport.setQueue: called out of sequence")
	}
	t.regs.Write32(RegQueueSel, index)
	t.regs.Write32(RegQueueNum, uint32(q.layout.size))
	t.write64(RegQueueDescLow, RegQueueDescHigh, q.descAddr())
	t.write64(RegQueueDriverLow, RegQueueDriverHigh, q.driverAddr())
	t.write64(RegQueueDeviceLow, RegQueueDeviceHigh, q.deviceAddr())
	t.regs.Write32(RegQueueReady, 1)
}

func (t *transport) write64(lo, hi Reg, a PAddr) {
	t.regs.Write32(lo, uint32(a))
	t.regs.Write32(hi, uint32(a>>32))
}

// goLive sets DRIVER_OK, step 8 of §3.1.1.
func (t *transport) goLive() {
	t.setStatus(statusDriverOK, stateLive)
}

// fail sets FAILED: the driver gives up on the device (§3.1.1: "If any of
// these steps go irrecoverably wrong, the driver SHOULD set the FAILED
// bit").
func (t *transport) fail() {
	t.setStatus(statusFailed, stateFailed)
}

// notify tells the device that queue index has new available buffers
// (§4.2.3.3; without VIRTIO_F_NOTIFICATION_DATA the value is the index).
func (t *transport) notify(index uint32) {
	t.regs.Write32(RegQueueNotify, index)
}

// needsReset reports whether the device has set DEVICE_NEEDS_RESET.
func (t *transport) needsReset() bool {
	return t.regs.Read32(RegStatus)&statusNeedsReset != 0
}

// maxConfigRetries bounds the configuration generation loop.
const maxConfigRetries = 16

// readConfig64 reads a 64-bit configuration field at offset off as two
// 32-bit accesses (§4.2.2.2), retrying until ConfigGeneration is the same
// before and after, so the halves belong together (§2.5.1 "Driver
// Requirements: Device Configuration Space").
func (t *transport) readConfig64(off Reg) (uint64, error) {
	for range maxConfigRetries {
		gen := t.regs.Read32(RegConfigGeneration)
		lo := t.regs.Read32(RegConfig + off)
		hi := t.regs.Read32(RegConfig + off + 4)
		if t.regs.Read32(RegConfigGeneration) == gen {
			return uint64(hi)<<32 | uint64(lo), nil
		}
	}
	return 0, fmt.Errorf("%w: configuration kept changing (ConfigGeneration)", ErrTimeout)
}

// readConfig32 reads a 32-bit configuration field at offset off.
func (t *transport) readConfig32(off Reg) uint32 {
	return t.regs.Read32(RegConfig + off)
}

// clock bounds the driver's waits.
type clock struct {
	now     func() int64 // nanoseconds, monotonic
	timeout int64        // nanoseconds
}

// deadline is the time now+timeout.
func (c clock) deadline() int64 { return c.now() + c.timeout }

// past reports whether the deadline has passed.
func (c clock) past(deadline int64) bool { return c.now() > deadline }
