package virtio

import (
	"encoding/binary"
	"fmt"
	"sync"
	"sync/atomic"
)

// fakeMem is host memory standing in for a board's DMA region: a byte
// arena at a made-up physical base, allocated first-fit upward.
type fakeMem struct {
	base PAddr
	mem  []byte
	next int
}

func newFakeMem(size int) *fakeMem {
	// Back the arena with uint64s so offset 0 is 8-byte aligned in host
	// memory, as the ring words' atomics need.
	words := make([]uint64, size/8)
	return &fakeMem{base: 0x100000, mem: unsafeBytes(words)}
}

func (m *fakeMem) Alloc(size, align int) (PAddr, []byte, error) {
	off := alignUp(m.next, align)
	if off+size > len(m.mem) {
		return 0, nil, fmt.Errorf("fakeMem: out of memory for %d bytes", size)
	}
	m.next = off + size
	// Dirty it: Alloc does not promise zeroed memory.
	for i := off; i < off+size; i++ {
		m.mem[i] = 0xa5
	}
	return m.base + PAddr(off), m.mem[off : off+size : off+size], nil
}

// at returns the n bytes at physical address pa, or an error if they are
// not all inside the arena.
func (m *fakeMem) at(pa PAddr, n uint32) ([]byte, error) {
	if pa < m.base || uint64(pa-m.base)+uint64(n) > uint64(len(m.mem)) {
		return nil, fmt.Errorf("address %#x+%d outside DMA memory", pa, n)
	}
	off := int(pa - m.base)
	return m.mem[off : off+int(n)], nil
}

// fakeBlock models a virtio-mmio block device as the specification
// describes it: the register file of §4.2.2 with the status protocol of
// §2.1/§3.1, and a request queue consumed as §2.7 says a device does. It
// records every protocol violation it sees in violations; tests require
// none.
type fakeBlock struct {
	mu  sync.Mutex
	mem *fakeMem

	// identity and offer
	magic, version, deviceID uint32
	offered                  uint64
	queueNumMax              uint32
	configGen                uint32
	genFlips                 int // ConfigGeneration changes this many times during reads
	sizeMax, segMax          uint32

	// driver-written state
	status          uint32
	devSel, drvSel  uint32
	accepted        uint64
	queueSel        uint32
	queueNum        uint32
	queueReady      uint32
	desc, drv, dev  uint64
	statusWrites    []uint32
	queueSetAt      int // len(statusWrites) when QueueReady was set
	lastAvail       uint16
	usedIdx         uint16
	disk            []byte
	requests        []fakeRequest
	headsSeen       map[uint16]bool
	violations      []string
	notifies        int
	refuseFeatures  bool
	ioErrorSector   map[uint64]bool
	unsupportFlush  bool
	dead            bool // never completes a request
	needsResetOnReq bool // sets DEVICE_NEEDS_RESET instead of completing
	badStatus       byte // if non-zero, written as the status byte
	wrongID         bool // returns head+1 in the used ring
	skipStatus      bool // does not write the status byte
	async           chan struct{}
}

// fakeRequest is one request as the device saw it.
type fakeRequest struct {
	typ    uint32
	sector uint64
	head   uint16
}

// newFakeBlock returns a modern block device of the given capacity in
// sectors that offers VERSION_1, FLUSH and SEG_MAX.
func newFakeBlock(mem *fakeMem, sectors uint64) *fakeBlock {
	return &fakeBlock{
		mem: mem, magic: mmioMagic, version: mmioVersionModern, deviceID: deviceIDBlock,
		offered:     featureVersion1 | blkFeatureFlush | blkFeatureSegMax | 1<<28, /* INDIRECT_DESC, not accepted */
		queueNumMax: 256, segMax: 126,
		disk:          make([]byte, sectors*SectorSize),
		headsSeen:     map[uint16]bool{},
		ioErrorSector: map[uint64]bool{},
	}
}

func (f *fakeBlock) violate(format string, args ...any) {
	f.violations = append(f.violations, fmt.Sprintf(format, args...))
}

