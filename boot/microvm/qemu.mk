# QEMU invocation for the amd64 kernel (boot/microvm), used by the Makefile
# as $(QEMU_microvm) $(QEMU_FLAGS_microvm) -kernel ELF [disks] [-icount ...]
# [-fw_cfg ...]. Disks are virtio-blk on virtio-mmio (boot/virtio/disk.mk);
# the command line and RUN's file come in fw_cfg files
# (boot/fwcfg/hostfiles.mk).
#
# -machine microvm (QEMU docs/system/i386/microvm.rst):
#   acpi=on       the ACPI GED, whose sleep register powers off (exit 0),
#                 and the second IOAPIC
# -bios qboot.rom: qboot (shipped with QEMU) as firmware. It reads the
#   kernel from fw_cfg and enters the ELF's PVH entry point itself, and it
#   prints nothing. SeaBIOS, microvm's default with acpi=on, also boots
#   tamach, but from QEMU 9 on it writes its banner and terminal escapes to
#   COM1, in front of the kernel's first line.
#   pit=on        the i8254 PIT, the reference clock of the TSC calibration
#   pic=off       no 8259: PIT interrupts must not reach the CPU
#   rtc=on        the MC146818 RTC (wall-clock time, for later)
#   isa-serial=on COM1, the console
# -accel tcg -cpu max: every feature TCG emulates, RDRAND included (TamaGo's
#   runtime RNG executes RDRAND before any board code can check for it).
# -m 1G: 256 MiB Go heap, 752 MiB page-frame pool (boot/microvm/layout.go).
# -no-reboot: a triple fault stops QEMU instead of resetting (with status 0:
#   boot tests must check the console, not only the status).
# isa-debug-exit at 0xf4: Board.Fail and panics exit with (code<<1)|1:
#   3 for Board.Fail, 5 after a Go panic (runtime exit code 2), 129 after a
#   CPU exception (code 64), 2n+1 for os.Exit(n).
# virtio-mmio.force-legacy=false: virtio 1.x (modern) virtio-mmio transports.
QEMU_microvm         := qemu-system-x86_64
QEMU_MACHINE_microvm := microvm
QEMU_DISK_microvm    := qemu_disk_virtio
HOSTFILES_MK_microvm := boot/fwcfg/hostfiles.mk
QEMU_FLAGS_microvm   := \
	-machine microvm,acpi=on,pit=on,pic=off,rtc=on,isa-serial=on \
	-bios qboot.rom \
	-accel tcg -cpu max -smp 1 -m 1G \
	-global virtio-mmio.force-legacy=false \
	-nographic -monitor none -serial stdio \
	-no-reboot \
	-device isa-debug-exit,iobase=0xf4,iosize=0x04
