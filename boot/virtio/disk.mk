# How a disk image reaches a board with virtio-mmio (microvm, virt), and
# DISK=image, which attaches a raw disk image to any board:
#
#   make qemu DISK=/tmp/disk.img [DISK_RO=1]
#
# Make an image with: qemu-img create -f raw /tmp/disk.img 16M
#
# $(call qemu_disk_virtio,FILE,ROLE,MODE,BLKDEBUG), the QEMU_DISK_<board> of the
# virtio boards (the Makefile's qemu_disk):
# -drive if=none,format=raw,id=ROLE: the image, not attached to any bus
#   by itself; cache=writeback (QEMU's default) gives the device a volatile
#   write cache, so the guest sees VIRTIO_BLK_F_FLUSH (QEMU
#   hw/block/virtio-blk.c, "config-wce"). MODE ro adds readonly=on (the
#   device offers VIRTIO_BLK_F_RO), snapshot adds snapshot=on.
# -device virtio-blk-device,drive=ROLE: a virtio block device on the
#   board's virtio-mmio bus (microvm: slots at 0xfeb00000; virt: slots at
#   0x0a000000, filled from the top, the first at 0x0a003e00), in the order
#   of the flags: DISK, the program disk, the swap disk.
# -global virtio-mmio.force-legacy=false: modern (version 2) transports;
#   QEMU's default is legacy (version 1), which the driver refuses. microvm's
#   qemu.mk already sets it, virt's does not.
# DISK_RO=1 attaches DISK read-only (MODE ro): the boot self-check only
#   reads.
# DISK_BLKDEBUG=rules.conf puts QEMU's blkdebug driver between the disk and
#   its image (QEMU docs/devel/blkdebug.rst): the rules file injects I/O
#   errors on chosen events (read_aio, write_aio) and sectors, so the
#   kernel meets a failing disk (docs/pager.md, "A failing disk";
#   qemu/testdata/blkdebug/ has examples). It is the fourth argument of
#   qemu_disk, BLKDEBUG, and works on every board.
# DISK_OPTS=opts adds -drive options to DISK (the fifth argument of
#   qemu_disk; virtio boards). With QEMU's I/O throttling (QEMU docs,
#   "Disk I/O limits": bps, bps_max, bps_max_length) it makes a disk that
#   stops answering: DISK_OPTS=bps=1024,bps_max=1048576,bps_max_length=1
#   lets 1 MiB through at full speed, then takes 4 s per 4 KiB page,
#   longer than the driver waits (boot/virtio/probe.go DefaultTimeout).
virtio_comma := ,
virtio_mode_ro       := $(virtio_comma)readonly=on
virtio_mode_snapshot := $(virtio_comma)snapshot=on
qemu_disk_virtio = -drive file=$(call qemu_blkdebug,$4)$1,if=none,format=raw,id=$2$(virtio_mode_$3)$(if $5,$(virtio_comma)$5) \
	-device virtio-blk-device,drive=$2 \
	-global virtio-mmio.force-legacy=false

DISK          ?=
DISK_RO       ?=
DISK_BLKDEBUG ?=
DISK_OPTS     ?=

QEMU_DISK_FLAGS :=
ifneq ($(DISK),)
QEMU_DISK_FLAGS := $(call qemu_disk,$(DISK),disk0,$(if $(DISK_RO),ro),$(DISK_BLKDEBUG),$(DISK_OPTS))
endif
