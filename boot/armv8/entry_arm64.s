//go:build tamago

// Entry is the shared first code of every arm64 board: the board's cpuinit
// (the symbol runtime/goos.CPUInit jumps to, which QEMU or U-Boot reaches
// through the ELF entry _rt0_arm64_tamago) loads its GIC addresses and
// branches here, with the CPU as the loader left it: MMU and data cache off,
// DAIF masked, at EL3, EL2 or EL1 (docs/boot-arm64.md). Entry drops to EL1,
// sets up EL1's own registers and the boot stack, and enters the Go
// runtime. The build tag linkcpuinit keeps TamaGo's arm64 package from
// linking its own EL3-only cpuinit.
//
// Inputs, from the board's cpuinit:
//   R19  GIC distributor base, for the EL3 hand-over of the GIC to the
//        Non-secure world (gicGroups3); 0 skips it
//   R20  the GICv3 redistributor of CPU 0 (RD_base; SGI_base follows)

#include "textflag.h"
#include "sysreg_arm64.h"

// func Entry()
TEXT ·Entry(SB),NOSPLIT|NOFRAME,$0
	// A loader that ran with caches on (U-Boot's go command) may leave
	// stale lines of whatever ran here before: invalidate the instruction
	// cache to the point of unification (Arm ARM C5.3 "IC IALLU"; D7
	// "Caches", instruction cache maintenance) before EL1 turns its
	// instruction cache on.
	IC_IALLU
	DSB	$0xf
	ISB	$15

	MRS	CurrentEL, R0
	LSR	$CURRENTEL_SHIFT, R0, R0
	AND	$CURRENTEL_MASK, R0, R0
	MOVD	$·entryEL(SB), R1
	MOVD	R0, (R1)

	CMP	$EL3, R0
	BEQ	fromEL3
	CMP	$EL2, R0
	BEQ	fromEL2
	B	atEL1<>(SB)

fromEL3:
	// EL3 stays configured for a Non-secure AArch64 EL1 below it; the
	// drop goes straight from EL3 to EL1 (an exception return may target
	// any lower EL, Arm ARM D1 "Exception return"), with EL2, if it is
	// implemented, set up as a pass-through first.
	MOVD	$CPTR_EL3_VALUE, R1
	MSR_CPTR_EL3_X1
	BL	gicSRE3<>(SB)
	BL	gicGroups3<>(SB)
	BL	el2PassThrough<>(SB)
	MOVD	$SCR_EL3_VALUE, R1
	MRS	ID_AA64PFR0_EL1, R2
	UBFX	$PFR0_EL2_SHIFT, R2, $4, R2
	CBZ	R2, scrDone
	ORR	$SCR_HCE, R1, R1	// EL2 exists: HVC reaches it
scrDone:
	MSR_SCR_EL3_X1
	MOVD	$SPSR_EL1H_MASKED, R1
	MSR_SPSR_EL3_X1
	MOVD	$atEL1<>(SB), R1
	MSR_ELR_EL3_X1
	ISB	$15
	ERET

fromEL2:
	BL	el2PassThrough<>(SB)
	MOVD	$SPSR_EL1H_MASKED, R1
	MSR_SPSR_EL2_X1
	MOVD	$atEL1<>(SB), R1
	MSR_ELR_EL2_X1
	ISB	$15
	ERET

// atEL1 runs at EL1 whatever the entry EL: EL1's control registers, the
// exception vectors, FP/SIMD access, EL0 counter access, then the boot
// stack at the top of the Go heap window and the TamaGo runtime.
TEXT atEL1<>(SB),NOSPLIT|NOFRAME,$0
	MOVD	$SCTLR_EL1_BOOT, R1
	MSR	R1, SCTLR_EL1
	MOVD	$·vectors(SB), R1
	MSR	R1, VBAR_EL1
	MRS	CPACR_EL1, R1
	ORR	$CPACR_FPEN, R1, R1
	MSR	R1, CPACR_EL1
	MOVD	$CNTKCTL_EL0VCTEN, R1
	MSR	R1, CNTKCTL_EL1
	ISB	$15

	MOVD	runtime∕goos·RamStart(SB), R1
	MOVD	runtime∕goos·RamSize(SB), R2
	MOVD	runtime∕goos·RamStackOffset(SB), R3
	ADD	R2, R1, R1
	SUB	R3, R1, R1
	MOVD	R1, RSP
	B	_rt0_tamago_start(SB)

