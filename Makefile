# tamach: build, run and test.
#
#   make qemu [ARCH=amd64|arm64] [CMDLINE='...'] [ICOUNT=1] [DISK=img] [RUN=name]   build and boot under QEMU
#   make test                                                 every test: host, then QEMU boot tests
#   make kernel [ARCH=...]                                    build/<arch>/tamach.elf
#   make qemu-gdb [ARCH=...]                                  boot halted, waiting for gdb on :1234
#   make labs | grade LAB=NAME | lab-skeleton LAB=NAME DEST=dir   coursework labs (docs/labs)
#
# The kernel is built with the TamaGo Go distribution that go.mod's tamago
# module pairs with; `go tool tamago` runs it from the user cache directory.

ARCH    ?= amd64
CMDLINE ?=
ICOUNT  ?=

GO      ?= go
BUILD   := build/$(ARCH)
ELF     := $(BUILD)/tamach.elf
VERSION := $(shell git describe --always --dirty 2>/dev/null || echo dev)

# The TamaGo toolchain: tamago-go<version of the tamago module>, where
# `go tool tamago` (github.com/usbarmory/tamago/cmd/tamago) looks for it.
TAMAGO_VERSION := $(patsubst v%,%,$(shell $(GO) list -m -f '{{.Version}}' github.com/usbarmory/tamago 2>/dev/null))
TAMAGO_GOROOT  := $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/tamago-go/tamago-go$(TAMAGO_VERSION)

# `go tool -n tamago` names the tool's binary; it is run directly because the
# host go command refuses GOOS=tamago before it would start the tool.
TAMAGO     := $(shell $(GO) tool -n tamago 2>/dev/null)
TAMAGO_ENV := GOOS=tamago GOARCH=$(ARCH) GOOSPKG=github.com/usbarmory/tamago GOTOOLCHAIN=local

# Per-board build flags (TAGS_<arch>, LDFLAGS_<arch>) and QEMU invocation
# (QEMU_<arch>, QEMU_FLAGS_<arch>) live beside each board.
include boot/microvm/build.mk boot/microvm/qemu.mk
include boot/virt/build.mk boot/virt/qemu.mk
# DISK=image attaches a raw disk image as a virtio block device (boot/virtio).
include boot/virtio/disk.mk

ifeq ($(filter $(ARCH),amd64 arm64),)
$(error ARCH must be amd64 or arm64, not "$(ARCH)")
endif

QEMU := $(QEMU_$(ARCH))

QEMU_ARGS := $(QEMU_FLAGS_$(ARCH)) -kernel $(ELF) $(QEMU_DISK_FLAGS)
ifneq ($(ICOUNT),)
# One guest instruction per virtual nanosecond: deterministic counts.
QEMU_ARGS += -icount shift=0,sleep=off
endif

.PHONY: all kernel qemu qemu-gdb test deps-soft check-toolchain check-qemu vet print-tags print-goroot print-qemu clean labs grade lab-skeleton

all: kernel

kernel: check-toolchain
	@mkdir -p $(BUILD)
	$(TAMAGO_ENV) $(TAMAGO) build -tags '$(TAGS_$(ARCH))' \
		-ldflags '$(LDFLAGS_$(ARCH)) -X github.com/tamach/tamach/kernel.Version=$(VERSION)' \
		-o $(ELF) ./cmd/tamach

# NOBUILD=1 boots the image already in build/<arch>/ (the test harness builds
# each architecture once, then boots it many times).
qemu: check-qemu $(if $(NOBUILD),,kernel)
	@test -f $(ELF) || { echo "missing: $(ELF): run make kernel ARCH=$(ARCH)"; exit 1; }
	@test -z "$(PROGRAMS)" -o -f "$(PROGRAMS)" || { echo "missing: the program disk $(PROGRAMS): run make programs ARCH=$(ARCH) (or PROGRAMS= for none)"; exit 1; }
	$(QEMU) $(QEMU_ARGS)

qemu-gdb: check-qemu kernel
	@echo "qemu-gdb: waiting for gdb; attach with: gdb $(ELF) -ex 'target remote :1234'"
	$(QEMU) $(QEMU_ARGS) -s -S

# The first build or boot on a fresh machine installs what is missing
# (scripts/deps.sh, shared with .ci/run): the TamaGo toolchain through
# `go tool tamago`, QEMU from Debian. Each stops with one line when it cannot.
check-toolchain:
	@test -x $(TAMAGO_GOROOT)/bin/go || scripts/deps.sh toolchain

check-qemu:
	@scripts/deps.sh qemu

# make test: host tests of every package (the QEMU boot tests in qemu/ skip
# with one line when QEMU or the TamaGo toolchain is missing), and vet of
# the host and both GOOS=tamago builds.
test: deps-soft
	@$(MAKE) --no-print-directory vet
	@test -x $(TAMAGO_GOROOT)/bin/go || echo "skip: QEMU boot tests (qemu/): the TamaGo toolchain is missing from $(TAMAGO_GOROOT) (README.md, Prerequisites)"
	@for q in $(QEMU_amd64) $(QEMU_arm64); do command -v $$q >/dev/null || echo "skip: QEMU boot tests (qemu/): $$q is missing: run 'sudo scripts/deps.sh qemu'"; done
	$(GO) test -count=1 ./...

# deps-soft installs what it can and reports the rest in one line each;
# make test then skips what needs it.
deps-soft:
	@scripts/deps.sh --soft all

vet:
	@test -z "$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))" || { echo "gofmt needed on:"; gofmt -l .; exit 1; }
	$(GO) vet ./...
	@if test -x $(TAMAGO_GOROOT)/bin/go; then \
		for a in amd64 arm64; do \
			echo "go vet (GOOS=tamago GOARCH=$$a)"; \
			GOOS=tamago GOARCH=$$a GOOSPKG=github.com/usbarmory/tamago GOTOOLCHAIN=local \
				$(TAMAGO) vet -tags "$$(make -s --no-print-directory print-tags ARCH=$$a)" ./... || exit 1; \
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
	@echo '$(TAGS_$(ARCH))'

clean:
	rm -rf build

# Used by the qemu/ test harness to find the toolchain and the QEMU binary.
print-goroot:
	@echo '$(TAMAGO_GOROOT)'

print-qemu:
	@echo '$(QEMU)'
# Task programs: built per ARCH and bundled into the kernel; RUN=prog.elf.
# Last, because it appends to QEMU_ARGS.
include tasks/tasks.mk
# A swap disk for the default pager when DISK is not given (SWAP=size, or
# SWAP= for none).
include boot/virtio/swap.mk

# The kernel command line (fw_cfg opt/tamach/cmdline): CMDLINE, then the
# word RUN adds (tasks/tasks.mk). QEMU option syntax doubles a comma inside
# a value (qemu-options: "-fw_cfg").
comma := ,
KERNEL_CMDLINE := $(strip $(CMDLINE) $(RUN_WORD))
ifneq ($(KERNEL_CMDLINE),)
QEMU_ARGS += -fw_cfg 'name=opt/tamach/cmdline,string=$(subst $(comma),$(comma)$(comma),$(KERNEL_CMDLINE))'
endif
