// Package arm64 is the one home of what tamach knows about the AArch64 CPU
// itself, below every other package that needs it (boot/armv8,
// kernel/machine/arm64, pmap/arm64, kernel/task):
//
//   - the exception syndrome: ESR_EL1 classes, fields and fault status
//     codes, decoded for reports and for the trap path (esr.go);
//   - the layout of a VBAR_EL1 vector table (vectors.go);
//   - the system-register leaves: one MRS each, declared in leaves.go and
//     written in leaves_arm64.s, built only for GOOS=tamago.
//
// Section numbers are those of the Arm Architecture Reference Manual for
// A-profile ("Arm ARM"), DDI 0487; the register pages moved from D19.2 (J.a)
// to D24.2 (K.a, L.a), so every register is named too. Everything but the
// leaves is plain Go, tested on the host. Importers name the package cpu.
package arm64
