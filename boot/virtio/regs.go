package virtio

// PAddr is a physical address as the device sees it: virtqueue and buffer
// addresses are guest-physical (virtio spec §2.7.5). Both boards run the
// kernel on an identity map of RAM, so it is also the CPU's address of the
// same bytes.
type PAddr uint64

// Reg is the byte offset of a register in a virtio-mmio window.
type Reg uint32

// virtio-mmio registers, modern interface (virtio spec §4.2.2 "MMIO Device
// Register Layout"). Every register is 32 bits wide and little-endian; the
// 64-bit queue addresses are split into Low/High halves.
const (
	RegMagic             Reg = 0x000 // R: 0x74726976, "virt"
	RegVersion           Reg = 0x004 // R: 2 (1 is the legacy interface, §4.2.4)
	RegDeviceID          Reg = 0x008 // R: virtio device ID (§5), 0 = no device
	RegVendorID          Reg = 0x00c // R
	RegDeviceFeatures    Reg = 0x010 // R: 32 feature bits, selected by RegDeviceFeaturesSel
	RegDeviceFeaturesSel Reg = 0x014 // W: 0 = bits 0-31, 1 = bits 32-63
	RegDriverFeatures    Reg = 0x020 // W: 32 accepted feature bits, selected by RegDriverFeaturesSel
	RegDriverFeaturesSel Reg = 0x024 // W
	RegQueueSel          Reg = 0x030 // W: the queue the Queue* registers address
	RegQueueNumMax       Reg = 0x034 // R: largest queue size, 0 = queue absent
	RegQueueNum          Reg = 0x038 // W: queue size the driver uses
	RegQueueReady        Reg = 0x044 // RW: 1 = the queue may be used
	RegQueueNotify       Reg = 0x050 // W: queue index with new available buffers (§4.2.3.3)
	RegInterruptStatus   Reg = 0x060 // R
	RegInterruptACK      Reg = 0x064 // W
	RegStatus            Reg = 0x070 // RW: device status (§2.1); writing 0 resets
	RegQueueDescLow      Reg = 0x080 // W: descriptor area (table)
	RegQueueDescHigh     Reg = 0x084
	RegQueueDriverLow    Reg = 0x090 // W: driver area (available ring)
	RegQueueDriverHigh   Reg = 0x094
	RegQueueDeviceLow    Reg = 0x0a0 // W: device area (used ring)
	RegQueueDeviceHigh   Reg = 0x0a4
	RegConfigGeneration  Reg = 0x0fc // R: changes when the config space changes (§2.5.1)
	RegConfig            Reg = 0x100 // device-specific configuration space (§5.2.4 for block)

	// WindowSize is the extent of one transport's registers as both
	// boards lay them out (QEMU hw/i386/microvm.c, hw/arm/virt.c: 0x200
	// apart).
	WindowSize = 0x200
)

// Identification values (virtio spec §4.2.2, §5).
const (
	mmioMagic         = 0x74726976 // "virt" in little-endian ASCII
	mmioVersionModern = 2
	mmioVersionLegacy = 1
	deviceIDNone      = 0 // a transport slot with no device behind it (§4.2.3.1.1)
	deviceIDBlock     = 2 // block device (§5.2.1)
)

// Device status bits (virtio spec §2.1 "Device Status Field").
const (
	statusAcknowledge = 1   // the guest noticed the device
	statusDriver      = 2   // the guest knows how to drive it
	statusDriverOK    = 4   // the driver is ready
	statusFeaturesOK  = 8   // feature negotiation is complete
	statusNeedsReset  = 64  // the device hit an error it cannot recover from
	statusFailed      = 128 // the driver gave up on the device
)

// Feature bits (virtio spec §2.2 "Feature Bits"): bits 0-23 are device
// type specific, 24-40 are transport and queue features (§6 "Reserved
// Feature Bits").
const (
	featureVersion1 = 1 << 32 // VIRTIO_F_VERSION_1: the modern interface (§6)

	blkFeatureSizeMax = 1 << 1 // VIRTIO_BLK_F_SIZE_MAX: size_max bounds one segment (§5.2.3)
	blkFeatureSegMax  = 1 << 2 // VIRTIO_BLK_F_SEG_MAX: seg_max bounds segments per request
	blkFeatureRO      = 1 << 5 // VIRTIO_BLK_F_RO: the disk is read-only
	blkFeatureBlkSize = 1 << 6 // VIRTIO_BLK_F_BLK_SIZE: blk_size is the optimal block size
	blkFeatureFlush   = 1 << 9 // VIRTIO_BLK_F_FLUSH: VIRTIO_BLK_T_FLUSH is supported
)
