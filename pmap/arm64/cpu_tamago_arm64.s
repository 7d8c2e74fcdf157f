//go:build tamago

// Assembly leaves of Hardware (cpu_tamago.go). Barrier options (Arm ARM
// C6.2, "DSB"): 0b1010 = ISHST (stores, Inner Shareable), 0b1011 = ISH,
// 0b1111 = SY. TLBI operands are built in Go (regs.go). Encodings checked
// with go tool objdump: DSB $10 = d5033a9f (dsb ishst), DSB $11 = d5033b9f
// (dsb ish), TLBI VAE1IS, R0 = d5088320, TLBI ASIDE1IS, R0 = d5088340,
// TLBI VMALLE1IS = d508831f, MSR R0, TTBR0_EL1 = d5182000.

#include "textflag.h"

// func writeTTBR0(v uint64)
TEXT ·writeTTBR0(SB),NOSPLIT,$0-8
	MOVD	v+0(FP), R0
	MSR	R0, TTBR0_EL1
	ISB	$15
	RET

// func writeTTBR1(v uint64)
TEXT ·writeTTBR1(SB),NOSPLIT,$0-8
	MOVD	v+0(FP), R0
	MSR	R0, TTBR1_EL1
	ISB	$15
	RET

// func tlbiVAE1IS(op uint64)
TEXT ·tlbiVAE1IS(SB),NOSPLIT,$0-8
	MOVD	op+0(FP), R0
	DSB	$10	// DSB ISHST
	TLBI	VAE1IS, R0
	DSB	$11	// DSB ISH
	ISB	$15
	RET

// func tlbiASIDE1IS(op uint64)
TEXT ·tlbiASIDE1IS(SB),NOSPLIT,$0-8
	MOVD	op+0(FP), R0
	DSB	$10	// DSB ISHST
	TLBI	ASIDE1IS, R0
	DSB	$11	// DSB ISH
	ISB	$15
	RET

// func tlbiVMALLE1IS()
TEXT ·tlbiVMALLE1IS(SB),NOSPLIT,$0-0
	DSB	$10	// DSB ISHST
	TLBI	VMALLE1IS
	DSB	$11	// DSB ISH
	ISB	$15
	RET

// func syncTables()
TEXT ·syncTables(SB),NOSPLIT,$0-0
	DSB	$10	// DSB ISHST
	ISB	$15
	RET

// Cache maintenance by address (Arm ARM C6.2 "DC", "IC"; C5.3 system
// instruction encodings SYS #op1, Cn, Cm, #op2, Xt). The assembler has no
// mnemonic for them, so they are WORDs with Xt = R0:
// DC CIVAC = SYS #3, C7, C14, #1 = d50b7e20; DC CVAU = SYS #3, C7, C11, #1
// = d50b7b20; IC IVAU = SYS #3, C7, C5, #1 = d50b7520.

// func readCTR() uint64
TEXT ·readCTR(SB),NOSPLIT,$0-8
	MRS	CTR_EL0, R0
	MOVD	R0, ret+0(FP)
	RET

// func dcCIVAC(addr uint64)
TEXT ·dcCIVAC(SB),NOSPLIT,$0-8
	MOVD	addr+0(FP), R0
	WORD	$0xd50b7e20	// DC CIVAC, X0
	RET

// func dcCVAU(addr uint64)
TEXT ·dcCVAU(SB),NOSPLIT,$0-8
	MOVD	addr+0(FP), R0
	WORD	$0xd50b7b20	// DC CVAU, X0
	RET

// func icIVAU(addr uint64)
TEXT ·icIVAU(SB),NOSPLIT,$0-8
	MOVD	addr+0(FP), R0
	WORD	$0xd50b7520	// IC IVAU, X0
	RET

// func dsbSY()
TEXT ·dsbSY(SB),NOSPLIT,$0-0
	DSB	$15	// DSB SY
	RET

// func dsbISH()
TEXT ·dsbISH(SB),NOSPLIT,$0-0
	DSB	$11	// DSB ISH
	RET

// func isb()
TEXT ·isb(SB),NOSPLIT,$0-0
	ISB	$15
	RET

// func zeroFrame(addr uintptr, block uint64)
//
// DC ZVA, Xt zeroes the naturally aligned block holding Xt (Arm ARM C6.2
// "DC ZVA"); the block's size comes from DCZID_EL0 (zvaBlock), and a page
// is aligned to any block size up to 2 KiB. The stores it makes are ordered
// like any others by the DSB that publishes the page's mapping (Sync).
TEXT ·zeroFrame(SB),NOSPLIT,$0-16
	MOVD	addr+0(FP), R0
	MOVD	block+8(FP), R2
	ADD	$4096, R0, R3
loop:
	DC	ZVA, R0
	ADD	R2, R0
	DC	ZVA, R0
	ADD	R2, R0
	DC	ZVA, R0
	ADD	R2, R0
	DC	ZVA, R0
	ADD	R2, R0
	DC	ZVA, R0
	ADD	R2, R0
	DC	ZVA, R0
	ADD	R2, R0
	DC	ZVA, R0
	ADD	R2, R0
	DC	ZVA, R0
	ADD	R2, R0
	CMP	R3, R0
	BNE	loop
	RET
