// Package boot is the contract between the kernel and a board package.
//
// A board package (boot/microvm for amd64 on QEMU microvm, boot/virt for
// arm64 on QEMU virt) brings the CPU into the mode the kernel runs in, starts
// the console, timer and interrupt controller, and then describes the machine
// to the kernel with one Board value. Everything the kernel needs to know
// about a machine goes through this type; the kernel never imports a board.
package boot

// RegionKind tells what a range of physical address space holds.
type RegionKind uint8

// Region kinds, in the order they are drawn in docs/memory-*.md.
const (
	RAM    RegionKind = iota // RAM not otherwise described
	Image                    // the kernel image: text, data, bss
	Heap                     // the Go heap and goroutine stacks
	DMA                      // the region TamaGo's dma package allocates from
	Pool                     // page frames the VM system manages
	Device                   // memory-mapped device registers
)

var regionKindNames = [...]string{"ram", "image", "heap", "dma", "pool", "device"}

func (k RegionKind) String() string {
	if int(k) < len(regionKindNames) {
		return regionKindNames[k]
	}
	return "unknown"
}

// Region is the physical range [Start, End) and what it holds.
type Region struct {
	Name       string
	Kind       RegionKind
	Start, End uint64
}

// Size is the length of the region in bytes.
func (r Region) Size() uint64 { return r.End - r.Start }

// Board describes a machine to the kernel. A board package exports one,
// filled in by the time the kernel's main runs.
type Board struct {
	Arch string // GOARCH: "amd64" or "arm64"
	Name string // the board: "microvm", "virt"

	// Memory is the physical memory map, sorted by Start, regions not
	// overlapping. It includes the Pool region.
	Memory []Region

	// Pool is the range of page frames the VM system manages: outside
	// the Go heap, the kernel image and the DMA region.
	Pool Region

	// Cmdline returns the kernel command line passed at boot (QEMU
	// fw_cfg file opt/tamach/cmdline), or "" if none was given.
	Cmdline func() (string, error)

	// ReadFile returns a file the host passed in at boot (QEMU: the
	// fw_cfg file of that name, e.g. opt/tamach/run for make qemu
	// RUN=prog.elf). Nil on a board that has no such channel.
	ReadFile func(name string) ([]byte, error)

	// ReadByte reads one byte typed on the console, without waiting: ok
	// is false when none is there (the UART's receive FIFO is empty). The
	// console shell (kernel/shell) polls it. Nil on a board whose console
	// cannot receive.
	ReadByte func() (c byte, ok bool)

	// PowerOff turns the machine off cleanly: under QEMU the emulator
	// exits with status 0. It does not return.
	PowerOff func()

	// Fail turns the machine off with a failing status: under QEMU the
	// emulator exits with a non-zero status. It does not return. The
	// board also calls it when the Go runtime exits non-zero (a panic).
	Fail func()

	// Nanotime returns nanoseconds since the machine's reset, read from
	// the board's clock. Under QEMU -icount shift=0 one guest instruction
	// is one nanosecond of it, which makes boot times instruction counts.
	Nanotime func() int64

	// Checks are the board's own boot self-checks (timer calibration,
	// ...), run by the kernel with its machine-independent ones.
	Checks []Check

	// Info lists board facts worth printing at boot, one line each
	// (CPU mode or exception level, timer frequency, ...).
	Info func() []string

	// AddFixup registers an exception fixup: a data abort taken by the
	// kernel at pc resumes at resume instead of being reported as a
	// kernel fault (the machine's recoverable probes use it). Nil on a
	// board whose machine layer installs its own fault handling (amd64).
	AddFixup func(pc, resume uint64) error

	// Disks returns the block devices the board found (virtio-blk on
	// both QEMU boards, boot/virtio), in slot order; none if no disk is
	// attached. The board probes them on the first call, after its DMA
	// region is set up; devices it found but could not bring up are
	// reported by its "virtio-blk" self-check.
	Disks func() []BlockDevice
}

// BlockDevice is a disk addressed in 4 KiB pages: what the default pager
// stores pages on. Its methods may be called from several goroutines.
type BlockDevice interface {
	// Pages is the disk's size in whole 4 KiB pages.
	Pages() uint64
	// ReadPage reads page n (bytes [n*4096, (n+1)*4096)) into p. It
	// returns an error, without touching the device, when n >= Pages(),
	// and an error when the device fails the request.
	ReadPage(n uint64, p *[4096]byte) error
	// WritePage writes p to page n, with ReadPage's errors (and one for
	// a read-only disk). The data may sit in a volatile cache until Flush.
	WritePage(n uint64, p *[4096]byte) error
	// Flush makes every completed write durable.
	Flush() error
	// Name identifies the disk in messages ("virtio-blk@0xa003e00").
	Name() string
}

// Check is one named boot self-check. Run returns a short note on what it
// measured (printed after "ok") and nil when the check passes, or an error
// saying what was wrong when it does not.
type Check struct {
	Name string
	Run  func() (note string, err error)
	// Optional marks the check of a device the kernel can run without
	// (a disk): its failure is reported, and the boot goes on. A failed
	// check that is not optional stops the boot.
	Optional bool
}
