# A backing store for the default pager (vm/defpager) when make qemu is
# given no DISK: the kernel pages anonymous memory out to the board's first
# disk that is not the program disk (docs/pager.md). Included by the
# Makefile after QEMU_ARGS is set, because it appends to it; the board's
# qemu_disk attaches it (a virtio disk, or an SD card on the i.MX 8M Plus
# EVK).
#
#   make qemu                  attaches build/<arch>/swap-64M.img (made once with qemu-img)
#   make qemu SWAP=16M         ... a 16 MiB one (any qemu-img size)
#   make qemu SWAP=            no swap disk: anonymous memory stays in RAM
#   make qemu DISK=img         the given image instead (SWAP is ignored)
#
# The image is made once per size with `qemu-img create -f raw` (QEMU docs,
# "qemu-img create") under a temporary name, then renamed, so that two runs
# making it at once do not truncate it under each other's QEMU; it is attached with snapshot=on (qemu-options: "-drive
# snapshot=on"): QEMU opens it read-only with a shared lock and sends the
# guest's writes to a temporary overlay it deletes at exit, so several QEMU
# runs (parallel test runs of one tree) can use the same image, and paging
# never writes to it. Swap holds nothing that outlives the kernel.
SWAP ?= 64M

SWAP_IMG :=
ifeq ($(DISK),)
ifneq ($(SWAP),)
SWAP_IMG := $(BUILD)/swap-$(SWAP).img
QEMU_ARGS += $(call qemu_disk,$(SWAP_IMG),swap0,snapshot)
endif
endif

qemu qemu-gdb: $(SWAP_IMG)

$(BUILD)/swap-%.img:
	@command -v qemu-img >/dev/null || { echo "missing: qemu-img: install it with 'apt-get install qemu-utils'"; exit 1; }
	@mkdir -p $(BUILD)
	qemu-img create -q -f raw $@.$$$$ $* && mv -f $@.$$$$ $@
