package virtio

import (
	"encoding/binary"
	"errors"
)

// Split virtqueue layout (virtio spec §2.7, table of part sizes and
// alignments). The three parts live in one DMA allocation, each at its
// required alignment:
//
//	descOff  = 0                            descriptor table, 16 B per entry (align 16)
//	availOff = 16*size                      available ring: flags, idx, ring[size], used_event (align 2)
//	usedOff  = align4(availOff + 6+2*size)  used ring: flags, idx, ring[size]{id,len}, avail_event (align 4)
const (
	descSize      = 16 // struct virtq_desc: le64 addr, le32 len, le16 flags, le16 next (§2.7.5)
	descAlign     = 16
	ringHeader    = 4 // le16 flags, le16 idx: the first 4 bytes of both rings (§2.7.6, §2.7.8)
	availElemSize = 2 // le16 descriptor index
	usedElemSize  = 8 // struct virtq_used_elem: le32 id, le32 len (§2.7.8)
	ringTrailer   = 2 // le16 used_event / avail_event (only with VIRTIO_F_EVENT_IDX, space kept anyway)
	usedAlign     = 4

	// maxQueueSize is the largest split queue size (§2.7: "The maximum
	// Queue Size value is 32768").
	maxQueueSize = 32768
)

// Descriptor and ring flags.
const (
	descFlagNext  = 1 // VIRTQ_DESC_F_NEXT: the chain continues at next (§2.7.5)
	descFlagWrite = 2 // VIRTQ_DESC_F_WRITE: device-writable, else device-readable

	// availFlagNoInterrupt is VIRTQ_AVAIL_F_NO_INTERRUPT: the driver
	// polls and asks for no used-buffer notifications (§2.7.7).
	availFlagNoInterrupt = 1
)

// Descriptor field offsets within one 16-byte entry (§2.7.5).
const (
	descAddrOff  = 0
	descLenOff   = 8
	descFlagsOff = 12
	descNextOff  = 14
)

// Used element field offsets within one 8-byte entry (§2.7.8).
const (
	usedIDOff  = 0
	usedLenOff = 4
)

// queueLayout is where the parts of a split queue of the given size lie in
// its allocation.
type queueLayout struct {
	size     uint16
	availOff int
	usedOff  int
	total    int
}

// layoutFor returns the layout of a split queue of size entries.
//
// Precondition: size is a power of two no larger than maxQueueSize.
func layoutFor(size uint16) queueLayout {
	n := int(size)
	avail := descSize * n
	used := alignUp(avail+ringHeader+availElemSize*n+ringTrailer, usedAlign)
	return queueLayout{size: size, availOff: avail, usedOff: used, total: used + ringHeader + usedElemSize*n + ringTrailer}
}

func alignUp(n, align int) int {
	return (n + align - 1) &^ (align - 1)
}

// buffer is one element of a descriptor chain: a physically contiguous
// range of DMA memory and whether the device writes it.
type buffer struct {
	addr     PAddr
	len      uint32
	writable bool
}

// errQueueFull is returned by submit when there are fewer free descriptors
// than the chain needs. With one request in flight it cannot happen.
var errQueueFull = errors.New("virtio: virtqueue has too few free descriptors")

// splitQueue is the driver side of one split virtqueue (§2.7). The owner
// serializes every call (Block.mu guards it).
//
// Descriptor states: free (on the free list, linked through next[]) or
// in flight (part of a chain whose head was published in the available
// ring and not yet returned in the used ring). submit moves a chain from
// free to in flight, release moves it back.
type splitQueue struct {
	layout queueLayout
	mem    []byte // the DMA allocation: descriptor table, available ring, used ring
	addr   PAddr  // physical address of mem[0]

	// next is the driver's own copy of each descriptor's chain link: the
	// free list when free, the chain when in flight. Walking this copy,
	// not the table, means a misbehaving device cannot corrupt it. The
	// free list is first in, first out, so successive requests cycle
	// through the whole table.
	next     []uint16
	freeHead uint16
	freeTail uint16
	numFree  int

	availIdx uint16 // next available ring index to publish (free-running, §2.7.6)
	lastUsed uint16 // used ring index consumed so far (free-running, §2.7.8)
}

// newSplitQueue sets up an empty queue over mem, a zero-filled DMA
// allocation at physical address addr of at least layoutFor(size).total
// bytes, aligned to descAlign.
func newSplitQueue(mem []byte, addr PAddr, size uint16) *splitQueue {
	l := layoutFor(size)
	if len(mem) < l.total || addr%descAlign != 0 {
		panic("virtio.newSplitQueue: memory too small or misaligned")
	}
	q := &splitQueue{layout: l, mem: mem[:l.total], addr: addr, next: make([]uint16, size),
		freeTail: size - 1, numFree: int(size)}
	clear(q.mem)
	for i := range q.next {
		q.next[i] = uint16(i + 1)
	}
	storeRingWord(q.mem, l.availOff, ringWord(availFlagNoInterrupt, 0))
	return q
}

