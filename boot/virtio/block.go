package virtio

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sync"

	"github.com/tamach/tamach/boot"
)

// Sizes of the block interface.
const (
	SectorSize     = 512  // virtio-blk addresses 512-byte sectors whatever blk_size says (§5.2.6)
	PageSize       = 4096 // the unit Block reads and writes
	sectorsPerPage = PageSize / SectorSize
)

// Block request layout (virtio spec §5.2.6 "Device Operation"): a
// device-readable header, the data, a device-writable status byte.
//
//	struct virtio_blk_req { le32 type; le32 reserved; le64 sector; u8 data[]; u8 status; }
const (
	reqTypeOff   = 0
	reqSectorOff = 8
	reqHeaderLen = 16

	reqTypeIn    = 0 // VIRTIO_BLK_T_IN: read
	reqTypeOut   = 1 // VIRTIO_BLK_T_OUT: write
	reqTypeFlush = 4 // VIRTIO_BLK_T_FLUSH

	blkStatusOK     = 0 // VIRTIO_BLK_S_OK
	blkStatusIOErr  = 1 // VIRTIO_BLK_S_IOERR
	blkStatusUnsupp = 2 // VIRTIO_BLK_S_UNSUPP

	// statusUnset is what the driver puts in the status byte before each
	// request, so a device that never writes it is caught.
	statusUnset = 0xff
)

// Block configuration space fields (virtio spec §5.2.4), offsets from
// RegConfig.
const (
	blkConfigCapacity = 0x00 // le64: size in 512-byte sectors
	blkConfigSizeMax  = 0x08 // le32: largest segment, with VIRTIO_BLK_F_SIZE_MAX
	blkConfigSegMax   = 0x0c // le32: most segments per request, with VIRTIO_BLK_F_SEG_MAX
	blkConfigBlkSize  = 0x14 // le32: optimal block size, with VIRTIO_BLK_F_BLK_SIZE
)

// requestQueue is the block device's only queue, requestq (§5.2.2).
const requestQueue = 0

// Features the driver accepts when offered (§5.2.3), and the one it cannot
// do without.
const (
	blkWantFeatures = featureVersion1 | blkFeatureFlush | blkFeatureRO |
		blkFeatureBlkSize | blkFeatureSizeMax | blkFeatureSegMax
	blkNeedFeatures = featureVersion1
)

// Errors of block requests. Each is wrapped with the disk's name and the
// operation, so errors.Is finds the kind.
var (
	// ErrOutOfRange is returned, without touching the device, for a
	// page at or beyond Pages().
	ErrOutOfRange = errors.New("virtio-blk: page beyond the end of the disk")
	// ErrReadOnly is returned, without touching the device, for a write
	// to a disk that offered VIRTIO_BLK_F_RO.
	ErrReadOnly = errors.New("virtio-blk: disk is read-only (VIRTIO_BLK_F_RO)")
	// ErrIO is the device's VIRTIO_BLK_S_IOERR.
	ErrIO = errors.New("virtio-blk: I/O error (VIRTIO_BLK_S_IOERR)")
	// ErrUnsupported is the device's VIRTIO_BLK_S_UNSUPP.
	ErrUnsupported = errors.New("virtio-blk: request not supported (VIRTIO_BLK_S_UNSUPP)")
	// ErrProtocol is returned when the device answers outside the
	// specification (unknown status byte, a chain it was not given).
	ErrProtocol = errors.New("virtio-blk: device broke the virtqueue protocol")
	// ErrBroken is returned for every request after one that left the
	// device owning the queue (timeout, needs reset, protocol error).
	ErrBroken = errors.New("virtio-blk: disk unusable after an earlier failure")
	// ErrNilPage is returned for a nil page pointer.
	ErrNilPage = errors.New("virtio-blk: nil page")
)

