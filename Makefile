# tamach: build, run and test.
#
#   make qemu [BOARD=...|ARCH=...] [CMDLINE='...'] [ICOUNT=1] [DISK=img] [RUN=name]   build and boot under QEMU
#   make test                                                 every test: host, then QEMU boot tests
#   make kernel [BOARD=...|ARCH=...]                          the kernel ELF (build/<arch>/ or build/<board>/tamach.elf)
#   make shell [BOARD=...|ARCH=...]                           make qemu CMDLINE=shell: the console shell (docs/shell.md)
#   make qemu-gdb [BOARD=...|ARCH=...] [GDBPORT=1234]         boot halted, waiting for gdb (docs/debugging.md)
#   make image BOARD=imx8mpevk                                what the board's U-Boot loads (docs/boards.md)
#   make labs | grade LAB=NAME | lab-skeleton LAB=NAME DEST=dir   coursework labs (docs/labs)
#   make bench [ARCH=...] [LINUX=1]                          the benchmark table, in guest instructions (docs/performance.md)
#   make bench-linux [ARCH=...]                               ... with Debian's Linux running the same program
#   make profile RUN=prog [ARCH=...]                         where the machine spends its time running prog, by kernel function
#   make count RUN=prog AT=function [SKIP=n] [N=traps] [FROM_AT=1]  exact instructions of whole traps, by kernel function
#
# BOARD picks the machine (boot/<board>/) and ARCH follows from it. Without
# BOARD, ARCH picks its default board: microvm for amd64 (the default), virt
# for arm64. Each board's build.mk and qemu.mk say how to build and boot it.
#
# The kernel is built with the TamaGo Go distribution that go.mod's tamago
# module pairs with; `go tool tamago` runs it from the user cache directory.

CMDLINE ?=
ICOUNT  ?=

GO      ?= go
VERSION := $(shell git describe --always --dirty 2>/dev/null || echo dev)

# The boards: each has boot/<board>/build.mk (ARCH_<board>, TAGS_<board>,
# LDFLAGS_<board>) and boot/<board>/qemu.mk (QEMU_<board>,
# QEMU_FLAGS_<board>, QEMU_MACHINE_<board>, how disks and host files reach
# it).
BOARDS              := microvm virt imx8mpevk
DEFAULT_BOARD_amd64 := microvm
DEFAULT_BOARD_arm64 := virt

# Host tools (cmd/), built once into build/tools/.
TOOLS := build/tools

include $(foreach b,$(BOARDS),boot/$(b)/build.mk)

ifneq ($(BOARD),)
ifeq ($(filter $(BOARD),$(BOARDS)),)
$(error BOARD must be one of $(BOARDS), not "$(BOARD)")
endif
ifeq ($(origin ARCH),command line)
ifneq ($(filter-out $(ARCH_$(BOARD)),$(ARCH)),)
$(error BOARD=$(BOARD) is $(ARCH_$(BOARD)), not ARCH=$(ARCH): give one of them)
endif
endif
override ARCH := $(ARCH_$(BOARD))
else
ARCH  ?= amd64
ifeq ($(filter $(ARCH),amd64 arm64),)
$(error ARCH must be amd64 or arm64, not "$(ARCH)")
endif
BOARD := $(DEFAULT_BOARD_$(ARCH))
endif

# build/<arch>/ holds what every board of an architecture shares (tasks,
# the program disk, swap images) and the default board's kernel, as it
# always has; another board's kernel (and its image files) goes to
# build/<board>/, so that building one board never overwrites another's.
BUILD  := build/$(ARCH)
KBUILD := $(if $(filter $(BOARD),$(DEFAULT_BOARD_$(ARCH))),$(BUILD),build/$(BOARD))
ELF    := $(KBUILD)/tamach.elf

# The TamaGo toolchain: tamago-go<version of the tamago module>, where
# `go tool tamago` (github.com/usbarmory/tamago/cmd/tamago) looks for it.
TAMAGO_VERSION := $(patsubst v%,%,$(shell $(GO) list -m -f '{{.Version}}' github.com/usbarmory/tamago 2>/dev/null))
TAMAGO_GOROOT  := $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/tamago-go/tamago-go$(TAMAGO_VERSION)

# `go tool -n tamago` names the tool's binary; it is run directly because the
# host go command refuses GOOS=tamago before it would start the tool.
TAMAGO     := $(shell $(GO) tool -n tamago 2>/dev/null)
TAMAGO_ENV := GOOS=tamago GOARCH=$(ARCH) GOOSPKG=github.com/usbarmory/tamago GOTOOLCHAIN=local

