// Package virt is tamach's arm64 board: QEMU's `virt` machine under TCG.
//
// Importing the package (as cmd/tamach/board_arm64.go does) links the
// TamaGo runtime hooks the board supplies: cpuinit (the first instruction,
// which drops the CPU from EL3 or EL2 to EL1), Hwinit0 (FP, a boot identity
// map with the MMU on, the exception vectors), Hwinit1 (console, GIC, exit
// hooks), Printk (PL011), Nanotime (the virtual counter), InitRNG and
// GetRandomData (FEAT_RNG), and the RAM window of the Go heap. Board then
// describes the machine to the kernel.
//
// The boot flow, the exception levels at each step and the physical memory
// map are drawn in docs/boot-arm64.md.
//
// Only the machine-independent parts (memory map arithmetic, exception
// syndrome decoding) build outside GOOS=tamago GOARCH=arm64; they are
// tested on the host.
package virt