// Block is one virtio block device, live after Probe. Its methods may be
// called from several goroutines; mu serializes requests, one in flight
// at a time.
type Block struct {
	name     string
	pages    uint64 // whole 4 KiB pages: capacity / 8 sectors
	sectors  uint64 // capacity in 512-byte sectors (§5.2.4)
	features uint64 // negotiated

	mu     sync.Mutex // guards everything below
	t      transport
	q      *splitQueue
	req    []byte // DMA: header at 0, status byte at reqHeaderLen
	reqPA  PAddr
	data   []byte // DMA: one page, the bounce buffer for reads and writes
	dataPA PAddr
	broken error // non-nil once the device owns the queue for good
	stats  Stats
}

var _ boot.BlockDevice = (*Block)(nil)

// Stats counts the requests a Block has made, the polls of the used ring
// they took and the time spent polling (nanotime units: guest
// instructions under QEMU -icount shift=0), which separates the driver's
// own cost per request from the device's latency.
type Stats struct {
	Requests uint64
	Polls    uint64 // used-ring reads that found nothing new
	WaitNs   int64  // time from notify to completion, summed
}

// Name is "virtio-blk@<transport base>".
func (b *Block) Name() string { return b.name }

// Pages is the disk's size in whole 4 KiB pages.
func (b *Block) Pages() uint64 { return b.pages }

// Sectors is the disk's capacity in 512-byte sectors.
func (b *Block) Sectors() uint64 { return b.sectors }

// ReadOnly reports whether the device offered VIRTIO_BLK_F_RO.
func (b *Block) ReadOnly() bool { return b.features&blkFeatureRO != 0 }

// CanFlush reports whether VIRTIO_BLK_F_FLUSH was negotiated.
func (b *Block) CanFlush() bool { return b.features&blkFeatureFlush != 0 }

// Failed returns nil while the device answers, and the error that ended
// it once a request left the device owning the queue (a timeout,
// DEVICE_NEEDS_RESET, a protocol error): every later request fails with
// ErrBroken. The default pager asks, to tell a dead disk from a bad
// sector (vm/defpager FailingStore).
func (b *Block) Failed() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.broken
}

// Stats returns the request counters.
func (b *Block) Stats() Stats {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.stats
}

// ReadPage reads page n (bytes [n*4096, (n+1)*4096) of the disk) into p.
func (b *Block) ReadPage(n uint64, p *[PageSize]byte) error {
	if err := b.checkPage("read", n, p); err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.do(reqTypeIn, n*sectorsPerPage, true); err != nil {
		return fmt.Errorf("%s: read page %d: %w", b.name, n, err)
	}
	copy(p[:], b.data)
	return nil
}

