//go:build tamago && amd64

package amd64

import (
	"github.com/tamach/tamach/pmap"

	cpu "github.com/tamach/tamach/cpu/amd64"
)

// cr3PCIDBits are CR3[11:0], which must be 0 to set CR4.PCIDE (Intel SDM
// Vol. 3A §4.10.1).
const cr3PCIDBits = uint64(maxPCID)

// INVPCID types (Intel SDM Vol. 2A, INVPCID; Vol. 3A §4.10.4.1).
const (
	invpcidAddress = 0 // individual-address invalidation
	invpcidContext = 1 // single-context invalidation
)

// The TLB leaves, defined in cpu_tamago_amd64.s; the register leaves are
// cpu/amd64's.

// invlpg executes INVLPG on the byte at va. Defined in cpu_tamago_amd64.s.
func invlpg(va uint64)

// invpcid executes INVPCID with the given type and a descriptor holding pcid
// and va. Defined in cpu_tamago_amd64.s.
func invpcid(typ, pcid, va uint64)

// HardwareCPU is the processor the kernel runs on. It implements CPU.
type HardwareCPU struct {
	detected Features
}

// NewHardwareCPU reads the processor's paging features with CPUID.
func NewHardwareCPU() *HardwareCPU {
	return &HardwareCPU{detected: DetectFeatures(cpu.CPUID)}
}

// Enable turns on what the processor has of IA32_EFER.NXE and CR4.PCIDE.
// Precondition: long mode with paging on, interrupts off, and CR3[11:0] = 0
// (true of TamaGo's boot tables); otherwise PCIDs stay off.
func (c *HardwareCPU) Enable() Features {
	if c.detected.NX {
		cpu.WriteMSR(cpu.MSREFER, cpu.ReadMSR(cpu.MSREFER)|cpu.EFERNXE)
	}
	if c.detected.PCID && cpu.ReadCR3()&cr3PCIDBits == 0 {
		cpu.WriteCR4(cpu.ReadCR4() | cpu.CR4PCIDE)
	}
	return c.Features()
}

// Features implements CPU: the detected features the kernel has turned on.
func (c *HardwareCPU) Features() Features {
	f := c.detected
	f.PCID = f.PCID && cpu.ReadCR4()&cpu.CR4PCIDE != 0
	f.INVPCID = f.INVPCID && f.PCID
	f.NX = f.NX && cpu.ReadMSR(cpu.MSREFER)&cpu.EFERNXE != 0
	return f
}

// LoadCR3 implements CPU.
func (c *HardwareCPU) LoadCR3(v CR3) { cpu.WriteCR3(uint64(v)) }

// InvalidatePage implements CPU.
func (c *HardwareCPU) InvalidatePage(va pmap.VAddr) { invlpg(uint64(va)) }

// InvalidateAddress implements CPU.
func (c *HardwareCPU) InvalidateAddress(pcid PCID, va pmap.VAddr) {
	invpcid(invpcidAddress, uint64(pcid), uint64(va))
}

// InvalidateContext implements CPU.
func (c *HardwareCPU) InvalidateContext(pcid PCID) {
	invpcid(invpcidContext, uint64(pcid), 0)
}