func (f *fakeBlock) Read32(off Reg) uint32 {
	f.mu.Lock()
	defer f.mu.Unlock()
	if off != RegMagic && f.magic != mmioMagic {
		f.violate("read of %#x on a slot without magic", off)
	}
	switch off {
	case RegMagic:
		return f.magic
	case RegVersion:
		return f.version
	case RegDeviceID:
		return f.deviceID
	case RegVendorID:
		return 0x554d4551 // "QEMU"
	case RegDeviceFeatures:
		return uint32(f.offered >> (32 * f.devSel))
	case RegQueueNumMax:
		return f.queueNumMax
	case RegQueueReady:
		return f.queueReady
	case RegStatus:
		return f.status
	case RegConfigGeneration:
		if f.genFlips > 0 {
			f.genFlips--
			f.configGen++
		}
		return f.configGen
	}
	if off >= RegConfig {
		return f.readConfig(off - RegConfig)
	}
	f.violate("read of write-only or unknown register %#x", off)
	return 0
}

func (f *fakeBlock) readConfig(off Reg) uint32 {
	if f.status&statusDriver == 0 {
		f.violate("config read before DRIVER")
	}
	capacity := uint64(len(f.disk) / SectorSize)
	switch off {
	case blkConfigCapacity:
		return uint32(capacity)
	case blkConfigCapacity + 4:
		return uint32(capacity >> 32)
	case blkConfigSizeMax:
		return f.sizeMax
	case blkConfigSegMax:
		return f.segMax
	}
	return 0
}

func (f *fakeBlock) Write32(off Reg, v uint32) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.magic != mmioMagic || f.deviceID == deviceIDNone {
		f.violate("write of %#x to a slot the driver must ignore", off)
	}
	switch off {
	case RegDeviceFeaturesSel:
		f.devSel = v & 1
	case RegDriverFeaturesSel:
		f.drvSel = v & 1
	case RegDriverFeatures:
		if f.status&statusFeaturesOK != 0 || f.status&statusDriver == 0 {
			f.violate("driver features written in status %#x", f.status)
		}
		shift := 32 * f.drvSel
		f.accepted = f.accepted&^(0xffffffff<<shift) | uint64(v)<<shift
	case RegStatus:
		f.writeStatus(v)
	case RegQueueSel:
		f.queueSel = v
	case RegQueueNum:
		if v > f.queueNumMax || v&(v-1) != 0 {
			f.violate("QueueNum %d (max %d, must be a power of 2)", v, f.queueNumMax)
		}
		f.queueNum = v
	case RegQueueDescLow, RegQueueDescHigh, RegQueueDriverLow, RegQueueDriverHigh, RegQueueDeviceLow, RegQueueDeviceHigh:
		f.writeQueueAddr(off, v)
	case RegQueueReady:
		f.setQueueReady(v)
	case RegQueueNotify:
		f.notify(v)
	case RegInterruptACK:
	default:
		f.violate("write of read-only or unknown register %#x", off)
	}
}

// writeStatus checks the §3.1.1 order: bits are only added, in order.
func (f *fakeBlock) writeStatus(v uint32) {
	f.statusWrites = append(f.statusWrites, v)
	if v == 0 {
		f.reset()
		return
	}
	if v&f.status != f.status {
		f.violate("status %#x clears bits of %#x", v, f.status)
	}
	added := v &^ f.status
	order := []uint32{statusAcknowledge, statusDriver, statusFeaturesOK, statusDriverOK}
	for i, bit := range order {
		if added&bit != 0 {
			for _, before := range order[:i] {
				if v&before == 0 {
					f.violate("status bit %#x set before %#x", bit, before)
				}
			}
		}
	}
	if added&statusFeaturesOK != 0 && (f.accepted&featureVersion1 == 0 || f.accepted&^f.offered != 0 || f.refuseFeatures) {
		v &^= statusFeaturesOK // the device refuses the subset (§3.1.1 step 6)
	}
	f.status = v
}

// reset returns the device to its state at power-on (§2.4): everything the
// driver negotiated or set up is forgotten.
func (f *fakeBlock) reset() {
	f.status, f.devSel, f.drvSel, f.accepted = 0, 0, 0, 0
	f.queueSel, f.queueNum, f.queueReady = 0, 0, 0
	f.desc, f.drv, f.dev = 0, 0, 0
	f.lastAvail, f.usedIdx = 0, 0
	f.headsSeen = map[uint16]bool{}
}

