// Package amd64 is the one home of what tamach knows about the x86-64 CPU
// itself, below every other package that needs it (boot/microvm,
// kernel/machine/amd64, pmap/amd64, kernel/task):
//
//   - the architectural numbers: exception vectors and their names, the
//     page-fault error code, control-register, RFLAGS and MSR bits
//     (vectors.go, regs.go), with the Intel SDM section beside each;
//   - the IDT gate encoding both IDTs use (gate.go);
//   - the CPUID feature flags the kernel reports (cpuid.go);
//   - the register leaves: one or two instructions each, declared in
//     leaves.go and written in leaves_amd64.s, built only for GOOS=tamago.
//
// Everything but the leaves is plain Go, tested on the host. Importers name
// the package cpu: cpu.ReadCR3(), cpu.VectorPF.
package amd64
