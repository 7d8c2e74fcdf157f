package virt

import (
	"fmt"
	"sort"

	"github.com/tamach/tamach/boot"
	"github.com/tamach/tamach/boot/armv8"
)

// PAddr is a physical address on the virt machine.
type PAddr = armv8.PAddr

// Device windows of the virt machine, from QEMU hw/arm/virt.c base_memmap[]
// (QEMU 7.2; the layout has been stable since QEMU 2.x). Every window is
// below the first GiB; RAM starts at 1 GiB.
const (
	FlashBase   PAddr = 0x0000_0000 // two 64 MiB pflash banks (VIRT_FLASH)
	FlashSize         = 0x0800_0000
	GICDBase    PAddr = 0x0800_0000 // GIC distributor (VIRT_GIC_DIST)
	GICDSize          = 0x0001_0000
	GICCBase    PAddr = 0x0801_0000 // GICv2 CPU interface (VIRT_GIC_CPU)
	GICCSize          = 0x0001_0000
	GICITSBase  PAddr = 0x0808_0000 // GICv3 ITS (VIRT_GIC_ITS)
	GICITSSize        = 0x0002_0000
	GICRBase    PAddr = 0x080A_0000 // GICv3 redistributors, 2 x 64 KiB per CPU (VIRT_GIC_REDIST)
	GICRSize          = 0x00F6_0000
	UARTBase    PAddr = 0x0900_0000 // PL011 UART (VIRT_UART)
	UARTSize          = 0x0000_1000
	RTCBase     PAddr = 0x0901_0000 // PL031 RTC (VIRT_RTC)
	RTCSize           = 0x0000_1000
	FwCfgBase   PAddr = 0x0902_0000 // fw_cfg (VIRT_FW_CFG)
	FwCfgSize         = 0x0000_0018
	GPIOBase    PAddr = 0x0903_0000 // PL061 GPIO (VIRT_GPIO)
	GPIOSize          = 0x0000_1000
	VirtioBase  PAddr = 0x0A00_0000 // virtio-mmio transports (VIRT_MMIO)
	VirtioSlot        = 0x0000_0200 // one transport
	VirtioSlots       = 32          // NUM_VIRTIO_TRANSPORTS
	PCIeMMIO    PAddr = 0x1000_0000 // PCIe 32-bit MMIO window (VIRT_PCIE_MMIO)
	PCIeMMIOSz        = 0x2EFF_0000
	PCIePIO     PAddr = 0x3EFF_0000 // PCIe port I/O window (VIRT_PCIE_PIO)
	PCIePIOSize       = 0x0001_0000
	PCIeECAM    PAddr = 0x3F00_0000 // PCIe ECAM, 16 buses (VIRT_PCIE_ECAM)
	PCIeECAMSz        = 0x0100_0000
	RAMBase     PAddr = 0x4000_0000    // RAM (VIRT_MEM)
	RAMLimit    PAddr = 0x40_0000_0000 // end of the RAM window: 255 GiB of RAM (LEGACY_RAMLIMIT_GB)
)

// Interrupt IDs (GIC INTIDs) of virt's devices: QEMU wires the UART to
// SPI 1 and the virtio-mmio transports from SPI 16 (hw/arm/virt.c
// a15irqmap); the virtual timer is armv8.VirtTimerINTID.
const (
	UARTINTID   = armv8.FirstSPI + 1
	VirtioINTID = armv8.FirstSPI + 16 // first virtio-mmio transport; one per slot
)

// Memory plan, in RAM. The image is linked at ImageBase (build.mk -T); the
// Go heap is the TamaGo window [HeapBase, HeapBase+HeapSize), which holds the
// image, the heap and the boot stack at its top; the DMA region follows;
// every frame after that up to the end of RAM is the VM's page-frame pool.
const (
	// bootReserve is left free at the start of RAM for the device tree:
	// QEMU puts it at the start of RAM when it fits below the ELF image
	// (hw/arm/boot.c, arm_setup_direct_kernel_boot: dtb_start =
	// loader_start, dtb_limit = image_low_addr). QEMU 7.2's virt tree is
	// 1 MiB (-M virt,dumpdtb=...).
	bootReserve = 2 << 20
	// ImageBase is where the image's first loadable page (the ELF
	// headers, which the Go linker puts one page below the text) lands;
	// TextBase is the linker's -T (build.mk).
	ImageBase    = RAMBase + bootReserve
	elfHeadersSz = 0x1000
	TextBase     = ImageBase + elfHeadersSz

	HeapBase = RAMBase
	HeapSize = 256 << 20 // Go heap window, incl. image and boot stack
	// StackOffset is TamaGo's RamStackOffset: the boot (g0) stack
	// starts this far below the end of the heap window.
	StackOffset = 0x100

	DMABase = HeapBase + HeapSize
	DMASize = 16 << 20 // virtio rings and buffers (TamaGo dma package)

	PoolBase = DMABase + DMASize

	// MinRAM is the least RAM the plan fits: heap, DMA and 16 MiB of
	// pool.
	MinRAM = HeapSize + DMASize + 16<<20

	pageSize = 4096
)

