// Package arm64 implements the pmap contract (package pmap) with VMSAv8-64
// stage-1 translation tables for the EL1&0 translation regime: 4 KiB granule,
// 48-bit virtual addresses, four levels of lookup (L0 to L3).
//
// The translation table format, the register values and the TLB maintenance
// rules follow the Arm Architecture Reference Manual for A-profile
// architecture, DDI 0487 (called "Arm ARM" in comments), issue K.a: chapter
// D8, "The AArch64 Virtual Memory System Architecture", and D24.2, the
// AArch64 system register descriptions. Each citation also gives the
// section's title or the register's name, which stay stable between issues
// of the manual while the numbers move.
//
// # Address spaces
//
// A task's space (pmap.KindUser) and the kernel's identity map
// (pmap.KindKernel) both translate the lower half of the address space,
// [0, 1<<48), through TTBR0_EL1, each with its own ASID so a switch does not
// flush the TLB. Every mapping in the lower half is non-global (nG), the
// kernel's included, because every task owns the same range. The trap
// trampoline lives in the upper half, [0xffff000000000000, 1<<64), which
// TTBR1_EL1 translates for every space at once: System.CreateUpper makes that
// table, with global, EL1-only mappings.
//
// # Layout of the package
//
//   - entry.go: descriptor bits and the encoding of one mapping;
//   - addr.go: levels, the split of an address, argument checks;
//   - regs.go: MAIR_EL1, TCR_EL1 and TTBR values, ID register decoding;
//   - cpu.go: the CPU interface (what only the hardware can do);
//   - tlb.go: ASIDs, TLB maintenance, Activate and Prepare;
//   - system.go: the machine-wide half: spaces, physical pages;
//   - space.go, walk.go, ranges.go, maprange.go, fault.go: one address space;
//   - cpu_tamago.go, cpu_tamago_arm64.s: the bare-metal CPU (Hardware);
//   - qemusmoke/: a program that runs the package on QEMU virt's MMU
//     (TestQEMUSmoke, with TAMACH_QEMU=1).
//
// The encoding is plain Go, tested on any host against an independent
// software walker (walker_test.go) and a model TLB that checks the TLB
// maintenance the package performs.
package arm64
