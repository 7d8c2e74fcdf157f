// Package virt is tamach's arm64 board for QEMU's `virt` machine under TCG.
//
// It keeps only what is particular to virt and calls boot/armv8 for what
// every arm64 board shares (the drop to EL1, vectors and exception reports,
// GICv3, generic timer, random source, power-off). Importing the package
// (as cmd/tamach/board_arm64.go does) links the runtime hooks the board
// supplies itself: cpuinit (virt's GIC addresses, then armv8.Entry),
// Hwinit0 (the boot identity map of virt's RAM window), Hwinit1 (PL011,
// GIC, RAM size from the device tree, memory plan, DMA region), Printk
// (PL011) and the RAM window of the Go heap. Board then describes the
// machine to the kernel: the command line and RUN files come from fw_cfg,
// the disks are virtio-mmio (boot/virtio).
//
// The boot flow, the exception levels at each step and the physical memory
// map are drawn in docs/boot-arm64.md.
//
// Only the machine-independent parts (memory map arithmetic, the device
// tree reader) build outside GOOS=tamago GOARCH=arm64; they are tested on
// the host.
package virt
