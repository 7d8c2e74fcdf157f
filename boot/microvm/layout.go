package microvm

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sort"

	"github.com/tamach/tamach/boot"
)

// Physical memory layout. docs/boot-amd64.md draws it.
//
//	[0, 1 MiB)           low memory: real-mode IVT, firmware, PVH start
//	                     info, TamaGo's boot page tables (0x9000-0xcfff)
//	[1 MiB, 16 MiB)      DMA region (TamaGo dma.Init): virtio rings, buffers
//	[16 MiB, 272 MiB)    Go runtime RAM (goos.RamStart/RamSize): the kernel
//	                     image at its base, then heap and stacks
//	[272 MiB, RAM end)   page-frame pool, up to the end of RAM below 4 GiB
//
// The image is linked at ramStart+imageOffset (build.mk: -T), 16 MiB being
// the load address Linux uses for PVH and bzImage kernels, clear of what
// the firmware uses below 1 MiB. The heap is 256 MiB: it holds kernel data
// structures only (task memory comes from the pool), and ends far below
// 4 GiB as TamaGo requires. DMA takes the otherwise idle 1-16 MiB.
const (
	lowMemoryEnd = 1 << 20

	dmaStart = lowMemoryEnd
	dmaSize  = ramStart - dmaStart

	ramStart    = 16 << 20
	ramSize     = 256 << 20
	imageOffset = 0x10000 // build.mk: -T ramStart+imageOffset

	poolStart = ramStart + ramSize

	// minPoolSize is the least pool the board boots with: 16 MiB,
	// 4096 frames. With less RAM (-m) the board reports an error.
	minPoolSize = 16 << 20

	pageSize = 4096

	// below4G is the end of 32-bit physical address space; QEMU microvm
	// puts at most 3 GiB of RAM below it and the rest from 4 GiB up
	// (hw/i386/microvm.c microvm_memory_init).
	below4G = 1 << 32
)

// e820 entry types (ACPI 6.5 §15.1 "INT 15H, E820H - Query System Address
// Map", Table 15.1): only usable RAM matters here.
const e820RAM = 1

// e820EntrySize is the size of one entry of QEMU's fw_cfg file etc/e820: a
// packed little-endian {u64 address, u64 length, u32 type} (QEMU
// hw/i386/e820_memory_layout.h, struct e820_entry).
const e820EntrySize = 20

// ramRange is a range [Start, End) of RAM reported by the firmware.
type ramRange struct {
	Start, End uint64
}

// errE820 is returned for a malformed etc/e820 file.
var errE820 = errors.New("microvm: malformed fw_cfg etc/e820")

// parseE820 returns the RAM ranges of an etc/e820 file, sorted by address.
func parseE820(b []byte) ([]ramRange, error) {
	if len(b) == 0 || len(b)%e820EntrySize != 0 {
		return nil, fmt.Errorf("%w: %d bytes", errE820, len(b))
	}
	var ram []ramRange
	for off := 0; off < len(b); off += e820EntrySize {
		e := b[off : off+e820EntrySize]
		start := binary.LittleEndian.Uint64(e[0:8])
		size := binary.LittleEndian.Uint64(e[8:16])
		kind := binary.LittleEndian.Uint32(e[16:20])
		if kind != e820RAM || size == 0 {
			continue
		}
		if start+size < start {
			return nil, fmt.Errorf("%w: range %#x+%#x wraps", errE820, start, size)
		}
		ram = append(ram, ramRange{start, start + size})
	}
	sort.Slice(ram, func(i, j int) bool { return ram[i].Start < ram[j].Start })
	return ram, nil
}

