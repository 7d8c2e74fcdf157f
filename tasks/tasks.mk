# tasks/tasks.mk: build the task programs, bundle them into the kernel and
# put them on the program disk. Included by the Makefile after QEMU_ARGS is
# set.
#
#   make tasks [ARCH=...]         build every program under tasks/ into build/<arch>/tasks/NAME.elf
#   make tasks-bundle [ARCH=...]  ... and copy them into tasks/bundle/elf/ (the kernel embeds them)
#   make programs [ARCH=...]      ... and archive them into build/<arch>/programs.tar (the program disk)
#   make qemu RUN=NAME            boot and run program NAME from the program disk (command-line word run=NAME)
#   make qemu RUN=path/to/x.elf   boot and run that ELF file as a task, no rebuild (host file opt/tamach/run)
#   make qemu PROGRAMS=my.tar     attach another archive as the program disk (PROGRAMS= for none)
#   make qemu                     with no CMDLINE: run every bundled program (command-line word tasks)
#
# Tasks are GOOS=tamago programs built WITHOUT GOOSPKG, i.e. with the
# toolchain's Linux-ABI runtime overlay (runtime/goos/linux_user*.s): the
# same binary runs on Linux and on tamach. -s -w drops the symbol table and
# DWARF to keep the kernel image small.

