//go:build tamago && amd64

package microvm

import "github.com/tamach/tamach/boot/virtio"

// disks are the virtio block devices behind microvm's virtio-mmio slots
// (board.go: virtioMMIOBase, 24 slots with acpi=on), probed on first use:
// Board.Disks and the "virtio-blk" self-check. The rings and request
// buffers come from the DMA region init.go hands to TamaGo's dma package.
// QEMU attaches a disk with boot/virtio/disk.mk's flags.
var disks = virtio.Disks{Config: func() virtio.Config {
	return virtio.Config{
		Windows:  virtio.MMIOWindows(virtioMMIOBase, virtioMMIOStride, virtioMMIOCount),
		DMA:      virtio.GlobalDMA,
		Nanotime: nanotime,
	}
}}