// WritePage writes p to page n. The data may sit in the device's volatile
// cache until Flush.
func (b *Block) WritePage(n uint64, p *[PageSize]byte) error {
	if err := b.checkPage("write", n, p); err != nil {
		return err
	}
	if b.ReadOnly() {
		return fmt.Errorf("%s: write page %d: %w", b.name, n, ErrReadOnly)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	copy(b.data, p[:])
	if err := b.do(reqTypeOut, n*sectorsPerPage, false); err != nil {
		return fmt.Errorf("%s: write page %d: %w", b.name, n, err)
	}
	return nil
}

// Flush makes every completed write durable (VIRTIO_BLK_T_FLUSH). Without
// VIRTIO_BLK_F_FLUSH (and with VIRTIO_BLK_F_CONFIG_WCE never negotiated)
// the driver may take the device's cache to be writethrough (§5.2.5.1
// "Driver Requirements: Device Initialization"), so Flush returns nil at
// once.
func (b *Block) Flush() error {
	if !b.CanFlush() {
		return nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.do(reqTypeFlush, 0, false); err != nil {
		return fmt.Errorf("%s: flush: %w", b.name, err)
	}
	return nil
}

// checkPage rejects a request before it reaches the device.
func (b *Block) checkPage(op string, n uint64, p *[PageSize]byte) error {
	if p == nil {
		return fmt.Errorf("%s: %s page %d: %w", b.name, op, n, ErrNilPage)
	}
	if n >= b.pages {
		return fmt.Errorf("%s: %s page %d of %d: %w", b.name, op, n, b.pages, ErrOutOfRange)
	}
	return nil
}

// do runs one request to completion: header, data (for reads and writes)
// and status as one chain of two or three descriptors, a notification, a
// bounded wait for the used ring, then the status byte.
//
// Precondition: b.mu is held.
func (b *Block) do(typ uint32, sector uint64, deviceWrites bool) error {
	if b.broken != nil {
		return fmt.Errorf("%w: %w", ErrBroken, b.broken)
	}
	hdr := b.req[:reqHeaderLen]
	binary.LittleEndian.PutUint32(hdr[reqTypeOff:], typ)
	binary.LittleEndian.PutUint32(hdr[reqTypeOff+4:], 0)
	binary.LittleEndian.PutUint64(hdr[reqSectorOff:], sector)
	b.req[reqHeaderLen] = statusUnset

	chain := b.chain(typ, deviceWrites)
	head, err := b.q.submit(chain)
	if err != nil {
		panic("virtio.Block.do: " + err.Error())
	}
	b.stats.Requests++
	b.t.notify(requestQueue)
	if err := b.wait(head); err != nil {
		b.broken = err
		return err
	}
	b.q.release(head, len(chain))
	return blkStatusError(b.req[reqHeaderLen])
}

// chain lays out the request's descriptors (§5.2.6): the header, device-
// readable; the data page, device-writable for a read; the status byte,
// device-writable. A flush has no data.
func (b *Block) chain(typ uint32, deviceWrites bool) []buffer {
	hdr := buffer{addr: b.reqPA, len: reqHeaderLen}
	status := buffer{addr: b.reqPA + reqHeaderLen, len: 1, writable: true}
	if typ == reqTypeFlush {
		return []buffer{hdr, status}
	}
	return []buffer{hdr, {addr: b.dataPA, len: PageSize, writable: deviceWrites}, status}
}

// statusCheckInterval is how many empty polls pass between reads of the
// status register: an MMIO read is a VM exit, a ring read is not.
const statusCheckInterval = 64

// wait polls the used ring until the device returns the chain at head.
//
// Completion is polled rather than interrupt driven because the kernel has
// one request in flight, its callers (the boot self-check, the default
// pager) wait for each one synchronously, and neither board routes virtio
// interrupts yet (microvm's IOAPIC and virt's GIC SPIs are left masked);
// a used-ring read is a plain memory load, so the loop costs no VM exits.
// The wait is bounded by the transport's clock, and DEVICE_NEEDS_RESET is
// checked every statusCheckInterval polls, so a dead device returns an
// error instead of hanging the kernel.
//
// On error the device still owns the chain; the caller marks the disk
// broken.
func (b *Block) wait(head uint16) error {
	start := b.t.clock.now()
	deadline := start + b.t.clock.timeout
	for i := 1; ; i++ {
		if id, _, ok := b.q.popUsed(); ok {
			b.stats.WaitNs += b.t.clock.now() - start
			if id != uint32(head) {
				b.t.fail()
				return fmt.Errorf("%w: used ring returned descriptor %d, in flight was %d", ErrProtocol, id, head)
			}
			return nil
		}
		b.stats.Polls++
		if i%statusCheckInterval != 0 {
			continue
		}
		if b.t.needsReset() {
			return ErrNeedsReset
		}
		if b.t.clock.past(deadline) {
			b.t.fail()
			return fmt.Errorf("%w: request not completed within %d ms", ErrTimeout, b.t.clock.timeout/1e6)
		}
	}
}

// blkStatusError maps the request's status byte to an error.
func blkStatusError(s byte) error {
	switch s {
	case blkStatusOK:
		return nil
	case blkStatusIOErr:
		return ErrIO
	case blkStatusUnsupp:
		return ErrUnsupported
	}
	return fmt.Errorf("%w: status byte %#x", ErrProtocol, s)
}
