//go:build tamago

package virt

import (
	"github.com/tamach/tamach/boot/virtio"

	"github.com/tamach/tamach/boot/armv8"
)

// disks are the virtio block devices behind virt's 32 virtio-mmio slots
// (memmap.go: VirtioBase, VirtioSlot, VirtioSlots; QEMU fills them from the
// top, so the first disk is at 0x0a003e00), probed on first use:
// Board.Disks and the "virtio-blk" self-check. The rings and request
// buffers come from the DMA region initBoard hands to TamaGo's dma package.
// QEMU attaches a disk with boot/virtio/disk.mk's flags, which also turn
// off virt's default legacy virtio-mmio.
var disks = virtio.Disks{Config: func() virtio.Config {
	return virtio.Config{
		Windows:  virtio.MMIOWindows(virtio.PAddr(VirtioBase), VirtioSlot, VirtioSlots),
		DMA:      virtio.GlobalDMA,
		Nanotime: armv8.Nanotime,
	}
}}
