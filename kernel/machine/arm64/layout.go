package arm64

import "github.com/tamach/tamach/pmap"

// Kernel virtual layout outside the identity map (docs/trap-arm64.md draws
// it). Every task owns the lower half, [0, 2^48), translated by TTBR0_EL1;
// the kernel's identity map is a TTBR0 space of its own with a pinned ASID.
// The upper half, [0xffff_0000_0000_0000, 2^64), is translated by TTBR1_EL1
// for every space at once (Arm ARM D8.2, "Translation process": with
// TCR_EL1.T1SZ = 16 VA[63:48] all ones selects TTBR1_EL1); it holds only the
// trap trampoline, EL1-only and global:
//
//	0xffff_ff80_0000_0000  TrampolineVA: the pages of kernel text holding
//	                         the trampoline (read/execute, EL1 only); the
//	                         trampoline's vector table is at
//	                         TrampolineVA + (its address & 0xfff)
//	0xffff_ff80_0001_0000  TrapAreaVA: the per-CPU trap area (read/write,
//	                         EL1 only, never executable)
//	0x0000_6000_0000_0000  ScratchVA: pmap-scratch self-check page, in the
//	                         kernel's TTBR0 space only, mapped during the check
const (
	// ScratchVA is where the pmap-scratch check maps its frame.
	ScratchVA pmap.VAddr = 0x0000_6000_0000_0000

	// TrampolineVA is where the trampoline's text pages are mapped in
	// the TTBR1 half.
	TrampolineVA pmap.VAddr = 0xffff_ff80_0000_0000

	// TrapAreaVA is where the per-CPU trap area is mapped in the TTBR1
	// half. trampoline_arm64.s uses the same value (TRAP_AREA_VA).
	TrapAreaVA pmap.VAddr = 0xffff_ff80_0001_0000

	// trampolinePages bounds the trampoline's text, in pages.
	trampolinePages = 3
)
