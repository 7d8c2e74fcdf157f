# QEMU flags that attach a raw disk image as a virtio block device
# (boot/virtio), for the Makefile to append to the QEMU command line of
# either board when DISK is set:
#
#   make qemu ARCH=amd64|arm64 DISK=/tmp/disk.img [DISK_RO=1]
#
# Make an image with: qemu-img create -f raw /tmp/disk.img 16M
#
# -drive if=none,format=raw,id=disk0: the image, not attached to any bus
#   by itself; cache=writeback (QEMU's default) gives the device a volatile
#   write cache, so the guest sees VIRTIO_BLK_F_FLUSH (QEMU
#   hw/block/virtio-blk.c, "config-wce").
# -device virtio-blk-device,drive=disk0: a virtio block device on the
#   board's virtio-mmio bus (microvm: slots at 0xfeb00000; virt: slots at
#   0x0a000000, filled from the top, the first at 0x0a003e00).
# -global virtio-mmio.force-legacy=false: modern (version 2) transports;
#   QEMU's default is legacy (version 1), which the driver refuses. microvm's
#   qemu.mk already sets it, virt's does not.
# DISK_RO=1 adds readonly=on: the device offers VIRTIO_BLK_F_RO and the
#   boot self-check only reads.
# DISK_BLKDEBUG=rules.conf puts QEMU's blkdebug driver between the disk and
#   its image (QEMU docs/devel/blkdebug.rst): the rules file injects I/O
#   errors on chosen events (read_aio, write_aio) and sectors, so the
#   kernel meets a failing disk (docs/pager.md, "A failing disk";
#   qemu/testdata/blkdebug/ has examples).
DISK          ?=
DISK_RO       ?=
DISK_BLKDEBUG ?=
virtio_comma := ,

QEMU_DISK_FLAGS :=
ifneq ($(DISK),)
QEMU_DISK_FLAGS := -drive file=$(if $(DISK_BLKDEBUG),blkdebug:$(DISK_BLKDEBUG):)$(DISK),if=none,format=raw,id=disk0$(if $(DISK_RO),$(virtio_comma)readonly=on) \
	-device virtio-blk-device,drive=disk0 \
	-global virtio-mmio.force-legacy=false
endif