TASKS_DIR   := $(BUILD)/tasks
TASKS_NAMES := $(notdir $(patsubst %/main.go,%,$(wildcard tasks/*/main.go)))
TASKS_ELF   := $(addprefix $(TASKS_DIR)/,$(addsuffix .elf,$(TASKS_NAMES)))
TASKS_ENV   := GOOS=tamago GOARCH=$(ARCH) GOTOOLCHAIN=local
RUN         ?=

# TASK_LDFLAGS_<name>: link flags of one program on top of -s -w. bench's
# entry point is its own (tasks/bench/clock_<arch>.s): it reads the CPU's
# counter at the first instruction, then enters the Go runtime (-E: "set
# entry symbol name", go doc cmd/link).
TASK_LDFLAGS_bench := -E main.entry

.PHONY: tasks tasks-bundle programs

tasks: check-toolchain
	@mkdir -p $(TASKS_DIR)
	@$(foreach t,$(TASKS_NAMES),echo "task $(t) ($(ARCH))" && \
		$(TASKS_ENV) $(TAMAGO) build -trimpath -ldflags '-s -w $(TASK_LDFLAGS_$(t))' -o $(TASKS_DIR)/$(t).elf ./tasks/$(t) && ) true

# The bundle holds one architecture at a time: stale files go first.
tasks-bundle: tasks
	@rm -f tasks/bundle/elf/*.elf
	@cp $(TASKS_ELF) tasks/bundle/elf/

kernel: tasks-bundle programs

# The program disk (docs/tasks.md, "Programs from a disk"): the task ELF
# files in a tar archive that is the raw contents of a read-only virtio
# disk. The kernel finds the disk by its contents (a valid tar header in
# its first block; kernel/tarfs), so the order of the disks does not
# matter, and reads each program's pages from it when a task first
# touches them. cmd/mkprograms writes a pax archive whose members' data
# start on 4 KiB boundaries, so each page-in is one disk page read into
# the frame. Any tar archive whose size is a multiple of the disk's 4 KiB
# pages works too (GNU tar: tar -b 8 --format=ustar -cf x.tar files...;
# "Blocking Factor" in the GNU tar manual), at up to two disk reads per
# page-in.
PROGRAMS_TAR := $(BUILD)/programs.tar
PROGRAMS     ?= $(PROGRAMS_TAR)

programs: tasks
	@echo "programs: $(PROGRAMS_TAR)"
	@$(GO) run ./cmd/mkprograms -o $(PROGRAMS_TAR) $(TASKS_ELF)

# Mode ro: on virtio the device offers VIRTIO_BLK_F_RO (virtio spec
# §5.2.3), so the kernel never pages anonymous memory out to it and several
# QEMU runs can share the image (the board's qemu_disk, boot/virtio/disk.mk;
# an SD card cannot be read-only in QEMU and gets a snapshot instead,
# boot/imx8mpevk/qemu.mk). PROGRAMS_BLKDEBUG=rules.conf injects read errors
# (QEMU's blkdebug driver, as DISK_BLKDEBUG does for DISK).
PROGRAMS_BLKDEBUG ?=
ifneq ($(PROGRAMS),)
QEMU_ARGS += $(call qemu_disk,$(PROGRAMS),programs,ro,$(PROGRAMS_BLKDEBUG))
endif

# RUN=x adds a run word to the kernel command line (the Makefile puts it
# after whatever CMDLINE says): a file's path sends the file to the kernel
# as the host file opt/tamach/run (RUN_FILE: an fw_cfg file, or a member of
# the boot-files archive on the i.MX 8M Plus EVK) with the word run=fwcfg;
# anything else names a program on the program disk (run=NAME). With
# neither RUN nor CMDLINE, the kernel runs every bundled program (tasks);
# CMDLINE= given empty on make's command line means an empty kernel
# command line.
RUN_WORD :=
RUN_FILE :=
ifneq ($(RUN),)
ifneq ($(wildcard $(RUN)),)
RUN_FILE := $(RUN)
RUN_WORD := run=fwcfg
else
RUN_WORD := run=$(RUN)
endif
else ifeq ($(origin CMDLINE),file)
ifeq ($(CMDLINE),)
RUN_WORD := tasks
endif
endif

# Go standard library test binaries, built unmodified with `go test -c` for
# GOOS=tamago (no GOOSPKG: the Linux-ABI overlay, like every task), one per
# package into build/<arch>/stdtests/NAME.test (NAME: the import path with
# / as -). The kernel gives a task no argv, so the runtime's os.Args is
# {"tamago"} and the testing package runs every test with its default flags
# (no -test.v, no -test.short): the binary prints PASS and exits 0, as it
# does when run as a Linux process.
#
#   make stdtests [ARCH=...]                          build them
#   make qemu RUN=build/<arch>/stdtests/sort.test     run one as a task
#
# Packages that need files, processes or a network (os, net, ...) are left
# out: tasks have no file system and no sockets.
STDTESTS_DIR := $(BUILD)/stdtests
STDTESTS     ?= sort strings bytes container/list container/heap container/ring \
	unicode unicode/utf8 unicode/utf16 strconv math math/bits \
	encoding/binary encoding/hex encoding/base64 hash/crc32 \
	path slices maps bufio regexp

.PHONY: stdtests print-stdtests

stdtests: check-toolchain
	@mkdir -p $(STDTESTS_DIR)
	@for p in $(STDTESTS); do \
		n=$$(echo $$p | tr / -); \
		echo "stdtest $$p ($(ARCH))"; \
		$(TASKS_ENV) $(TAMAGO) test -c -trimpath -ldflags '-s -w' -o $(STDTESTS_DIR)/$$n.test $$p || exit 1; \
	done

# Used by the qemu/ test harness: the packages make stdtests builds.
print-stdtests:
	@echo '$(STDTESTS)'

# The fuzzer at any size (docs/reliability.md, "Fuzzing"): tasks/fuzz built
# with its call count and seed into build/<arch>/fuzz/, booted as the one
# program of the command line (RUN=file), its console kept next to it in a
# .log file. scripts/fuzz.sh then checks what the run must show: the kernel
# survived (the normal power-off, exit status 0: no kernel panic), the fuzz
# made every call, and the vm's free frames and the page-table frames are
# back to their number before the program.
#
#   make fuzz [ARCH=...|BOARD=...] [CALLS=N] [SEED=S]   N calls (default 100000) from seed S (default 1)
#   make fuzz-elf ...                                 only build build/<arch>/fuzz/fuzz-N-S.elf
#
# The boot's command line sets cpulimit=FUZZ_CPULIMIT: a forked child
# whose fuzzed calls wrecked its own Go runtime can loop for ever, and the
# kernel then kills it with SIGXCPU instead of the run never ending.
CALLS    ?= 100000
SEED     ?= 1
FUZZ_CPULIMIT ?= 60s
FUZZ_DIR := $(BUILD)/fuzz
FUZZ_ELF := $(FUZZ_DIR)/fuzz-$(CALLS)-$(SEED).elf

.PHONY: fuzz fuzz-elf

fuzz-elf: check-toolchain
	@mkdir -p $(FUZZ_DIR)
	$(TASKS_ENV) $(TAMAGO) build -trimpath -ldflags '-s -w -X main.calls=$(CALLS) -X main.seed=$(SEED)' -o $(FUZZ_ELF) ./tasks/fuzz

fuzz: fuzz-elf $(if $(NOBUILD),,kernel)
	@scripts/fuzz.sh $(FUZZ_DIR)/fuzz-$(CALLS)-$(SEED).log $(MAKE) --no-print-directory qemu NOBUILD=1 BOARD=$(BOARD) RUN=$(FUZZ_ELF) CMDLINE=cpulimit=$(FUZZ_CPULIMIT)