// BootMap is the boot identity map Hwinit0 turns on: QEMU's whole RAM
// window, since the RAM size comes from the device tree only in Hwinit1.
var BootMap = armv8.BootMap{RAMStart: RAMBase, RAMEnd: RAMLimit}

// deviceRegions lists the device windows, sorted by address.
func deviceRegions(gicVersion int) []boot.Region {
	dev := func(name string, base PAddr, size uint64) boot.Region {
		return boot.Region{Name: name, Kind: boot.Device, Start: uint64(base), End: uint64(base) + size}
	}
	r := []boot.Region{
		dev("flash (pflash0/1)", FlashBase, FlashSize),
		dev("gic distributor", GICDBase, GICDSize),
	}
	if gicVersion == 2 {
		r = append(r, dev("gicv2 cpu interface", GICCBase, GICCSize))
	} else {
		r = append(r,
			dev("gicv3 its", GICITSBase, GICITSSize),
			dev("gicv3 redistributors", GICRBase, GICRSize))
	}
	return append(r,
		dev("pl011 uart (console)", UARTBase, UARTSize),
		dev("pl031 rtc", RTCBase, RTCSize),
		dev("fw_cfg", FwCfgBase, FwCfgSize),
		dev("pl061 gpio", GPIOBase, GPIOSize),
		dev("virtio-mmio x32", VirtioBase, VirtioSlot*VirtioSlots),
		dev("pcie mmio", PCIeMMIO, PCIeMMIOSz),
		dev("pcie pio", PCIePIO, PCIePIOSize),
		dev("pcie ecam", PCIeECAM, PCIeECAMSz),
	)
}

// Layout is the RAM plan of one boot.
type Layout struct {
	RAMEnd     PAddr // end of RAM (RAMBase + the -m size)
	ImageStart PAddr // first byte of the kernel image (text)
	ImageEnd   PAddr // end of the image's bss, page-rounded
}

// Plan builds the sorted memory map and the pool region of the layout, with
// the device windows of the given GIC version. It returns an error when RAM
// is too small for the plan or the image does not fit the heap window.
func Plan(l Layout, gicVersion int) ([]boot.Region, boot.Region, error) {
	if l.RAMEnd < RAMBase+MinRAM {
		return nil, boot.Region{}, fmt.Errorf("virt: %d MiB of RAM, the memory plan needs %d MiB (-m)",
			(l.RAMEnd-RAMBase)>>20, MinRAM>>20)
	}
	if l.RAMEnd > RAMLimit {
		return nil, boot.Region{}, fmt.Errorf("virt: RAM end %#x beyond the virt RAM window %#x", l.RAMEnd, RAMLimit)
	}
	if l.ImageStart < HeapBase+bootReserve || l.ImageEnd <= l.ImageStart || l.ImageEnd > HeapBase+HeapSize/2 {
		return nil, boot.Region{}, fmt.Errorf("virt: image %#x-%#x outside the first half of the heap window", l.ImageStart, l.ImageEnd)
	}
	ram := func(name string, kind boot.RegionKind, start, end PAddr) boot.Region {
		return boot.Region{Name: name, Kind: kind, Start: uint64(start), End: uint64(end)}
	}
	poolEnd := l.RAMEnd &^ (pageSize - 1)
	pool := ram("page-frame pool", boot.Pool, PoolBase, poolEnd)
	regions := append(deviceRegions(gicVersion),
		ram("boot reserve (QEMU device tree)", boot.RAM, RAMBase, l.ImageStart),
		ram("kernel image", boot.Image, l.ImageStart, l.ImageEnd),
		ram("go heap + boot stack", boot.Heap, l.ImageEnd, HeapBase+HeapSize),
		ram("dma (virtio)", boot.DMA, DMABase, DMABase+DMASize),
		pool,
	)
	if poolEnd < l.RAMEnd {
		regions = append(regions, ram("tail below a page", boot.RAM, poolEnd, l.RAMEnd))
	}
	sort.Slice(regions, func(i, j int) bool { return regions[i].Start < regions[j].Start })
	if err := checkSorted(regions); err != nil {
		return nil, boot.Region{}, err
	}
	return regions, pool, nil
}

// checkSorted verifies that regions are non-empty, sorted and disjoint.
func checkSorted(regions []boot.Region) error {
	for i, r := range regions {
		if r.End <= r.Start {
			return fmt.Errorf("virt: empty region %q", r.Name)
		}
		if i > 0 && regions[i-1].End > r.Start {
			return fmt.Errorf("virt: region %q overlaps %q", regions[i-1].Name, r.Name)
		}
	}
	return nil
}