// descAddr, driverAddr and deviceAddr are the physical addresses of the
// three parts, for RegQueueDesc/Driver/Device (§4.2.3.2).
func (q *splitQueue) descAddr() PAddr   { return q.addr }
func (q *splitQueue) driverAddr() PAddr { return q.addr + PAddr(q.layout.availOff) }
func (q *splitQueue) deviceAddr() PAddr { return q.addr + PAddr(q.layout.usedOff) }

// submit writes bufs as one descriptor chain, puts its head in the
// available ring and publishes it by advancing the ring's idx (§2.7.13).
// It returns the head descriptor's index. The caller then notifies the
// device.
//
// Precondition: device-readable buffers come before device-writable ones
// (§2.7.4.2), and bufs is not empty.
func (q *splitQueue) submit(bufs []buffer) (head uint16, err error) {
	if len(bufs) == 0 {
		panic("virtio.splitQueue.submit: empty chain")
	}
	if len(bufs) > q.numFree {
		return 0, errQueueFull
	}
	head = q.freeHead
	d := head
	for i, b := range bufs {
		var flags uint16
		if b.writable {
			flags |= descFlagWrite
		}
		if i < len(bufs)-1 {
			flags |= descFlagNext
		}
		q.writeDesc(d, b.addr, b.len, flags, q.next[d])
		if i < len(bufs)-1 {
			d = q.next[d]
		}
	}
	q.freeHead = q.next[d]
	q.numFree -= len(bufs)
	q.publish(head)
	return head, nil
}

// writeDesc encodes descriptor i (§2.7.5). next is only meaningful with
// descFlagNext but is always written, as the free list link.
func (q *splitQueue) writeDesc(i uint16, addr PAddr, length uint32, flags, next uint16) {
	e := q.mem[int(i)*descSize : (int(i)+1)*descSize]
	binary.LittleEndian.PutUint64(e[descAddrOff:], uint64(addr))
	binary.LittleEndian.PutUint32(e[descLenOff:], length)
	binary.LittleEndian.PutUint16(e[descFlagsOff:], flags)
	binary.LittleEndian.PutUint16(e[descNextOff:], next)
}

// publish places head in the next available ring slot and then advances
// idx. The idx store is a release store (ring_unsafe.go), so the
// descriptors and the ring entry are visible before the new idx (§2.7.13.3
// "the driver MUST perform a suitable memory barrier before the idx
// update").
func (q *splitQueue) publish(head uint16) {
	slot := q.layout.availOff + ringHeader + availElemSize*int(q.availIdx%q.layout.size)
	binary.LittleEndian.PutUint16(q.mem[slot:], head)
	q.availIdx++
	storeRingWord(q.mem, q.layout.availOff, ringWord(availFlagNoInterrupt, q.availIdx))
}

// popUsed returns the next used element, if the device has returned one
// since the last call (§2.7.14). The idx load is an acquire load, so the
// element and the buffers the device wrote are read after it.
func (q *splitQueue) popUsed() (id, length uint32, ok bool) {
	idx := ringIdx(loadRingWord(q.mem, q.layout.usedOff))
	if idx == q.lastUsed {
		return 0, 0, false
	}
	e := q.layout.usedOff + ringHeader + usedElemSize*int(q.lastUsed%q.layout.size)
	id = binary.LittleEndian.Uint32(q.mem[e+usedIDOff:])
	length = binary.LittleEndian.Uint32(q.mem[e+usedLenOff:])
	q.lastUsed++
	return id, length, true
}

// release appends the chain starting at head, n descriptors long, to the
// free list.
//
// Precondition: head is the head of an in-flight chain of n descriptors
// that the device has returned.
func (q *splitQueue) release(head uint16, n int) {
	tail := head
	for i := 1; i < n; i++ {
		tail = q.next[tail]
	}
	if q.numFree == 0 {
		q.freeHead = head
	} else {
		q.next[q.freeTail] = head
	}
	q.freeTail = tail
	q.numFree += n
	if q.numFree > int(q.layout.size) {
		panic("virtio.splitQueue.release: more free descriptors than the queue has")
	}
}

// ringWord packs a ring's flags and idx fields, which are the first two
// little-endian 16-bit fields of both rings, into the 32-bit word they
// form on a little-endian machine (amd64, arm64).
func ringWord(flags, idx uint16) uint32 {
	return uint32(flags) | uint32(idx)<<16
}

// ringIdx is the idx field of a ring's first word.
func ringIdx(w uint32) uint16 {
	return uint16(w >> 16)
}
