// Package amd64 implements the pmap contract (package pmap) with the 4-level
// paging of x86-64 long mode: 48-bit linear addresses, four levels of tables
// (PML4, PDPT, PD, PT), 4 KiB pages for everything the vm system maps and
// 2 MiB and 1 GiB pages for the kernel's identity map.
//
// The entry format, the register values and the TLB maintenance rules follow
// the Intel 64 and IA-32 Architectures Software Developer's Manual (called
// "Intel SDM", or just "§" in comments), Volume 3A, chapter 4, "Paging":
// §4.5 4-level paging (Figure 4-8 the address split, Tables 4-12 and 4-13
// CR3, Tables 4-15 to 4-20 the entries), §4.6 access rights, §4.8 the
// accessed and dirty flags, §4.9 memory types, §4.10 TLBs, PCIDs and their
// invalidation. CPUID is in Volume 2A; canonical addresses in Volume 1
// §3.3.7.1.
//
// # Address spaces
//
// A task's space (pmap.KindUser) owns the lower canonical half, [0, 1<<47);
// the upper half, [0xffff800000000000, 1<<64), is the kernel's range, where
// a user space holds only Kernel-flagged mappings: the trap trampoline, at
// the same address in every space. The kernel's identity map
// (pmap.KindKernel) is a space of its own, with PCID 0. Each user space gets
// a PCID when the CPU has them, so a switch need not flush the TLB; nothing
// is mapped Global.
//
// # Layout of the package
//
// A file has the same name as its counterpart in pmap/arm64, which holds the
// same role for the VMSAv8-64 format (docs/pmap.md has the table):
//
//   - entry.go: type entry, the entry bits, table entries, and the encoding
//     of one mapping (leafAttrs, leafEntry) and its decoding;
//   - addr.go: levels, the split of a linear address into table indices,
//     canonical halves, argument checks;
//   - table_unsafe.go: a table frame seen as 512 entries;
//   - walk.go: the walk that creates tables and splits large pages, lookup,
//     freeing a table;
//   - ranges.go: Remove and Protect, the range walker;
//   - maprange.go: MapRange with the largest pages that fit;
//   - tlb.go: PCIDs and their generations, TLB invalidation, Activate and
//     Prepare;
//   - cpu.go: the CPU interface (what only the processor can do);
//   - regs.go: Features from CPUID, and the CR3 value;
//   - space.go: Space, one address space (pmap.Pmap);
//   - system.go: System, the machine-wide half (pmap.System): spaces, the
//     reverse map, referenced and modified;
//   - simulate.go: Access, the page walk and its A/D updates done in
//     software, for host simulations;
//   - cpu_tamago.go, cpu_tamago_amd64.s: the bare-metal CPU (HardwareCPU).
//
// pmap/arm64 has one file more, fault.go, for the Access flag and dirty
// state it emulates with faults on CPUs without FEAT_HAFDBS. An x86-64
// processor sets Accessed and Dirty itself (§4.8), so here FastFault
// (space.go) always returns false.
//
// The encoding is plain Go, tested on any host against an MMU written from
// the manual (walker_test.go) and a PCID-tagged model TLB (fakecpu_test.go)
// that checks the TLB maintenance the package performs. The kernel's boot
// self-checks pmap-kernel and pmap-scratch run it on the real MMU.
package amd64
