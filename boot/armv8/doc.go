// Package armv8 is what every tamach arm64 board shares: the Armv8-A CPU
// brought to EL1 and the devices the architecture defines.
//
// A board package (boot/virt, boot/imx8mpevk) keeps only what differs
// between machines (device addresses, the console, the memory map, how the
// command line arrives, the disks) and calls this package for the rest:
//
//   - Entry (entry_arm64.s), the code after the board's cpuinit: the drop
//     from EL3 or EL2 to EL1 (with the GIC handed to the Non-secure world
//     at EL3), SCTLR_EL1, VBAR_EL1, FP/SIMD, the boot stack;
//   - Hwinit0: the counter frequency and the boot identity map (mmu.go),
//     MMU and caches on;
//   - the VBAR_EL1 vector table, the exception report with registers,
//     decoded instruction and backtrace, exception fixups
//     (vectors_arm64.s, trap_arm64.go, fixup_arm64.go);
//   - the GICv3 distributor, redistributor and system-register CPU
//     interface (gic_arm64.go), the idle hook on the virtual timer;
//   - the generic timer as the runtime's clock (Nanotime) and the random
//     source, FEAT_RNG's RNDR or a counter-seeded fallback (InitRNG,
//     GetRandomData);
//   - stopping the machine: PSCI SYSTEM_OFF through the board's conduit,
//     Arm semihosting SYS_EXIT_EXTENDED, then the board's own last resort
//     (power.go);
//   - the boot self-checks every arm64 board runs (checks_arm64.go).
//
// The runtime hooks without board parameters (Nanotime, InitRNG,
// GetRandomData) are linked here, one per file; the others (cpuinit,
// Hwinit0, Hwinit1, Printk, the RAM window) stay in the board package,
// which passes its parameters in. docs/boot-arm64.md follows the boot
// through these pieces; docs/boards.md says what a board provides.
//
// Only the machine-independent parts (boot map layout, clock arithmetic,
// the random fallback) build outside GOOS=tamago GOARCH=arm64; they are
// tested on the host.
package armv8
