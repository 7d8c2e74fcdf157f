// Package arm64 implements the pmap contract (package pmap) with VMSAv8-64
// stage-1 translation tables for the EL1&0 translation regime: 4 KiB granule,
// 48-bit virtual addresses, four levels of lookup (L0 to L3).
//
// The translation table format, the register values and the TLB maintenance
// rules follow the Arm Architecture Reference Manual for A-profile
// architecture, DDI 0487 (called "Arm ARM" in comments), issue K.a: chapter
// D8, "The AArch64 Virtual Memory System Architecture" (D8.2 the walk, D8.3
// the descriptor formats, D8.4 access permissions, D8.5 the Access flag and
// the dirty state, D8.13 and D8.14 TLBs and their maintenance, D8.16
// break-before-make), and D24.2, the AArch64 system register descriptions.
// Each citation also gives the section's title or the register's name,
// which stay stable between issues of the manual while the numbers move.
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
// A file has the same name as its counterpart in pmap/amd64, which holds the
// same role for the x86-64 format (docs/pmap.md has the table):
//
//   - entry.go: type entry, the descriptor bits, table descriptors, and the
//     encoding of one mapping (leafAttrs, leafEntry) and its decoding;
//   - addr.go: levels, the split of an address into table indices, the two
//     halves, argument checks;
//   - table_unsafe.go: a table frame seen as 512 entries;
//   - walk.go: the walk that creates tables and splits blocks, lookup,
//     freeing tables, atomic leaf updates;
//   - ranges.go: Remove and Protect, the range walker;
//   - maprange.go: MapRange with the largest blocks that fit;
//   - tlb.go: ASIDs and their generations, TLB maintenance, Activate and
//     Prepare;
//   - cpu.go: the CPU interface (what only the hardware can do);
//   - regs.go: Features from the ID registers, and the MAIR_EL1, TCR_EL1,
//     TTBR0_EL1 and TLBI operand values;
//   - space.go: Space, one address space (pmap.Pmap);
//   - system.go: System, the machine-wide half (pmap.System): spaces, the
//     reverse map, referenced and modified;
//   - simulate.go: Access, the walk and its Access flag and dirty state
//     updates done in software, for host simulations;
//   - cpu_tamago.go, cpu_tamago_arm64.s: the bare-metal CPU (HardwareCPU).
//
// One file has no counterpart: fault.go, FastFault, the software Access
// flag and dirty state for CPUs without FEAT_HAFDBS (x86-64 sets Accessed
// and Dirty in hardware).
//
// The encoding is plain Go, tested on any host against an independent
// software walker (walker_test.go) and a model TLB (fakecpu_test.go) that
// checks the TLB maintenance the package performs. The kernel's boot
// self-checks pmap-kernel and pmap-scratch run it on QEMU virt's MMU.
package arm64
