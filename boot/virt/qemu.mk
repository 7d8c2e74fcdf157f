# QEMU invocation for the arm64 kernel (boot/virt), used by the Makefile as
# $(QEMU_virt) $(QEMU_FLAGS_virt) -kernel ELF [disks] [-icount ...]
# [-fw_cfg ...]. Disks are virtio-blk on virtio-mmio (boot/virtio/disk.mk);
# the command line and RUN's file come in fw_cfg files
# (boot/fwcfg/hostfiles.mk).
#
# -machine virt,gic-version=3 (QEMU docs/system/arm/virt.rst): PL011 UART,
#   GICv3 with the system-register CPU interface (the board's driver and
#   its interrupt self-check), fw_cfg, virtio-mmio. $(VIRT_MACHINE_OPTS)
#   appends machine options; VIRT_EL picks the exception level QEMU starts
#   the kernel at (the board drops to EL1 from any of them):
#     VIRT_EL=1  (default)               EL1; PSCI over HVC powers off
#     VIRT_EL=2  virtualization=on       EL2; PSCI over SMC powers off
#     VIRT_EL=3  secure=on               EL3; semihosting powers off
#   (VIRT_EL=3 with VIRT_MACHINE_OPTS=,virtualization=on also works: EL3
#   and EL2 both present.)
# -cpu max: FEAT_RNG (RNDR) for the runtime's random numbers, and every
#   EL the machine options ask for.
# -m 1G: 256 MiB Go heap, 16 MiB DMA, 752 MiB page-frame pool; the plan
#   needs at least 288 MiB (boot/virt/memmap.go).
# -smp 1: the kernel runs one CPU.
# -nodefaults -display none -monitor none -serial stdio: the PL011 is the
#   only console, on stdout.
# -semihosting-config enable=on,target=native: Board.Fail, panics (status
#   2), CPU exception reports (status 3) and the EL3 power-off exit QEMU
#   through semihosting SYS_EXIT_EXTENDED.
VIRT_EL           ?= 1
VIRT_MACHINE_OPTS ?=
# VIRT_CPU picks the CPU model: max has FEAT_HAFDBS; cortex-a72 has not, so
# pmap/arm64 emulates the Access flag and dirty state in software.
VIRT_CPU          ?= max
VIRT_EL_OPTS_1    :=
VIRT_EL_OPTS_2    := ,virtualization=on
VIRT_EL_OPTS_3    := ,secure=on
ifeq ($(filter $(VIRT_EL),1 2 3),)
$(error VIRT_EL must be 1, 2 or 3, not "$(VIRT_EL)")
endif

QEMU_virt         := qemu-system-aarch64
QEMU_MACHINE_virt := virt
QEMU_DISK_virt    := qemu_disk_virtio
HOSTFILES_MK_virt := boot/fwcfg/hostfiles.mk
QEMU_FLAGS_virt   := -machine virt,gic-version=3$(VIRT_EL_OPTS_$(VIRT_EL))$(VIRT_MACHINE_OPTS) \
	-cpu $(VIRT_CPU) -m 1G -smp 1 \
	-nodefaults -display none -monitor none -serial stdio \
	-semihosting-config enable=on,target=native