# QEMU invocation of each board, and how a disk is attached to it:
# $(call qemu_disk,FILE,ROLE,MODE[,BLKDEBUG]) with ROLE programs, disk0 or
# swap0, MODE empty (writable), ro (the guest may not write) or snapshot
# (writes go to a temporary overlay QEMU drops at exit), BLKDEBUG an
# optional blkdebug rules file (boot/virtio/disk.mk) that makes the disk
# fail, and OPTS more -drive options (virtio boards only; DISK_OPTS).
qemu_disk = $(call $(QEMU_DISK_$(BOARD)),$1,$2,$3,$4,$5)
qemu_blkdebug = $(if $1,blkdebug:$1:)
include $(foreach b,$(BOARDS),boot/$(b)/qemu.mk)
# DISK=image attaches a raw disk image (boot/virtio/disk.mk).
include boot/virtio/disk.mk

QEMU := $(QEMU_$(BOARD))

# QEMU_EXTRA: more QEMU arguments, last (make profile adds a monitor).
QEMU_EXTRA ?=

# How QEMU gets the kernel: -kernel ELF, unless the board says otherwise
# (QEMU_KERNEL_<board>: the i.MX 8M Plus EVK's IMX_BIN=1).
QEMU_ARGS := $(QEMU_FLAGS_$(BOARD)) $(or $(QEMU_KERNEL_$(BOARD)),-kernel $(ELF)) $(QEMU_DISK_FLAGS)
ifneq ($(ICOUNT),)
# One guest instruction per virtual nanosecond: deterministic counts.
QEMU_ARGS += -icount shift=0,sleep=off
endif

.PHONY: all kernel qemu shell qemu-gdb image image-none test deps-soft check-toolchain check-qemu vet print-tags print-arch print-board print-goroot print-qemu print-qemu-flags print-qemu-machine print-qemu-since print-elf clean labs grade lab-skeleton

all: kernel

kernel: check-toolchain
	@mkdir -p $(KBUILD)
	$(TAMAGO_ENV) $(TAMAGO) build -tags '$(TAGS_$(BOARD))' \
		-ldflags '$(LDFLAGS_$(BOARD)) -X github.com/tamach/tamach/kernel.Version=$(VERSION)' \
		-o $(ELF) ./cmd/tamach

# NOBUILD=1 boots the image already in build/ (the test harness builds
# each board once, then boots it many times).
qemu: check-qemu $(if $(NOBUILD),,kernel)
	@test -f $(ELF) || { echo "missing: $(ELF): run make kernel BOARD=$(BOARD)"; exit 1; }
	@test -z "$(PROGRAMS)" -o -f "$(PROGRAMS)" || { echo "missing: the program disk $(PROGRAMS): run make programs ARCH=$(ARCH) (or PROGRAMS= for none)"; exit 1; }
	$(QEMU) $(QEMU_ARGS) $(QEMU_EXTRA)

# make shell: the console shell; commands may also be piped in, one a line
# (printf 'ps\nhalt\n' | make shell): QEMU's -serial stdio feeds the UART.
shell:
	@$(MAKE) --no-print-directory qemu CMDLINE=shell

# make qemu-gdb: QEMU's gdb stub on GDBPORT (default 1234), the CPU halted
# before the first instruction until gdb says continue (docs/debugging.md).
GDBPORT ?= 1234
qemu-gdb: check-qemu $(if $(NOBUILD),,kernel)
	@test -f $(ELF) || { echo "missing: $(ELF): run make kernel BOARD=$(BOARD)"; exit 1; }
	@echo "qemu-gdb: waiting for gdb; attach with: gdb-multiarch $(ELF) -ex 'target remote :$(GDBPORT)'"
	$(QEMU) $(QEMU_ARGS) -gdb tcp:127.0.0.1:$(GDBPORT) -S

# make image: the files a board's own boot loader loads (boot/<board>/build.mk
# adds the board to IMAGE_BOARDS and defines image-<board>).
image: $(if $(filter $(BOARD),$(IMAGE_BOARDS)),image-$(BOARD),image-none)

image-none:
	@echo "make image: BOARD=$(BOARD) is only booted by QEMU; boards with a flashable image: $(IMAGE_BOARDS)"; exit 1

# The first build or boot on a fresh machine installs what is missing
# (scripts/deps.sh, shared with .ci/run): the TamaGo toolchain through
# `go tool tamago`, QEMU from Debian. Each stops with one line when it cannot.
check-toolchain:
	@test -x $(TAMAGO_GOROOT)/bin/go || scripts/deps.sh toolchain

check-qemu:
	@scripts/deps.sh qemu

