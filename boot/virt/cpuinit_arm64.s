//go:build tamago

// cpuinit is the board's first code: QEMU sets the PC to the ELF entry
// (_rt0_arm64_tamago, which branches here through runtime/goos.CPUInit)
// with the CPU as it comes out of reset, MMU and caches off, all of DAIF
// masked, at the highest implemented exception level (docs/boot-arm64.md).
// It hands virt's GICv3 addresses to the shared entry (boot/armv8
// entry_arm64.s), which drops to EL1 and starts the Go runtime.

#include "textflag.h"

// GICv3 distributor and CPU 0's redistributor (memmap.go GICDBase,
// GICRBase; QEMU hw/arm/virt.c base_memmap VIRT_GIC_DIST,
// VIRT_GIC_REDIST).
#define GICD_BASE	0x08000000
#define GICR_BASE	0x080A0000

TEXT cpuinit(SB),NOSPLIT|NOFRAME,$0
	MOVD	$GICD_BASE, R19
	MOVD	$GICR_BASE, R20
	B	github·com∕tamach∕tamach∕boot∕armv8·Entry(SB)
