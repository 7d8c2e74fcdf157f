package arm64

// A64 instruction encodings for the hand-built EL0 programs of the
// self-checks, from the encoding diagrams of the Arm ARM (DDI 0487 J.a)
// chapter C6.2, "Alphabetical list of A64 base instructions", and C7.2 for
// the floating-point ones. Register numbers are 0..30; 31 is XZR or SP as
// the instruction says. Tested against golden words (insn_test.go).

// a64Reg is a general-purpose register number, X0..X30.
type a64Reg uint32

const (
	a64Rd      = 0  // Rd / Rt field, bits [4:0]
	a64Rn      = 5  // Rn field, bits [9:5]
	a64Rm      = 16 // Rm field, bits [20:16]
	a64Imm16   = 5  // MOVZ/MOVK imm16 and SVC/BRK imm16, bits [20:5]
	a64HW      = 21 // MOVZ/MOVK hw (shift/16), bits [22:21]
	a64Imm12   = 10 // ADD (immediate) imm12, bits [21:10]
	a64Imm19   = 5  // CBZ/CBNZ imm19, bits [23:5]
	a64Imm26   = 0  // B imm26, bits [25:0]
	a64SysReg  = 5  // MRS o0:op1:CRn:CRm:op2, bits [19:5]
	imm19Mask  = 1<<19 - 1
	imm26Mask  = 1<<26 - 1
	insnSize   = 4
	movShift16 = 16
)

// Opcode bits of each instruction with its operand fields zero.
const (
	opMOVZ64   = 0xd2800000 // C6.2 "MOVZ", sf = 1
	opMOVK64   = 0xf2800000 // C6.2 "MOVK", sf = 1
	opSVC      = 0xd4000001 // C6.2 "SVC"
	opBRK      = 0xd4200000 // C6.2 "BRK"
	opSTR64    = 0xf9000000 // C6.2 "STR (immediate)", unsigned offset, size = 11
	opLDR64    = 0xf9400000 // C6.2 "LDR (immediate)", unsigned offset, size = 11
	opADDImm64 = 0x91000000 // C6.2 "ADD (immediate)", sf = 1, sh = 0
	opCBZ64    = 0xb4000000 // C6.2 "CBZ", sf = 1
	opB        = 0x14000000 // C6.2 "B"
	opMRS      = 0xd5300000 // C6.2 "MRS": op0 = 0b1x, o0 = bit [19]
	opFADDD    = 0x1e602800 // C7.2 "FADD (scalar)", ftype = 01 (double)
	opSYS      = 0xd5080000 // C6.2 "SYS": op1 [18:16], CRn [15:12], CRm [11:8], op2 [7:5]
)

// a64AT is AT <op>, Xt, the alias of SYS #op1, C7, C8, #op2, Xt (C6.2
// "AT"; C5.5, "A64 system instructions for address translation").
func a64AT(op1, op2 uint32, t a64Reg) uint32 {
	const crnAT, crmAT = 7, 8
	return opSYS | op1<<16 | crnAT<<12 | crmAT<<8 | op2<<5 | uint32(t)
}

// AT operations: S1E1R (stage 1, EL1, read) and S1E0R (stage 1, EL0, read).
const (
	atS1E1ROp2 = 0
	atS1E0ROp2 = 2
)

// System registers EL0 reads, as MRS's o0:op1:CRn:CRm:op2 (op0 = 0b11, so
// o0 = 1; encodings from each register's "Accessing" section in D19.2 and
// D19.12, the generic timer registers).
const (
	sysregCNTVCTEL0 = 1<<14 | 3<<11 | 14<<7 | 0<<3 | 2 // CNTVCT_EL0: op1 3, CRn 14, CRm 0, op2 2
	sysregTPIDREL0  = 1<<14 | 3<<11 | 13<<7 | 0<<3 | 2 // TPIDR_EL0: op1 3, CRn 13, CRm 0, op2 2
)

// a64MOVZ is MOVZ Xd, #imm, LSL #shift (shift 0, 16, 32 or 48).
func a64MOVZ(d a64Reg, imm uint16, shift uint) uint32 {
	return opMOVZ64 | uint32(shift/movShift16)<<a64HW | uint32(imm)<<a64Imm16 | uint32(d)<<a64Rd
}

// a64MOVK is MOVK Xd, #imm, LSL #shift.
func a64MOVK(d a64Reg, imm uint16, shift uint) uint32 {
	return opMOVK64 | uint32(shift/movShift16)<<a64HW | uint32(imm)<<a64Imm16 | uint32(d)<<a64Rd
}

// a64MOV64 loads the 64-bit constant v into Xd: MOVZ then one MOVK per
// further non-zero halfword. It always returns at least one word.
func a64MOV64(d a64Reg, v uint64) []uint32 {
	out := []uint32{a64MOVZ(d, uint16(v), 0)}
	for shift := uint(16); shift < 64; shift += 16 {
		if h := uint16(v >> shift); h != 0 {
			out = append(out, a64MOVK(d, h, shift))
		}
	}
	return out
}

// a64SVC is SVC #imm.
func a64SVC(imm uint16) uint32 { return opSVC | uint32(imm)<<a64Imm16 }

// a64BRK is BRK #imm.
func a64BRK(imm uint16) uint32 { return opBRK | uint32(imm)<<a64Imm16 }

// a64STR is STR Xt, [Xn].
func a64STR(t, n a64Reg) uint32 { return opSTR64 | uint32(n)<<a64Rn | uint32(t)<<a64Rd }

// a64LDR is LDR Xt, [Xn].
func a64LDR(t, n a64Reg) uint32 { return opLDR64 | uint32(n)<<a64Rn | uint32(t)<<a64Rd }

// a64ADDImm is ADD Xd, Xn, #imm (imm < 4096).
func a64ADDImm(d, n a64Reg, imm uint32) uint32 {
	return opADDImm64 | (imm&0xfff)<<a64Imm12 | uint32(n)<<a64Rn | uint32(d)<<a64Rd
}

// a64CBZ is CBZ Xt, pc+off (off a multiple of 4, within +/-1 MiB).
func a64CBZ(t a64Reg, off int32) uint32 {
	return opCBZ64 | uint32(off/insnSize)&imm19Mask<<a64Imm19 | uint32(t)<<a64Rd
}

// a64B is B pc+off (off a multiple of 4, within +/-128 MiB).
func a64B(off int32) uint32 { return opB | uint32(off/insnSize)&imm26Mask<<a64Imm26 }

// a64MRS is MRS Xt, <sysreg>.
func a64MRS(t a64Reg, sysreg uint32) uint32 { return opMRS | sysreg<<a64SysReg | uint32(t)<<a64Rd }

// a64FADDD is FADD Dd, Dn, Dm.
func a64FADDD(d, n, m uint32) uint32 { return opFADDD | m<<a64Rm | n<<a64Rn | d<<a64Rd }
