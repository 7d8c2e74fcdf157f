//go:build tamago && arm64

package arm64

import (
	"github.com/tamach/tamach/pmap"

	cpu "github.com/tamach/tamach/cpu/arm64"
)

// HardwareCPU is the CPU of the machine the kernel runs on: system register
// accesses and TLB maintenance at EL1, by the assembly leaves in
// cpu_tamago_arm64.s. Its methods may only run at EL1.
type HardwareCPU struct{}

var _ CPU = HardwareCPU{}

// MMFR0 implements CPU.
func (HardwareCPU) MMFR0() uint64 { return cpu.ReadMMFR0() }

// MMFR1 implements CPU.
func (HardwareCPU) MMFR1() uint64 { return cpu.ReadMMFR1() }

// SetTTBR0 implements CPU.
func (HardwareCPU) SetTTBR0(v uint64) { writeTTBR0(v) }

// SetTTBR1 implements CPU.
func (HardwareCPU) SetTTBR1(v uint64) { writeTTBR1(v) }

// InvalidatePage implements CPU.
func (HardwareCPU) InvalidatePage(asid ASID, va pmap.VAddr) { tlbiVAE1IS(tlbiVA(asid, va)) }

// InvalidateASID implements CPU.
func (HardwareCPU) InvalidateASID(asid ASID) { tlbiASIDE1IS(tlbiASID(asid)) }

// InvalidateAll implements CPU.
func (HardwareCPU) InvalidateAll() { tlbiVMALLE1IS() }

// Sync implements CPU.
func (HardwareCPU) Sync() { syncTables() }

// writeTTBR0 writes TTBR0_EL1, then ISB. Defined in cpu_tamago_arm64.s.
func writeTTBR0(v uint64)

// writeTTBR1 writes TTBR1_EL1, then ISB. Defined in cpu_tamago_arm64.s.
func writeTTBR1(v uint64)

// tlbiVAE1IS runs DSB ISHST; TLBI VAE1IS, op; DSB ISH; ISB. Defined in
// cpu_tamago_arm64.s.
func tlbiVAE1IS(op uint64)

// tlbiASIDE1IS runs DSB ISHST; TLBI ASIDE1IS, op; DSB ISH; ISB. Defined in
// cpu_tamago_arm64.s.
func tlbiASIDE1IS(op uint64)

// tlbiVMALLE1IS runs DSB ISHST; TLBI VMALLE1IS; DSB ISH; ISB. Defined in
// cpu_tamago_arm64.s.
func tlbiVMALLE1IS()

// syncTables runs DSB ISHST; ISB. Defined in cpu_tamago_arm64.s.
func syncTables()
