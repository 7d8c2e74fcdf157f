// Package microvm is tamach's amd64 board: QEMU's `microvm` machine run
// under TCG (no KVM).
//
// TamaGo's own board/qemu/microvm reads time from KVM's pvclock, which TCG
// does not offer, so this package brings the machine up itself on top of
// TamaGo's amd64 CPU package:
//
//   - the runtime/goos hooks (Printk, Nanotime, RamStart, RamSize, Hwinit1
//     and Exit), one hook per file (hook_*.go);
//   - a TSC calibrated against the i8254 PIT (clock.go), checked at boot by
//     the "tsc-sleep" self-check;
//   - the physical memory map, from QEMU's fw_cfg file etc/e820 (layout.go);
//   - the kernel command line, from fw_cfg file opt/tamach/cmdline;
//   - power off (ACPI GED sleep register) and failing exit (isa-debug-exit);
//   - a CPU exception report: registers, the faulting instruction decoded,
//     a Go backtrace, then a failing exit (exception.go).
//
// The boot flow and the memory map are drawn in docs/boot-amd64.md. The
// QEMU flags the board expects are in qemu.mk, the link flags in build.mk.
//
// Files that touch the machine carry `//go:build tamago && amd64`; the rest
// (layout, PIT arithmetic, exception formatting) are plain Go tested on the
// host.
package microvm
