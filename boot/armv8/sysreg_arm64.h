// System register fields used by the board's assembly, composed into
// register values from named bits. Section numbers are those of a current
// (L.a-era) edition of the Arm Architecture Reference Manual for A-profile,
// DDI 0487, where AArch64 system registers are described in §D24.2; older
// editions number those pages differently, so registers are named too
// (docs/boot-arm64.md).

// PSTATE.CurrentEL: EL in bits [3:2] (Arm ARM D24.2 "CurrentEL").
#define CURRENTEL_SHIFT	2
#define CURRENTEL_MASK	3
#define EL1	1
#define EL2	2
#define EL3	3

// SPSR_ELx for an exception return to AArch64 (Arm ARM D24.2 "SPSR_EL3",
// "SPSR_EL2"; D1 "Exception return"): M[3:0] selects EL and stack pointer,
// D/A/I/F mask debug, SError, IRQ and FIQ.
#define SPSR_M_EL1H	0x5	// EL1 using SP_EL1
#define SPSR_M_EL1T	0x4	// EL1 using SP_EL0
#define SPSR_F	(1<<6)
#define SPSR_I	(1<<7)
#define SPSR_A	(1<<8)
#define SPSR_D	(1<<9)
#define SPSR_DAIF	(SPSR_D|SPSR_A|SPSR_I|SPSR_F)
#define SPSR_EL1H_MASKED	(SPSR_DAIF|SPSR_M_EL1H)

// SCR_EL3, Secure Configuration Register (Arm ARM D24.2.169).
#define SCR_NS	(1<<0)	// EL0/EL1 (and EL2) are Non-secure
#define SCR_RES1	(3<<4)	// bits [5:4] are RES1
#define SCR_HCE	(1<<8)	// HVC enabled at EL1 and above
#define SCR_RW	(1<<10)	// next lower EL is AArch64
// Non-secure, AArch64 below, IRQ/FIQ/SError not routed to EL3 (IRQ, FIQ,
// EA = 0), SMC enabled (SMD = 0).
#define SCR_EL3_VALUE	(SCR_RES1|SCR_NS|SCR_RW)

// HCR_EL2, Hypervisor Configuration Register (Arm ARM D24.2.62). RW = 1:
// EL1 is AArch64; VM, IMO, FMO, AMO, TGE, E2H = 0: EL2 is a pass-through,
// no stage 2 and interrupts go to EL1.
#define HCR_RW	(1<<31)
#define HCR_EL2_VALUE	HCR_RW

// CNTHCTL_EL2 with HCR_EL2.E2H = 0 (Arm ARM D24.2 "CNTHCTL_EL2"): EL1 may
// read the physical counter and use the physical timer.
#define CNTHCTL_EL1PCTEN	(1<<0)
#define CNTHCTL_EL1PCEN	(1<<1)
#define CNTHCTL_EL2_VALUE	(CNTHCTL_EL1PCTEN|CNTHCTL_EL1PCEN)

// CPTR_EL2 with HCR_EL2.E2H = 0 (Arm ARM D24.2 "CPTR_EL2"): bits 13:12,
// 9:8 and 7:0 are RES1 (TSM/TZ when SME/SVE exist: 1 traps them, which the
// kernel does not use); TFP (bit 10) = 0 lets EL1 use FP/SIMD.
#define CPTR_EL2_RES1	((3<<12)|(3<<8)|0xff)
#define CPTR_EL2_VALUE	CPTR_EL2_RES1

// CPTR_EL3 (Arm ARM D24.2 "CPTR_EL3"): 0 traps nothing for FP/SIMD (TFP = 0).
#define CPTR_EL3_VALUE	0

// ICC_SRE_EL3 / ICC_SRE_EL2 (ARM IHI 0069G §12.2.24 and the EL2 register
// beside it): SRE = 1
// selects the system-register CPU interface, Enable = 1 lets the next lower
// EL set its own SRE; DFB/DIB disable FIQ/IRQ bypass.
#define ICC_SRE_SRE	(1<<0)
#define ICC_SRE_DFB	(1<<1)
#define ICC_SRE_DIB	(1<<2)
#define ICC_SRE_ENABLE	(1<<3)
#define ICC_SRE_VALUE	(ICC_SRE_SRE|ICC_SRE_DFB|ICC_SRE_DIB|ICC_SRE_ENABLE)

// ID_AA64PFR0_EL1 (Arm ARM D24.2 "ID_AA64PFR0_EL1"): EL2 in bits [11:8]
// (0: not implemented), GIC in bits [27:24] (0: no system-register GIC
// CPU interface).
#define PFR0_EL2_SHIFT	8
#define PFR0_GIC_SHIFT	24
#define PFR0_FIELD_MASK	0xf

// CPACR_EL1.FPEN = 0b11: EL0 and EL1 FP/SIMD are not trapped (Arm ARM
// D24.2 "CPACR_EL1").
#define CPACR_FPEN	(3<<20)

// CNTKCTL_EL1.EL0VCTEN: EL0 may read CNTVCT_EL0 and CNTFRQ_EL0 (Arm ARM
// D24.2 "CNTKCTL_EL1"; docs/architecture.md §3).
#define CNTKCTL_EL0VCTEN	(1<<1)

