//go:build tamago

// cpuinit is the board's first code. QEMU's -kernel (the ELF entry,
// _rt0_arm64_tamago, which branches here through runtime/goos.CPUInit)
// starts the Cortex-A53 at EL3 out of reset; U-Boot's bootelf and go call
// it at EL2, as TF-A left U-Boot, with the MMU off (bootelf) or as U-Boot
// ran (go; docs/boards.md). It hands the i.MX 8M Plus GICv3 addresses to
// the shared entry (boot/armv8 entry_arm64.s), which drops to EL1 and
// starts the Go runtime.

#include "textflag.h"

// GICv3 distributor and core 0's redistributor (memmap.go GICDBase,
// GICRBase; IMX8MPRM chapter 2 "Memory Maps").
#define GICD_BASE	0x38800000
#define GICR_BASE	0x38880000

TEXT cpuinit(SB),NOSPLIT|NOFRAME,$0
	MOVD	$GICD_BASE, R19
	MOVD	$GICR_BASE, R20
	B	github·com∕tamach∕tamach∕boot∕armv8·Entry(SB)