// el2PassThrough configures EL2, when it is implemented, so that it neither
// traps nor translates anything EL1 does: EL1 in AArch64, no stage 2,
// interrupts routed to EL1, the counters and timers usable from EL1, FP
// not trapped, and MIDR/MPIDR reads at EL1 returning the real values.
// Called at EL3 or EL2. Clobbers R1, R2.
TEXT el2PassThrough<>(SB),NOSPLIT|NOFRAME,$0
	MRS	ID_AA64PFR0_EL1, R2
	UBFX	$PFR0_EL2_SHIFT, R2, $4, R1
	CBZ	R1, noEL2
	MOVD	$HCR_EL2_VALUE, R1
	MSR_HCR_EL2_X1
	MOVD	$CNTHCTL_EL2_VALUE, R1
	MSR_CNTHCTL_EL2_X1
	MSR_CNTVOFF_EL2_XZR	// CNTVCT_EL0 = CNTPCT_EL0
	MOVD	$CPTR_EL2_VALUE, R1
	MSR_CPTR_EL2_X1
	MSR_HSTR_EL2_XZR
	MRS	MIDR_EL1, R1
	MSR_VPIDR_EL2_X1
	MRS	MPIDR_EL1, R1
	MSR_VMPIDR_EL2_X1
	UBFX	$PFR0_GIC_SHIFT, R2, $4, R1
	CBZ	R1, noEL2
	MOVD	$ICC_SRE_VALUE, R1
	MSR_ICC_SRE_EL2_X1
noEL2:
	ISB	$15
	RET

// gicSRE3 enables the GICv3 system-register interface at EL3 and lets the
// lower ELs enable theirs. Called at EL3. Clobbers R1, R2.
TEXT gicSRE3<>(SB),NOSPLIT|NOFRAME,$0
	MRS	ID_AA64PFR0_EL1, R2
	UBFX	$PFR0_GIC_SHIFT, R2, $4, R1
	CBZ	R1, noGIC3
	MOVD	$ICC_SRE_VALUE, R1
	MSR_ICC_SRE_EL3_X1
	ISB	$15
noGIC3:
	RET

// gicGroups3 puts every interrupt in Group 1 Non-secure and turns on
// affinity routing for both security states, as Secure firmware does before
// starting a Non-secure OS: with EL3 present the GIC may keep two security
// states (GICD_CTLR.DS = 0), and then only Secure accesses may change
// groups. On a GIC with one security state the writes are harmless: the
// groups are Group 1 already and bit 5 of GICD_CTLR is RES0. The board
// passes the distributor in R19 (0: no hand-over) and CPU 0's
// redistributor in R20. Called at EL3 with the MMU off. Clobbers R1-R4.
TEXT gicGroups3<>(SB),NOSPLIT|NOFRAME,$0
	CBZ	R19, groupsDone
	MRS	ID_AA64PFR0_EL1, R2
	UBFX	$PFR0_GIC_SHIFT, R2, $4, R1
	CBZ	R1, groupsDone
	MOVD	R19, R1
	MOVW	GICD_CTLR(R1), R2
	ORR	$(GICD_CTLR_ARE_S|GICD_CTLR_ARE_NS), R2, R2
	MOVW	R2, GICD_CTLR(R1)
	MOVW	GICD_TYPER(R1), R2
	AND	$GICD_TYPER_ITLINES_MASK, R2, R2	// SPI registers: 1..ITLinesNumber
	MOVW	$ALL_GROUP1, R3
	ADD	$GICD_IGROUPR, R1, R4
groupLoop:
	CBZ	R2, groupsSGI
	ADD	$4, R4, R4
	MOVW	R3, (R4)
	SUB	$1, R2, R2
	B	groupLoop
groupsSGI:
	ADD	$GICR_SGI_OFFSET, R20, R1
	MOVW	R3, GICR_IGROUPR0(R1)
groupsDone:
	RET
