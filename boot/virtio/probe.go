package virtio

import (
	"errors"
	"fmt"
)

// Config says where Probe looks for block devices and what it may use.
type Config struct {
	Windows  []Window     // the board's virtio-mmio slots
	DMA      DMA          // memory for rings and request buffers
	Nanotime func() int64 // the board's clock, bounding every wait
	// Timeout bounds each wait on a device, in nanoseconds; 0 means
	// DefaultTimeout.
	Timeout int64
	// QueueSize caps the request queue's size; 0 means
	// DefaultQueueSize. It is rounded down to a power of two.
	QueueSize uint16
}

const (
	// DefaultTimeout is 2 s of the board's clock (2e9 guest instructions
	// under QEMU -icount shift=0).
	DefaultTimeout = 2_000_000_000
	// DefaultQueueSize is enough for one request of three descriptors
	// in flight, with room to spare; more would only use DMA memory.
	DefaultQueueSize = 16
	// reqChainMax is the longest chain a request uses.
	reqChainMax = 3
)

// Probe scans the windows for virtio block devices and brings up each one
// it finds. Slots with no device (no magic, or device ID 0) and devices of
// other types are skipped. It returns the disks that came up, in window
// order, and an error joining what went wrong with the others (a legacy
// transport, failed negotiation, no DMA memory).
func Probe(c Config) ([]*Block, error) {
	if c.Nanotime == nil || c.DMA == nil {
		return nil, errors.New("virtio.Probe: Config needs Nanotime and DMA")
	}
	var disks []*Block
	var errs []error
	for _, w := range c.Windows {
		kind, err := identify(w.Regs)
		if err != nil {
			errs = append(errs, fmt.Errorf("virtio-mmio@%#x: %w", uint64(w.Base), err))
			continue
		}
		if kind != slotBlock {
			continue
		}
		b, err := newBlock(c, w)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		disks = append(disks, b)
	}
	return disks, errors.Join(errs...)
}

// newBlock runs the initialization sequence of §3.1.1 on a block device
// (§5.2.5): reset, ACKNOWLEDGE, DRIVER, features, FEATURES_OK, reading the
// configuration, queue setup, DRIVER_OK. On failure the device is left
// with FAILED set.
func newBlock(c Config, w Window) (*Block, error) {
	b := &Block{name: fmt.Sprintf("virtio-blk@%#x", uint64(w.Base))}
	b.t = transport{regs: w.Regs, base: w.Base, clock: clock{now: c.Nanotime, timeout: c.Timeout}}
	if b.t.clock.timeout <= 0 {
		b.t.clock.timeout = DefaultTimeout
	}
	if err := b.init(c); err != nil {
		b.t.fail()
		return nil, fmt.Errorf("%s: %w", b.name, err)
	}
	return b, nil
}

// init is newBlock's sequence; each step names its section.
func (b *Block) init(c Config) error {
	if err := b.t.begin(); err != nil {
		return err
	}
	features, err := b.t.negotiate(blkWantFeatures, blkNeedFeatures)
	if err != nil {
		return err
	}
	b.features = features
	if err := b.readConfig(); err != nil {
		return err
	}
	size, err := b.queueSize(c.QueueSize)
	if err != nil {
		return err
	}
	if err := b.allocate(c.DMA, size); err != nil {
		return err
	}
	b.t.setQueue(requestQueue, b.q)
	b.t.goLive()
	return nil
}

// readConfig reads the capacity and checks the segment limits against the
// requests the driver makes: one data segment of one page (§5.2.4).
func (b *Block) readConfig() error {
	sectors, err := b.t.readConfig64(blkConfigCapacity)
	if err != nil {
		return err
	}
	b.sectors = sectors
	b.pages = sectors / sectorsPerPage
	if b.features&blkFeatureSizeMax != 0 {
		if m := b.t.readConfig32(blkConfigSizeMax); m < PageSize {
			return fmt.Errorf("%w: size_max %d below one page", ErrFeatures, m)
		}
	}
	if b.features&blkFeatureSegMax != 0 {
		if m := b.t.readConfig32(blkConfigSegMax); m < 1 {
			return fmt.Errorf("%w: seg_max 0", ErrFeatures)
		}
	}
	return nil
}

// queueSize picks the request queue's size: the largest power of two not
// above the device's QueueNumMax nor the configured cap (§2.7: split queue
// sizes are powers of two).
func (b *Block) queueSize(limit uint16) (uint16, error) {
	max, err := b.t.maxQueue(requestQueue)
	if err != nil {
		return 0, err
	}
	if limit == 0 {
		limit = DefaultQueueSize
	}
	n := uint32(limit)
	if max < n {
		n = max
	}
	size := uint16(1)
	for uint32(size)*2 <= n && size < maxQueueSize {
		size *= 2
	}
	if size < reqChainMax {
		return 0, fmt.Errorf("%w: QueueNumMax %d is below the %d descriptors of a request", ErrQueue, max, reqChainMax)
	}
	return size, nil
}

// allocate takes the queue and the request buffers from DMA memory: the
// queue in one allocation, the header and status in a second, the data
// page in a third, page aligned so it never straddles a page.
func (b *Block) allocate(dma DMA, size uint16) error {
	l := layoutFor(size)
	qpa, qmem, err := dma.Alloc(l.total, PageSize)
	if err != nil {
		return fmt.Errorf("virtqueue: %w", err)
	}
	b.q = newSplitQueue(qmem, qpa, size)
	if b.reqPA, b.req, err = dma.Alloc(reqHeaderLen+1, descAlign); err != nil {
		return fmt.Errorf("request header: %w", err)
	}
	if b.dataPA, b.data, err = dma.Alloc(PageSize, PageSize); err != nil {
		return fmt.Errorf("bounce buffer: %w", err)
	}
	b.req, b.data = b.req[:reqHeaderLen+1], b.data[:PageSize]
	return nil
}