# make test: host tests of every package (the QEMU boot tests in qemu/ skip
# with one line when QEMU, its machine or the TamaGo toolchain is missing),
# and vet of the host and every board's GOOS=tamago build. The boot tests of
# three boards take about ten minutes on two cores, go test's default
# timeout: -timeout gives them room on a loaded machine.
test: deps-soft
	@$(MAKE) --no-print-directory vet
	@test -x $(TAMAGO_GOROOT)/bin/go || echo "skip: QEMU boot tests (qemu/): the TamaGo toolchain is missing from $(TAMAGO_GOROOT) (README.md, Prerequisites)"
	@for q in $(sort $(foreach b,$(BOARDS),$(QEMU_$(b)))); do command -v $$q >/dev/null || echo "skip: QEMU boot tests (qemu/): $$q is missing: run 'sudo scripts/deps.sh qemu'"; done
	$(GO) test -count=1 -timeout 45m ./...

# deps-soft installs what it can and reports the rest in one line each;
# make test then skips what needs it.
deps-soft:
	@scripts/deps.sh --soft all

vet:
	@test -z "$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))" || { echo "gofmt needed on:"; gofmt -l .; exit 1; }
	$(GO) vet ./...
	@if test -x $(TAMAGO_GOROOT)/bin/go; then \
		for b in $(BOARDS); do \
			a=$$(make -s --no-print-directory print-arch BOARD=$$b ARCH=); \
			echo "go vet (GOOS=tamago GOARCH=$$a, BOARD=$$b)"; \
			GOOS=tamago GOARCH=$$a GOOSPKG=github.com/usbarmory/tamago GOTOOLCHAIN=local \
				$(TAMAGO) vet -tags "$$(make -s --no-print-directory print-tags BOARD=$$b ARCH=)" ./... || exit 1; \
		done; \
	else echo "skip: go vet for GOOS=tamago: the TamaGo toolchain is missing from $(TAMAGO_GOROOT)"; fi

# Coursework labs (docs/labs/README.md): the tool is cmd/lab.
labs:
	@$(GO) run ./cmd/lab list

grade:
	@test -n "$(LAB)" || { echo "usage: make grade LAB=NAME (make labs lists the labs)"; exit 2; }
	@$(GO) run ./cmd/lab grade $(LAB)

lab-skeleton:
	@test -n "$(LAB)" -a -n "$(DEST)" || { echo "usage: make lab-skeleton LAB=NAME DEST=dir"; exit 2; }
	@$(GO) run ./cmd/lab skeleton $(LAB) $(DEST)

print-tags:
	@echo '$(TAGS_$(BOARD))'

print-arch:
	@echo '$(ARCH)'

print-board:
	@echo '$(BOARD)'

clean:
	rm -rf build

# Used by the qemu/ test harness to find the toolchain, the QEMU binary and
# machine, and the kernel.
print-goroot:
	@echo '$(TAMAGO_GOROOT)'

print-qemu:
	@echo '$(QEMU)'

print-qemu-flags:
	@echo '$(QEMU_FLAGS_$(BOARD))'

print-qemu-machine:
	@echo '$(QEMU_MACHINE_$(BOARD))'

print-qemu-since:
	@echo '$(QEMU_SINCE_$(BOARD))'

print-elf:
	@echo '$(ELF)'

# make bench: boot the kernel twice under ICOUNT=1 (one guest instruction
# per virtual nanosecond), running tasks/bench, then tasks/pressure on an
# 8 MiB pool with the swap disk, keep the consoles in build/<arch>/bench/
# and print the table cmd/benchtable makes of them. Both run the copies
# bundled in the kernel (PROGRAMS=, no program disk): programs start from
# memory, as Linux's /init starts from its initramfs. LINUX=1 (or make
# bench-linux) also boots Debian's Linux with tasks/bench as /init
# (scripts/bench-linux.sh, which fetches the kernel from the Debian archive
# into build/linux/) and adds its column; when the kernel cannot be
# fetched or its run fails, it says so and the table has tamach's column
# only.
BENCH_DIR := $(BUILD)/bench
BENCH_RUN  = $(MAKE) -s --no-print-directory qemu NOBUILD=1 BOARD=$(BOARD) ICOUNT=1 PROGRAMS=