// deviceRegions are the memory-mapped register blocks of the machine as
// configured by qemu.mk (acpi=on, so the GED and the second IOAPIC exist).
// COM1, the PIT, fw_cfg and isa-debug-exit are in I/O space and not listed.
func deviceRegions() []boot.Region {
	return []boot.Region{
		{Name: "acpi ged", Kind: boot.Device, Start: gedBase, End: gedBase + devicePage},
		{Name: "virtio-mmio", Kind: boot.Device, Start: virtioMMIOBase,
			End: virtioMMIOBase + virtioMMIOCount*virtioMMIOStride},
		{Name: "ioapic 0", Kind: boot.Device, Start: ioapic0Base, End: ioapic0Base + devicePage},
		{Name: "ioapic 1", Kind: boot.Device, Start: ioapic1Base, End: ioapic1Base + devicePage},
		{Name: "lapic", Kind: boot.Device, Start: lapicBase, End: lapicBase + devicePage},
	}
}

// memoryMap builds the board's memory map and pool from the RAM the
// firmware reports, the start of the kernel's text and the end of its image
// (end of bss).
//
// Precondition: ram is sorted by Start (parseE820 sorts it).
func memoryMap(ram []ramRange, textStart, imageEnd uint64) ([]boot.Region, boot.Region, error) {
	low, err := lowRAM(ram)
	if err != nil {
		return nil, boot.Region{}, err
	}
	if textStart != ramStart+imageOffset {
		return nil, boot.Region{}, fmt.Errorf("microvm: kernel text at %#x, the board expects %#x (build.mk -T)",
			textStart, ramStart+imageOffset)
	}
	imageEnd = roundUp(imageEnd, pageSize)
	if imageEnd <= textStart || imageEnd >= poolStart {
		return nil, boot.Region{}, fmt.Errorf("microvm: kernel image end %#x outside runtime RAM [%#x, %#x)",
			imageEnd, ramStart, poolStart)
	}
	if low.End < poolStart+minPoolSize {
		return nil, boot.Region{}, fmt.Errorf("microvm: %d MiB of RAM below 4 GiB, need at least %d MiB (QEMU -m)",
			low.End>>20, (poolStart+minPoolSize)>>20)
	}
	pool := boot.Region{Name: "page-frame pool", Kind: boot.Pool, Start: poolStart, End: low.End &^ (pageSize - 1)}
	regions := []boot.Region{
		{Name: "low memory: firmware, boot page tables", Kind: boot.RAM, Start: 0, End: lowMemoryEnd},
		{Name: "dma", Kind: boot.DMA, Start: dmaStart, End: dmaStart + dmaSize},
		{Name: "kernel image", Kind: boot.Image, Start: ramStart, End: imageEnd},
		{Name: "go heap and stacks", Kind: boot.Heap, Start: imageEnd, End: ramStart + ramSize},
		pool,
	}
	for _, r := range ram {
		if r.Start >= below4G {
			regions = append(regions, boot.Region{Name: "ram above 4 GiB (unused)", Kind: boot.RAM, Start: r.Start, End: r.End})
		}
	}
	regions = append(regions, deviceRegions()...)
	sort.Slice(regions, func(i, j int) bool { return regions[i].Start < regions[j].Start })
	if err := checkDisjoint(regions); err != nil {
		return nil, boot.Region{}, err
	}
	return regions, pool, nil
}

// lowRAM returns the RAM range that starts at address 0: microvm has one,
// ending at min(RAM size, 3 GiB).
func lowRAM(ram []ramRange) (ramRange, error) {
	if len(ram) == 0 || ram[0].Start != 0 {
		return ramRange{}, fmt.Errorf("%w: no RAM at address 0", errE820)
	}
	low := ram[0]
	if low.End > below4G {
		low.End = below4G
	}
	return low, nil
}

// checkDisjoint reports an error if two sorted regions overlap, which would
// mean the RAM layout and the device addresses disagree (e.g. RAM below
// 4 GiB reaching into the device window).
func checkDisjoint(regions []boot.Region) error {
	for i := 1; i < len(regions); i++ {
		a, b := regions[i-1], regions[i]
		if a.End > b.Start {
			return fmt.Errorf("microvm: region %q [%#x, %#x) overlaps %q [%#x, %#x)",
				a.Name, a.Start, a.End, b.Name, b.Start, b.End)
		}
	}
	return nil
}

// roundUp rounds n up to a multiple of align, a power of two.
func roundUp(n, align uint64) uint64 {
	return (n + align - 1) &^ (align - 1)
}
