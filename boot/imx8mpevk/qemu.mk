# QEMU invocation for the arm64 kernel on QEMU's emulation of the NXP
# i.MX 8M Plus EVK (boot/imx8mpevk), used by the Makefile as
# $(QEMU_imx8mpevk) $(QEMU_FLAGS_imx8mpevk) -kernel ELF [SD cards]
# [-icount ...] [-device loader,... boot files].
#
# -machine imx8mp-evk (QEMU docs/system/arm/imx8mp-evk.rst; QEMU 9.2 or
#   later): four Cortex-A53 (one started: -smp 1), GICv3 without security
#   extensions, UART1-4, WDOG1-3, uSDHC1-3. QEMU loads the ELF and starts
#   the CPU at its entry at EL3 with the MMU off; it passes no device tree.
#   IMX_EL picks the EL QEMU starts at (the board drops to EL1 from any):
#     IMX_EL=3  (default)   EL3: semihosting ends QEMU
#     IMX_EL=2  has_el3=off EL2, as U-Boot leaves the real board: PSCI over
#                           SMC (QEMU's PSCI emulation) powers off
# -accel tcg: TCG, as on every board.
# -m 1G: the board's fixed RAM plan uses 1 GiB from 0x40000000
#   (memmap.go); the machine accepts up to 8G.
# -nodefaults -display none -monitor none -serial null -serial stdio: UART2
#   (QEMU's second serial port; the EVK's console) is the console, on
#   stdout, as in QEMU's docs/system/arm/imx8mp-evk.rst. UART1 goes nowhere.
# -semihosting-config enable=on,target=native: Board.Fail, panics (status
#   2), exception reports (status 3) and the EL3 power-off exit QEMU through
#   semihosting SYS_EXIT_EXTENDED. IMX_SEMIHOSTING=off leaves it out, as on
#   a board without a debugger: the kernel then resets the SoC through the
#   watchdog, which (with -no-reboot) ends QEMU with status 0 whatever
#   happened.
# -nic user,model=imx.enet,restrict=on: the SoC always has ENET1; the kernel
#   does not use it, and a restricted user-mode backend (no host access)
#   only keeps QEMU from warning that the NIC has no peer.
# -no-reboot: a reset (the watchdog fallback, when semihosting is off) ends
#   QEMU instead of starting over.
imx_comma       := ,
IMX_EL          ?= 3
IMX_SEMIHOSTING ?= on
IMX_EL_OPTS_3 :=
IMX_EL_OPTS_2 := -global cortex-a53-arm-cpu.has_el3=off
ifeq ($(filter $(IMX_EL),2 3),)
$(error IMX_EL must be 2 or 3, not "$(IMX_EL)")
endif

QEMU_imx8mpevk         := qemu-system-aarch64
QEMU_MACHINE_imx8mpevk := imx8mp-evk
QEMU_SINCE_imx8mpevk   := 9.2
QEMU_DISK_imx8mpevk    := qemu_disk_imx8mpevk
HOSTFILES_MK_imx8mpevk := boot/imx8mpevk/hostfiles.mk
QEMU_FLAGS_imx8mpevk   := -machine imx8mp-evk -accel tcg -m 1G -smp 1 \
	-nodefaults -display none -monitor none -serial null -serial stdio \
	$(if $(filter on,$(IMX_SEMIHOSTING)),-semihosting-config enable=on$(imx_comma)target=native) -no-reboot \
	-nic user,model=imx.enet,restrict=on \
	$(IMX_EL_OPTS_$(IMX_EL))

# Disks are SD cards (-drive if=sd,bus=N: QEMU hw/arm/imx8mp-evk.c puts
# the card of bus N on uSDHC N+1): the program disk in the EVK's microSD slot
# (uSDHC2), DISK or the swap disk where the EVK has its eMMC (uSDHC3).
# QEMU's SD card refuses read-only drives and sizes that are not a power
# of two (hw/sd/sd.c, sd_realize): mode ro becomes snapshot=on (the guest
# may write, QEMU drops it at exit), and the program disk is attached as a
# copy padded to a power of two (imx_sd_image, made in hostfiles.mk). DISK
# images must be a power of two in size themselves (qemu-img resize).
IMX_SD_INDEX_programs := 1
IMX_SD_INDEX_disk0    := 2
IMX_SD_INDEX_swap0    := 2
imx_sd_comma          := ,
imx_sd_mode_ro        := $(imx_sd_comma)snapshot=on
imx_sd_mode_snapshot  := $(imx_sd_comma)snapshot=on
imx_sd_image = $(if $(filter programs,$2),$(KBUILD)/sd-programs-$(shell printf '%s' '$(abspath $1)' | cksum | cut -d' ' -f1).img,$1)
qemu_disk_imx8mpevk = -drive file=$(call qemu_blkdebug,$4)$(call imx_sd_image,$1,$2),if=sd,bus=$(IMX_SD_INDEX_$2),id=sd-$2,format=raw$(imx_sd_mode_$3)

# IMX_BIN=1 boots build/imx8mpevk/tamach.bin (make image) the way U-Boot's
# go command does, without an ELF loader: QEMU's generic loader puts the
# flat image at 0x40200000 and another sets CPU 0's PC to the entry that
# make image wrote to tamach.entry (QEMU docs/system/generic-loader.rst,
# "Setting a CPU's Program Counter"). With IMX_EL=2 the CPU starts at EL2,
# as U-Boot leaves it.
IMX_BIN ?=
ifneq ($(IMX_BIN),)
QEMU_KERNEL_imx8mpevk = -device loader,file=$(KBUILD)/tamach.bin,addr=0x40200000,force-raw=on \
	-device loader,addr=$(shell cat $(KBUILD)/tamach.entry 2>/dev/null),cpu-num=0
endif