.PHONY: bench bench-linux
bench: kernel
	@mkdir -p $(BENCH_DIR)
	@echo "bench: booting $(BOARD) under ICOUNT=1: run=bench, then pool=8M run=pressure (consoles in $(BENCH_DIR)/)"
	@$(BENCH_RUN) CMDLINE=run=bench >$(BENCH_DIR)/tamach-bench.log 2>&1 || { tail -20 $(BENCH_DIR)/tamach-bench.log; exit 1; }
	@$(BENCH_RUN) CMDLINE='pool=8M run=pressure' >$(BENCH_DIR)/tamach-pressure.log 2>&1 || { tail -20 $(BENCH_DIR)/tamach-pressure.log; exit 1; }
	@rm -f $(BENCH_DIR)/linux-bench.log
	@$(if $(LINUX),scripts/bench-linux.sh $(ARCH) $(BUILD)/tasks/bench.elf $(BENCH_DIR)/linux-bench.log || rm -f $(BENCH_DIR)/linux-bench.log)
	@$(GO) run ./cmd/benchtable -arch $(ARCH) -tamach $(BENCH_DIR)/tamach-bench.log,$(BENCH_DIR)/tamach-pressure.log \
		$(if $(LINUX),$$(test -s $(BENCH_DIR)/linux-bench.log && echo -linux $(BENCH_DIR)/linux-bench.log))

bench-linux:
	@$(MAKE) --no-print-directory bench LINUX=1

# make profile RUN=prog: boot under ICOUNT=1 running prog (bundled, or an
# ELF file's path) and print where the machine spent its time, by kernel
# function: cmd/pcprof samples the program counter through a QEMU monitor
# (host time, not instruction counts: see cmd/pcprof and
# docs/performance.md). The console goes to build/<arch>/profile/console.txt.
PROFILE_DIR := $(BUILD)/profile
.PHONY: profile
profile: kernel
	@test -n "$(RUN)" || { echo "usage: make profile RUN=prog [ARCH=...]"; exit 2; }
	@mkdir -p $(PROFILE_DIR) $(TOOLS)
	@$(GO) build -o $(TOOLS)/pcprof ./cmd/pcprof
	@echo "profile: booting $(BOARD) running $(RUN) (console in $(PROFILE_DIR)/console.txt)"
	@$(TOOLS)/pcprof -elf $(ELF) -sock $(PROFILE_DIR)/monitor.sock -log $(PROFILE_DIR)/console.txt -- \
		$(MAKE) -s --no-print-directory qemu NOBUILD=1 BOARD=$(BOARD) ICOUNT=1 PROGRAMS= RUN=$(RUN) \
		QEMU_EXTRA='-monitor unix:$(PROFILE_DIR)/monitor.sock,server=on,wait=off'

# make count RUN=prog AT=function: boot halted under the gdb stub running
# prog, stop at the SKIP+1st call of the kernel function AT (SKIP=0 by
# default), and single-step N whole traps (3 by default), counting every
# instruction by the function it runs in (FROM_AT=1: the first from the
# call AT on, for a fork AT='kernel/task.trapTaskFork'): cmd/icount speaks gdb's remote
# protocol to QEMU (docs/performance.md, "Counting instructions"). The
# console goes to build/<arch>/count/console.txt.
COUNT_DIR := $(BUILD)/count
.PHONY: count
count: $(if $(NOBUILD),,kernel)
	@test -n "$(RUN)" -a -n "$(AT)" || { echo "usage: make count RUN=prog AT=function [SKIP=n] [N=traps] [ARCH=...]"; exit 2; }
	@mkdir -p $(COUNT_DIR) $(TOOLS)
	@$(GO) build -o $(TOOLS)/icount ./cmd/icount
	@$(TOOLS)/icount -elf $(ELF) -arch $(ARCH) -at '$(AT)' -skip $(or $(SKIP),0) -n $(or $(N),3) $(if $(FROM_AT),-from-at) -log $(COUNT_DIR)/console.txt -- \
		$(MAKE) -s --no-print-directory qemu-gdb NOBUILD=1 BOARD=$(BOARD) ICOUNT=1 PROGRAMS= RUN=$(RUN)

# Task programs: built per ARCH and bundled into the kernel; RUN=prog.elf.
# Last, because it appends to QEMU_ARGS.
include tasks/tasks.mk
# A swap disk for the default pager when DISK is not given (SWAP=size, or
# SWAP= for none).
include boot/virtio/swap.mk

# The kernel command line: CMDLINE, then the word RUN adds
# (tasks/tasks.mk). How it and RUN's file reach the kernel is the board's
# (HOSTFILES_MK_<board>: fw_cfg files on the QEMU boards, a boot-files
# archive in RAM on the i.MX 8M Plus EVK).
KERNEL_CMDLINE := $(strip $(CMDLINE) $(RUN_WORD))
include $(HOSTFILES_MK_$(BOARD))
