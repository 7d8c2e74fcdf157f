// Package imx8mpevk is tamach's board for the NXP i.MX 8M Plus EVK
// (8MPLUSLPD4-EVK): four Cortex-A53 cores (the kernel runs on core 0),
// GICv3, the generic timer, i.MX UARTs and watchdogs, uSDHC SD/eMMC
// controllers. It boots the same kernel and tasks as QEMU's virt, under
// QEMU's emulation of the board (-machine imx8mp-evk, QEMU 9.2 or later)
// and, from U-Boot, on the real board (docs/boards.md; tested under QEMU
// only).
//
// The package keeps what is the EVK's and calls boot/armv8 for what every
// arm64 board shares (drop to EL1, vectors and exception reports, GICv3,
// timer, random source, power-off). Importing it (cmd/tamach builds it
// with the build tag imx8mpevk) links the runtime hooks the board supplies
// itself: cpuinit (the GIC addresses, then armv8.Entry), Hwinit0 (UART2,
// then the boot identity map of the RAM plan), Hwinit1 (watchdogs, GIC,
// memory plan, boot files), Printk (UART2, the EVK's console) and the Go
// heap window. It does
// not import TamaGo's board/nxp/imx8mpevk or soc/nxp/imx8mp, whose runtime
// hooks (Hwinit1, Nanotime, InitRNG, RamStart...) would clash with these.
//
// What differs from virt: the memory plan is fixed (memmap.go: 1 GiB from
// 0x4000_0000, no device tree to size RAM from); the command line and
// RUN's ELF come in a boot-files archive at 0x5000_0000 (boot/bootfiles)
// instead of fw_cfg; the disks are SD cards behind the uSDHC controllers
// instead of virtio; power-off is PSCI below EL3, semihosting under QEMU,
// else a watchdog reset.
//
// Only the machine-independent parts (the memory plan) build outside
// GOOS=tamago GOARCH=arm64; they are tested on the host.
package imx8mpevk
