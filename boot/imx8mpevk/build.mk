# Build flags for the arm64 kernel on the NXP i.MX 8M Plus EVK
# (boot/imx8mpevk), used by the Makefile as
#   GOOS=tamago GOARCH=arm64 GOOSPKG=github.com/usbarmory/tamago \
#     go tool tamago build -tags '$(TAGS_imx8mpevk)' -ldflags '$(LDFLAGS_imx8mpevk) ...'
# GOFLAGS_imx8mpevk is the same as one string of go build flags.
#
# imx8mpevk: cmd/tamach/board_imx8mpevk.go picks this board (and
#     board_arm64.go, virt, steps aside).
# linkcpuinit: the board (cpuinit_arm64.s) supplies cpuinit, the symbol
#     runtime/goos.CPUInit jumps to; TamaGo's arm64 package is not linked.
#     The board imports neither TamaGo's board/nxp/imx8mpevk nor
#     soc/nxp/imx8mp, so their linkramsize and linkprintk tags do not apply:
#     the board sets runtime/goos.RamSize itself (256 MiB, hook_ram_arm64.go).
# -T 0x40201000: text starts at TextBase = RAM base + 2 MiB + 4 KiB
#     (memmap.go, checked at boot); the ELF headers land in the page below,
#     so the image's lowest address is 0x40200000.
# -R 0x1000: segments are 4 KiB aligned.
# -E _rt0_arm64_tamago: the runtime's entry, which branches to cpuinit
#     through runtime/goos.CPUInit; U-Boot's bootelf enters here too.
ARCH_imx8mpevk    := arm64
TAGS_imx8mpevk    := linkcpuinit imx8mpevk
LDFLAGS_imx8mpevk := -T 0x40201000 -R 0x1000 -E _rt0_arm64_tamago
GOFLAGS_imx8mpevk := -tags '$(TAGS_imx8mpevk)' -ldflags '$(LDFLAGS_imx8mpevk)'

# make image BOARD=imx8mpevk [CMDLINE=...] [RUN=file]: what the EVK's U-Boot
# loads (docs/boards.md):
#   build/imx8mpevk/tamach.elf     for bootelf (load it at 0x60000000)
#   build/imx8mpevk/tamach.bin     for go: the memory image from 0x40200000,
#                                  bss zeroed; mkimage prints the entry
#   build/imx8mpevk/tamach.entry   that entry, for go and for IMX_BIN=1
#   build/imx8mpevk/bootfiles.tar  the command line (default: tasks, as
#                                  make qemu) and RUN's ELF, for 0x50000000
#   build/arm64/programs.tar       the program disk, for an SD card or a
#                                  partition of one
IMAGE_BOARDS += imx8mpevk

.PHONY: image-imx8mpevk
image-imx8mpevk: kernel $(TOOLS)/mkimage
	$(TOOLS)/mkimage -elf $(ELF) -bin $(KBUILD)/tamach.bin -entry $(KBUILD)/tamach.entry
	$(TOOLS)/mkimage -bootfiles $(KBUILD)/bootfiles.tar -cmdline '$(KERNEL_CMDLINE)' $(if $(RUN_FILE),-run $(RUN_FILE))
	@echo "image: $(ELF) (bootelf), $(KBUILD)/tamach.bin (go), $(KBUILD)/bootfiles.tar (cmdline \"$(KERNEL_CMDLINE)\": load at 0x50000000), $(PROGRAMS_TAR) (program disk); docs/boards.md"

# cmd/mkimage, the host tool behind make image and the boot-files archive
# make qemu loads (hostfiles.mk).
$(TOOLS)/mkimage: $(wildcard cmd/mkimage/*.go boot/bootfiles/*.go)
	@mkdir -p $(TOOLS)
	$(GO) build -o $@ ./cmd/mkimage
