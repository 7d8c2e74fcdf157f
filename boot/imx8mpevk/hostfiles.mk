# Host files on the i.MX 8M Plus EVK (HOSTFILES_MK_imx8mpevk), included
# last by the Makefile with KERNEL_CMDLINE, RUN_FILE and PROGRAMS set.
#
# The board has no fw_cfg. The kernel command line and RUN's file go into a
# boot-files archive (boot/bootfiles: opt/tamach/cmdline, opt/tamach/run)
# that QEMU's generic loader puts at 0x50000000 (memmap.go BootFilesBase;
# QEMU docs/system/generic-loader.rst: file=, addr=, force-raw=on loads
# the file as it is, without setting the PC), where U-Boot's load puts
# the same file on the real board. The archive's name carries a checksum
# of what it holds, so runs with different command lines never share one.
IMX_BOOTFILES_ADDR := 0x50000000

ifneq ($(KERNEL_CMDLINE)$(RUN_FILE),)
IMX_BOOTFILES := $(KBUILD)/bootfiles-$(shell printf '%s\n%s' '$(KERNEL_CMDLINE)' '$(abspath $(RUN_FILE))' | cksum | cut -d' ' -f1).tar
QEMU_ARGS += -device loader,file=$(IMX_BOOTFILES),addr=$(IMX_BOOTFILES_ADDR),force-raw=on

$(IMX_BOOTFILES): $(TOOLS)/mkimage $(RUN_FILE)
	@mkdir -p $(dir $@)
	@$(TOOLS)/mkimage -bootfiles $@ -cmdline '$(KERNEL_CMDLINE)' $(if $(RUN_FILE),-run $(RUN_FILE))

qemu qemu-gdb: $(IMX_BOOTFILES)
endif

# The program disk as an SD card: a copy of $(PROGRAMS) padded with
# zeroes to a power of two (qemu.mk, imx_sd_image), remade when the
# archive changes.
ifneq ($(PROGRAMS),)
IMX_SD_PROGRAMS := $(call imx_sd_image,$(PROGRAMS),programs)

$(IMX_SD_PROGRAMS): $(PROGRAMS)
	@mkdir -p $(dir $@)
	@s=$$(stat -c %s $<); p=4096; while [ $$p -lt $$s ]; do p=$$((p * 2)); done; \
		cp $< $@.$$$$ && truncate -s $$p $@.$$$$ && mv -f $@.$$$$ $@

qemu qemu-gdb: $(IMX_SD_PROGRAMS)
endif

# IMX_BIN=1 boots the flat image (qemu.mk): make image first, unless
# NOBUILD says the image is there.
ifneq ($(IMX_BIN),)
ifeq ($(NOBUILD),)
qemu qemu-gdb: image-imx8mpevk
endif
endif
