// Package virtio drives virtio block devices over the virtio-mmio transport,
// modern (version 2) interface, on both QEMU boards (amd64 microvm, arm64
// virt). References are to the OASIS "Virtual I/O Device (VIRTIO) Version
// 1.2" specification; docs/virtio.md draws the layouts.
//
// The package is split the way the hardware is:
//
//   - regs.go: the virtio-mmio register window (§4.2.2), the device status
//     bits (§2.1) and the feature bits (§2.2, §6, §5.2.3);
//   - transport.go: discovery (§4.2.3.1) and the initialization sequence
//     (§3.1.1), feature negotiation, queue setup (§4.2.3.2), notification;
//   - queue.go: one split virtqueue (§2.7) in DMA memory;
//   - block.go: the block device (§5.2): capacity, 4 KiB page reads and
//     writes, flush, and errors for every way a request can fail;
//   - probe.go, disks.go: scanning a board's transport slots, and the
//     per-board set of disks with its boot self-check (check.go).
//
// Register layouts and descriptor encodings are plain Go, tested on the
// host against a fake device that consumes the virtqueue as §2.7 says a
// device does. Only the MMIO accesses and the TamaGo DMA allocator are in
// files built for GOOS=tamago (mmio_tamago*.go/.s, dma_tamago.go).
//
// Completion is polled, not interrupt driven: see (*Block).wait.
package virtio
