package imx8mpevk

import (
	"fmt"
	"sort"

	"github.com/tamach/tamach/boot"
	"github.com/tamach/tamach/boot/armv8"
)

// PAddr is a physical address on the i.MX 8M Plus.
type PAddr = armv8.PAddr

// Device windows of the i.MX 8M Plus (IMX8MPRM, i.MX 8M Plus Applications
// Processor Reference Manual, chapter 2 "Memory Maps": the Cortex-A53
// memory map and the AIPS-1..5 peripheral maps; QEMU 10 hw/arm/fsl-imx8mp.c
// fsl_imx8mp_memmap has the same addresses). Peripherals sit on AIPS
// bridges of 4 MiB each; the board maps the three it uses whole.
const (
	AIPS1Base  PAddr = 0x3000_0000 // AIPS-1: GPIO1-5, WDOG1-3, IOMUXC, OCOTP, CCM, SRC, GPC, SNVS
	AIPS2Base  PAddr = 0x3040_0000 // AIPS-2: PWM, GPT, system counter
	AIPS3Base  PAddr = 0x3080_0000 // AIPS-3: ECSPI, UART1-3, I2C, uSDHC1-3, ENET1
	AIPSSize         = 0x0040_0000
	WDOG1Base  PAddr = 0x3028_0000 // watchdog 1 (AIPS-1)
	WDOG2Base  PAddr = 0x3029_0000
	WDOG3Base  PAddr = 0x302A_0000
	UART2Base  PAddr = 0x3089_0000 // UART2: the EVK's debug console (AIPS-3)
	USDHC1Base PAddr = 0x30B4_0000 // uSDHC1: the EVK's M.2 Wi-Fi slot (not probed)
	USDHC2Base PAddr = 0x30B5_0000 // uSDHC2: the EVK's microSD slot
	USDHC3Base PAddr = 0x30B6_0000 // uSDHC3: the EVK's eMMC
	GICDBase   PAddr = 0x3880_0000 // GICv3 distributor
	GICDSize         = 0x0001_0000
	GICRBase   PAddr = 0x3888_0000 // GICv3 redistributors, 2 x 64 KiB per core
	GICRSize         = 0x0008_0000 // four Cortex-A53 cores
	RAMBase    PAddr = 0x4000_0000 // DDR (the EVK: 6 GiB of LPDDR4)
	DDRLimit   PAddr = RAMBase + 8<<30
)

// Memory plan, in RAM. The board assumes RAMSize bytes of RAM from RAMBase:
// QEMU runs it with -m 1G (qemu.mk); the EVK's 6 GiB hold it with room to
// spare. There is no device tree to size RAM from (QEMU's imx8mp-evk
// passes none to an ELF, and U-Boot's bootelf passes none either).
//
//	RAMBase        Go heap window (TamaGo's RamStart/RamSize): 2 MiB
//	               left below the image, the image (linked at ImageBase),
//	               the heap after it, the boot stack at its top
//	BootFilesBase  the boot-files archive (boot/bootfiles): command line
//	               and RUN's ELF, put there by QEMU's loader or U-Boot
//	FirmwareBase   kept clear: secure firmware may own DRAM here (NXP's
//	               BSP builds OP-TEE for 0x5600_0000, 32 MiB)
//	PoolBase       page-frame pool to the end of the plan's RAM
const (
	RAMSize = 1 << 30
	RAMEnd  = RAMBase + RAMSize

	// ImageBase is where the image's first loadable page (the ELF
	// headers, one page below the text) lands; TextBase is the linker's
	// -T (build.mk).
	imageReserve = 2 << 20
	ImageBase    = RAMBase + imageReserve
	elfHeadersSz = 0x1000
	TextBase     = ImageBase + elfHeadersSz

	HeapBase = RAMBase
	HeapSize = 256 << 20 // Go heap window, incl. image and boot stack
	// StackOffset is TamaGo's RamStackOffset: the boot (g0) stack
	// starts this far below the end of the heap window.
	StackOffset = 0x100

	BootFilesBase = HeapBase + HeapSize
	BootFilesSize = uint64(FirmwareBase - BootFilesBase)

	FirmwareBase = 0x5600_0000
	FirmwareSize = 32 << 20

	PoolBase = FirmwareBase + FirmwareSize

	pageSize = 4096
)

// BootMap is the boot identity map Hwinit0 turns on: devices in the first
// GiB, the plan's RAM as Normal memory, nothing beyond it (on the real
// board a speculative access to DDR the plan does not use stays out of the
// TLB).
var BootMap = armv8.BootMap{RAMStart: RAMBase, RAMEnd: RAMEnd}

// deviceRegions lists the device windows the board maps, sorted.
func deviceRegions() []boot.Region {
	dev := func(name string, base PAddr, size uint64) boot.Region {
		return boot.Region{Name: name, Kind: boot.Device, Start: uint64(base), End: uint64(base) + size}
	}
	return []boot.Region{
		dev("aips-1 (gpio, wdog1-3, ccm, src, snvs)", AIPS1Base, AIPSSize),
		dev("aips-2 (pwm, gpt, system counter)", AIPS2Base, AIPSSize),
		dev("aips-3 (uart1-4, usdhc1-3, i2c, enet1)", AIPS3Base, AIPSSize),
		dev("gic distributor", GICDBase, GICDSize),
		dev("gicv3 redistributors", GICRBase, GICRSize),
	}
}

// Plan builds the sorted memory map and the pool region for an image
// that ends (bss included) at imageEnd. It returns an error when the image
// does not fit the first half of the heap window.
func Plan(imageEnd PAddr) ([]boot.Region, boot.Region, error) {
	if imageEnd <= ImageBase || imageEnd > HeapBase+HeapSize/2 {
		return nil, boot.Region{}, fmt.Errorf("imx8mpevk: image %#x-%#x outside the first half of the heap window", ImageBase, imageEnd)
	}
	ram := func(name string, kind boot.RegionKind, start, end PAddr) boot.Region {
		return boot.Region{Name: name, Kind: kind, Start: uint64(start), End: uint64(end)}
	}
	pool := ram("page-frame pool", boot.Pool, PoolBase, RAMEnd)
	regions := append(deviceRegions(),
		ram("below the image (unused)", boot.RAM, RAMBase, ImageBase),
		ram("kernel image", boot.Image, ImageBase, imageEnd),
		ram("go heap + boot stack", boot.Heap, imageEnd, HeapBase+HeapSize),
		ram("boot files (cmdline, run)", boot.RAM, BootFilesBase, BootFilesBase+PAddr(BootFilesSize)),
		ram("kept clear for secure firmware", boot.RAM, FirmwareBase, FirmwareBase+FirmwareSize),
		pool,
	)
	sort.Slice(regions, func(i, j int) bool { return regions[i].Start < regions[j].Start })
	for i, r := range regions {
		if r.End <= r.Start {
			return nil, boot.Region{}, fmt.Errorf("imx8mpevk: empty region %q", r.Name)
		}
		if i > 0 && regions[i-1].End > r.Start {
			return nil, boot.Region{}, fmt.Errorf("imx8mpevk: region %q overlaps %q", regions[i-1].Name, r.Name)
		}
	}
	return regions, pool, nil
}