// SCTLR_EL1 at reset of our EL1 (Arm ARM D24.2 "SCTLR_EL1"): MMU and data
// cache off (M = C = 0), alignment checks off (A = 0), SP alignment checks
// on at EL1 and EL0 (SA, SA0), instruction cache on (I). The bits the
// architecture marks RES1 in Armv8.0 (and that later versions gave
// meanings whose value 1 keeps the v8.0 behaviour) are set: EOS (11), TSCXT
// (20), EIS (22), SPAN (23), nTLSMD (28), LSMAOE (29).
#define SCTLR_M	(1<<0)
#define SCTLR_C	(1<<2)
#define SCTLR_SA	(1<<3)
#define SCTLR_SA0	(1<<4)
#define SCTLR_I	(1<<12)
#define SCTLR_RES1	((1<<11)|(1<<20)|(1<<22)|(1<<23)|(1<<28)|(1<<29))
#define SCTLR_EL1_BOOT	(SCTLR_RES1|SCTLR_I|SCTLR_SA|SCTLR_SA0)

// GICv3 registers the EL3 path touches to hand every interrupt to the
// Non-secure world (ARM IHI 0069G §12.9 GICD_IGROUPR<n> and GICD_CTLR in
// its Secure view: ARE_S bit 4, ARE_NS bit 5, EnableGrp1NS bit 1; §12.11
// GICR_IGROUPR0, in the SGI_base frame 64 KiB above RD_base, §12.10). The
// board passes the addresses (entry_arm64.s).
#define GICR_SGI_OFFSET	0x10000
#define GICD_CTLR	0x0
#define GICD_TYPER	0x4
#define GICD_IGROUPR	0x80
#define GICR_IGROUPR0	0x80
#define GICD_CTLR_EN_GRP1NS	(1<<1)
#define GICD_CTLR_ARE_S	(1<<4)
#define GICD_CTLR_ARE_NS	(1<<5)
#define GICD_TYPER_ITLINES_MASK	0x1f
#define ALL_GROUP1	0xffffffff

// Semihosting (Arm "Semihosting for AArch32 and AArch64" v2.0,
// ARM-software/abi-aa semihosting.rst, "The semihosting interface"): in
// AArch64, HLT #0xF000 with the operation number in W0 and the address of
// a parameter block in X1. "SYS_EXIT_EXTENDED (0x20)" takes the block
// {reason, subcode}; with reason ADP_Stopped_ApplicationExit (0x20026,
// "SYS_EXIT (0x18)" lists the reasons) QEMU exits with subcode as its
// status (QEMU semihosting/arm-compat-semi.c). QEMU only honours it when
// started with -semihosting.
#define SEMIHOST_SYS_EXIT_EXTENDED	0x20
#define ADP_STOPPED_APPLICATION_EXIT	0x20026
#define SEMIHOST_HLT_INSN	0xd45e0000	// hlt #0xf000 (Arm ARM C6.2 "HLT")
#define SEMIHOST_HLT	WORD	$SEMIHOST_HLT_INSN
// Without a debugger or emulator that answers semihosting, HLT is an
// undefined instruction (halting not allowed: Arm ARM C6.2 "HLT", H2.4
// "Halting allowed and halting prohibited"), taken with ESR_EL1.EC 0
// ("Unknown reason", D24.2 "ESR_EL1"); trapCommon steps over it.
#define EC_UNKNOWN	0

// IC IALLU, which the Go assembler has no name for: SYS #0, C7, C5, #0, XZR
// (Arm ARM C5.3 "IC IALLU", C6.2 "SYS": 0xd5080000 | op1<<16 | CRn<<12 |
// CRm<<8 | op2<<5 | Rt).
#define IC_IALLU	WORD	$0xd508751f

// EL2 and EL3 registers the Go assembler has no names for, written from
// X1 (or XZR) as "MSR <reg>, Xt" words: 0xd5100000 | o0<<19 | op1<<16 |
// CRn<<12 | CRm<<8 | op2<<5 | Rt with op0 = 0b11 (o0 = 1), Arm ARM C6.2
// "MSR (register)" and each register's "Accessing" encoding in D24.2.
#define MSR_SCR_EL3_X1	WORD	$0xd51e1101	// op1=6 CRn=1 CRm=1 op2=0
#define MSR_CPTR_EL3_X1	WORD	$0xd51e1141	// op1=6 CRn=1 CRm=1 op2=2
#define MSR_SPSR_EL3_X1	WORD	$0xd51e4001	// op1=6 CRn=4 CRm=0 op2=0
#define MSR_ELR_EL3_X1	WORD	$0xd51e4021	// op1=6 CRn=4 CRm=0 op2=1
#define MSR_ICC_SRE_EL3_X1	WORD	$0xd51ecca1	// op1=6 CRn=12 CRm=12 op2=5
#define MSR_SPSR_EL2_X1	WORD	$0xd51c4001	// op1=4 CRn=4 CRm=0 op2=0
#define MSR_ELR_EL2_X1	WORD	$0xd51c4021	// op1=4 CRn=4 CRm=0 op2=1
#define MSR_HCR_EL2_X1	WORD	$0xd51c1101	// op1=4 CRn=1 CRm=1 op2=0
#define MSR_CPTR_EL2_X1	WORD	$0xd51c1141	// op1=4 CRn=1 CRm=1 op2=2
#define MSR_HSTR_EL2_XZR	WORD	$0xd51c117f	// op1=4 CRn=1 CRm=1 op2=3
#define MSR_CNTHCTL_EL2_X1	WORD	$0xd51ce101	// op1=4 CRn=14 CRm=1 op2=0
#define MSR_CNTVOFF_EL2_XZR	WORD	$0xd51ce07f	// op1=4 CRn=14 CRm=0 op2=3
#define MSR_VPIDR_EL2_X1	WORD	$0xd51c0001	// op1=4 CRn=0 CRm=0 op2=0
#define MSR_VMPIDR_EL2_X1	WORD	$0xd51c00a1	// op1=4 CRn=0 CRm=0 op2=5
#define MSR_ICC_SRE_EL2_X1	WORD	$0xd51cc9a1	// op1=4 CRn=12 CRm=9 op2=5
