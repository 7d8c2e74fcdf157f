# Build flags for the amd64 kernel on QEMU microvm (boot/microvm), used by
# the Makefile as
#   GOOS=tamago GOARCH=amd64 GOOSPKG=github.com/usbarmory/tamago \
#     go tool tamago build -tags '$(TAGS_microvm)' -ldflags '$(LDFLAGS_microvm) ...'
# GOFLAGS_microvm is the same as one string of go build flags.
#
# linkramstart: the board (boot/microvm/hook_ram.go) defines
#     runtime/goos.RamStart, instead of TamaGo's amd64 package.
# -T 0x1010000: text starts at ramStart+imageOffset = 16 MiB + 64 KiB
#     (boot/microvm/layout.go, checked at boot); the ELF file and program
#     headers land in the page below it.
# -R 0x1000: segments are 4 KiB aligned.
# The entry point stays the linker's default, _rt0_amd64_tamago, which jumps
# to TamaGo's cpuinit; the TamaGo linker also records it in the ELF note
# XEN_ELFNOTE_PHYS32_ENTRY that QEMU's PVH loader enters in 32-bit protected
# mode (docs/boot-amd64.md).
ARCH_microvm    := amd64
TAGS_microvm    := linkramstart
LDFLAGS_microvm := -T 0x1010000 -R 0x1000
GOFLAGS_microvm := -tags $(TAGS_microvm) -ldflags '$(LDFLAGS_microvm)'