func (f *fakeBlock) writeQueueAddr(off Reg, v uint32) {
	if f.status&statusFeaturesOK == 0 || f.status&statusDriverOK != 0 {
		f.violate("queue address written in status %#x", f.status)
	}
	set := func(p *uint64, high bool) {
		if high {
			*p = *p&0xffffffff | uint64(v)<<32
		} else {
			*p = *p&^0xffffffff | uint64(v)
		}
	}
	switch off {
	case RegQueueDescLow, RegQueueDescHigh:
		set(&f.desc, off == RegQueueDescHigh)
	case RegQueueDriverLow, RegQueueDriverHigh:
		set(&f.drv, off == RegQueueDriverHigh)
	default:
		set(&f.dev, off == RegQueueDeviceHigh)
	}
}

func (f *fakeBlock) setQueueReady(v uint32) {
	if f.queueSel != requestQueue {
		f.violate("QueueReady for queue %d", f.queueSel)
	}
	if f.desc%descAlign != 0 || f.drv%2 != 0 || f.dev%usedAlign != 0 {
		f.violate("misaligned queue areas %#x %#x %#x (§2.7)", f.desc, f.drv, f.dev)
	}
	if f.queueNum == 0 {
		f.violate("QueueReady before QueueNum")
	}
	f.queueReady = v
	f.queueSetAt = len(f.statusWrites)
}

func (f *fakeBlock) notify(q uint32) {
	f.notifies++
	if q != requestQueue || f.status&statusDriverOK == 0 || f.queueReady == 0 {
		f.violate("notify of queue %d in status %#x", q, f.status)
		return
	}
	if f.async != nil {
		select {
		case f.async <- struct{}{}:
		default:
		}
		return
	}
	f.process()
}

// run serves notifications on another goroutine until stop is closed: the
// device runs concurrently with the driver, as QEMU's does.
func (f *fakeBlock) run(stop chan struct{}) {
	for {
		select {
		case <-f.async:
			f.mu.Lock()
			f.process()
			f.mu.Unlock()
		case <-stop:
			return
		}
	}
}

// process consumes every newly available chain (§2.7.13 from the
// device's side) and returns it in the used ring (§2.7.8).
func (f *fakeBlock) process() {
	if f.dead {
		return
	}
	if f.needsResetOnReq {
		f.status |= statusNeedsReset
		return
	}
	avail, err := f.mem.at(PAddr(f.drv), uint32(ringHeader+availElemSize*f.queueNum))
	if err != nil {
		f.violate("available ring: %v", err)
		return
	}
	idx := ringIdx(loadRingWord(avail, 0))
	if flags := uint16(loadRingWord(avail, 0)); flags != availFlagNoInterrupt {
		f.violate("available ring flags %#x", flags)
	}
	for ; f.lastAvail != idx; f.lastAvail++ {
		slot := ringHeader + availElemSize*int(f.lastAvail%uint16(f.queueNum))
		head := binary.LittleEndian.Uint16(avail[slot:])
		written := f.serve(head)
		f.complete(head, written)
	}
}

// chainPart is one descriptor of a chain, resolved to memory.
type chainPart struct {
	buf      []byte
	writable bool
}

// walk follows the chain at head through the descriptor table.
func (f *fakeBlock) walk(head uint16) ([]chainPart, error) {
	table, err := f.mem.at(PAddr(f.desc), descSize*f.queueNum)
	if err != nil {
		return nil, err
	}
	var parts []chainPart
	seenWritable := false
	for i, d := 0, head; ; i++ {
		if uint32(d) >= f.queueNum || i >= int(f.queueNum) {
			return nil, fmt.Errorf("descriptor %d out of table or chain loops", d)
		}
		e := table[int(d)*descSize:]
		addr := PAddr(binary.LittleEndian.Uint64(e[descAddrOff:]))
		length := binary.LittleEndian.Uint32(e[descLenOff:])
		flags := binary.LittleEndian.Uint16(e[descFlagsOff:])
		if flags&^(descFlagNext|descFlagWrite) != 0 {
			return nil, fmt.Errorf("descriptor %d has flags %#x", d, flags)
		}
		w := flags&descFlagWrite != 0
		if seenWritable && !w {
			return nil, fmt.Errorf("device-readable descriptor after a writable one (§2.7.4.2)")
		}
		seenWritable = seenWritable || w
		buf, err := f.mem.at(addr, length)
		if err != nil {
			return nil, err
		}
		parts = append(parts, chainPart{buf, w})
		if flags&descFlagNext == 0 {
			return parts, nil
		}
		d = binary.LittleEndian.Uint16(e[descNextOff:])
	}
}

