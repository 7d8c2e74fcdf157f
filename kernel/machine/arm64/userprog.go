package arm64

// The usermode self-check's EL0 program, hand-assembled (insn.go). It is
// plain Go so that the host tests can decode it (a64prog_test.go).

// Addresses and values the program and the check agree on.
const (
	umCodeVA  = 0x40_0000 // the program's page: TamaGo user text starts at 4 MiB
	umDataVA  = 0x60_0000 // unmapped until the program's store faults on it
	umStoreAt = umDataVA + 8
	umStored  = 0x5a5a
	umArgBase = 0x1000 // x0..x5 = umArgBase + i at the first SVC

	// System call numbers the program uses (x8), none of them Linux's.
	umSysHello = 0x7a1 // stage 1: registers known
	umSysState = 0x7a2 // stage 2 done: x11 read back, x16 TPIDR_EL0, d2, x17 CNTVCT_EL0
	umSysDone  = 0x7a3 // stage 4 done: x12 counts the spin loop
	umSysNull  = 0x7a4 // the null system call of the measurement loop
)

// umProgram returns the EL0 program. kernelVA1 and kernelVA2 are kernel
// addresses the program loads from in stage 4 (each load must fault; the
// check skips it).
//
// Stage 1: SVC with known registers. Stage 2: store to umDataVA+8, which
// faults until the check maps a page there; read it back, read TPIDR_EL0
// and CNTVCT_EL0, add d0 + d1 into d2, SVC. Stage 3: count in x12 until x13
// is non-zero (the check sets it after the timer preempted the loop).
// Stage 4: two loads from kernel addresses, then SVC. Then SVC forever.
func umProgram(kernelVA1, kernelVA2 uint64) []uint32 {
	var p []uint32
	emit := func(w ...uint32) { p = append(p, w...) }
	// Stage 1.
	emit(a64MOVZ(8, umSysHello, 0)) // mov x8, #umSysHello
	for r := a64Reg(0); r < 6; r++ {
		emit(a64MOVZ(r, umArgBase+uint16(r), 0)) // mov xr, #umArgBase+r
	}
	emit(a64SVC(0)) // svc #0
	// Stage 2.
	emit(a64MOV64(9, umStoreAt)...)   // mov x9, #umStoreAt
	emit(a64MOVZ(10, umStored, 0))    // mov x10, #umStored
	emit(a64STR(10, 9))               // str x10, [x9]: page fault, write
	emit(a64LDR(11, 9))               // ldr x11, [x9]
	emit(a64MRS(16, sysregTPIDREL0))  // mrs x16, tpidr_el0
	emit(a64FADDD(2, 0, 1))           // fadd d2, d0, d1
	emit(a64MRS(17, sysregCNTVCTEL0)) // mrs x17, cntvct_el0
	emit(a64MOVZ(8, umSysState, 0))   // mov x8, #umSysState
	emit(a64SVC(0))                   // svc #0
	// Stage 3.
	emit(a64MOVZ(12, 0, 0))     // mov x12, #0
	emit(a64MOVZ(13, 0, 0))     // mov x13, #0
	emit(a64ADDImm(12, 12, 1))  // loop: add x12, x12, #1
	emit(a64CBZ(13, -insnSize)) // cbz x13, loop
	// Stage 4.
	emit(a64MOV64(14, kernelVA1)...) // mov x14, #kernelVA1
	emit(a64LDR(15, 14))             // ldr x15, [x14]: must fault
	emit(a64MOV64(14, kernelVA2)...) // mov x14, #kernelVA2
	emit(a64LDR(15, 14))             // ldr x15, [x14]: must fault
	emit(a64MOVZ(8, umSysDone, 0))   // mov x8, #umSysDone
	emit(a64SVC(0))                  // svc #0
	// The measurement loop.
	emit(a64MOVZ(8, umSysNull, 0)) // mov x8, #umSysNull
	emit(a64SVC(0))                // null: svc #0
	emit(a64B(-insnSize))          // b null
	return p
}
