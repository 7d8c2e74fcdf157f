# Build flags for the arm64 kernel on QEMU virt (boot/virt), used by the
# Makefile as
#   GOOS=tamago GOARCH=arm64 GOOSPKG=github.com/usbarmory/tamago \
#     go tool tamago build -tags '$(TAGS_virt)' -ldflags '$(LDFLAGS_virt) ...'
# GOFLAGS_virt is the same as one string of go build flags.
#
# linkcpuinit: the board (boot/virt/cpuinit_arm64.s) supplies cpuinit, the
#     symbol runtime/goos.CPUInit jumps to; TamaGo's arm64 package, whose
#     cpuinit only runs at EL3, is not linked either way.
# -T 0x40201000: text starts at TextBase = RAM base + 2 MiB + 4 KiB
#     (boot/virt/memmap.go, checked at boot); the ELF headers land in the
#     page below it, so the image's lowest address is 0x40200000 and QEMU
#     puts its 1 MiB device tree at 0x40000000 (docs/boot-arm64.md).
# -R 0x1000: segments are 4 KiB aligned.
# -E _rt0_arm64_tamago: the runtime's entry, which branches to cpuinit
#     through runtime/goos.CPUInit (also the linker's default).
ARCH_virt    := arm64
TAGS_virt    := linkcpuinit
LDFLAGS_virt := -T 0x40201000 -R 0x1000 -E _rt0_arm64_tamago
GOFLAGS_virt := -tags $(TAGS_virt) -ldflags '$(LDFLAGS_virt)'