// serve carries out the request at head (§5.2.6) and returns how many
// bytes it wrote into the chain.
func (f *fakeBlock) serve(head uint16) uint32 {
	if f.headsSeen[head] {
		f.violate("descriptor %d made available twice without being used", head)
	}
	f.headsSeen[head] = true
	parts, err := f.walk(head)
	if err != nil {
		f.violate("chain at %d: %v", head, err)
		return 0
	}
	var out, in []byte
	var inParts [][]byte
	for _, p := range parts {
		if p.writable {
			inParts = append(inParts, p.buf)
			in = append(in, p.buf...)
		} else {
			out = append(out, p.buf...)
		}
	}
	if len(out) < reqHeaderLen || len(in) < 1 {
		f.violate("request at %d: %d readable, %d writable bytes", head, len(out), len(in))
		return 0
	}
	typ := binary.LittleEndian.Uint32(out[reqTypeOff:])
	sector := binary.LittleEndian.Uint64(out[reqSectorOff:])
	f.requests = append(f.requests, fakeRequest{typ, sector, head})
	status, data := f.execute(typ, sector, out[reqHeaderLen:], len(in)-1)
	if len(data) > 0 {
		copy(in, data)
	}
	in[len(in)-1] = status
	if f.badStatus != 0 {
		in[len(in)-1] = f.badStatus
	}
	if f.skipStatus {
		return uint32(len(data))
	}
	scatter(inParts, in)
	return uint32(len(in))
}

// execute performs one block request on the disk image.
func (f *fakeBlock) execute(typ uint32, sector uint64, dataOut []byte, inLen int) (byte, []byte) {
	switch typ {
	case reqTypeIn, reqTypeOut:
		n := len(dataOut)
		if typ == reqTypeIn {
			n = inLen
		}
		if n%SectorSize != 0 || sector*SectorSize+uint64(n) > uint64(len(f.disk)) {
			return blkStatusIOErr, nil
		}
		if f.ioErrorSector[sector] {
			return blkStatusIOErr, nil
		}
		at := f.disk[sector*SectorSize : sector*SectorSize+uint64(n)]
		if typ == reqTypeOut {
			if f.accepted&blkFeatureRO != 0 {
				f.violate("write to a read-only disk")
			}
			copy(at, dataOut)
			return blkStatusOK, nil
		}
		return blkStatusOK, append([]byte(nil), at...)
	case reqTypeFlush:
		if f.accepted&blkFeatureFlush == 0 {
			f.violate("flush without VIRTIO_BLK_F_FLUSH")
		}
		if f.unsupportFlush {
			return blkStatusUnsupp, nil
		}
		return blkStatusOK, nil
	}
	return blkStatusUnsupp, nil
}

// scatter copies in back over the writable buffers it was gathered from.
func scatter(parts [][]byte, in []byte) {
	for _, p := range parts {
		n := copy(p, in)
		in = in[n:]
	}
}

// complete returns the chain at head in the used ring and publishes it.
func (f *fakeBlock) complete(head uint16, written uint32) {
	used, err := f.mem.at(PAddr(f.dev), uint32(ringHeader+usedElemSize*f.queueNum))
	if err != nil {
		f.violate("used ring: %v", err)
		return
	}
	delete(f.headsSeen, head)
	id := uint32(head)
	if f.wrongID {
		id++
	}
	e := ringHeader + usedElemSize*int(f.usedIdx%uint16(f.queueNum))
	binary.LittleEndian.PutUint32(used[e+usedIDOff:], id)
	binary.LittleEndian.PutUint32(used[e+usedLenOff:], written)
	f.usedIdx++
	storeRingWord(used, 0, ringWord(0, f.usedIdx))
}

// fakeClock is a clock that advances by step on every reading.
type fakeClock struct {
	t    atomic.Int64
	step int64
}

func (c *fakeClock) now() int64 { return c.t.Add(c.step) }
