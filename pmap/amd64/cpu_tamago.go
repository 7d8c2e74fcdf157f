//go:build tamago && amd64

package amd64

import "github.com/tamach/tamach/pmap"

// Control-register and MSR bits HardwareCPU uses.
const (
	// cr4PCIDE (CR4 bit 17) enables process-context identifiers; it can
	// be set only in IA-32e mode and while CR3[11:0] = 0 (Intel SDM Vol.
	// 3A §2.5, §4.10.1).
	cr4PCIDE = 1 << 17
	// msrEFER is the IA32_EFER MSR (Intel SDM Vol. 4, Table 2-2; Vol. 3A
	// §2.2.1).
	msrEFER = 0xc000_0080
	// eferNXE (IA32_EFER bit 11) makes bit 63 of paging entries XD
	// (Intel SDM Vol. 3A §4.1.3, §4.6).
	eferNXE = 1 << 11
	// cr3PCIDBits are CR3[11:0], which must be 0 to set CR4.PCIDE.
	cr3PCIDBits = uint64(maxPCID)
)

// INVPCID types (Intel SDM Vol. 2A, INVPCID; Vol. 3A §4.10.4.1).
const (
	invpcidAddress = 0 // individual-address invalidation
	invpcidContext = 1 // single-context invalidation
)

// cpuid executes CPUID. Defined in cpu_tamago_amd64.s.
func cpuid(leaf, subleaf uint32) (eax, ebx, ecx, edx uint32)

// readCR3 returns CR3. Defined in cpu_tamago_amd64.s.
func readCR3() uint64

// writeCR3 executes MOV to CR3. Defined in cpu_tamago_amd64.s.
func writeCR3(val uint64)

// readCR4 returns CR4. Defined in cpu_tamago_amd64.s.
func readCR4() uint64

// writeCR4 executes MOV to CR4. Defined in cpu_tamago_amd64.s.
func writeCR4(val uint64)

// rdmsr reads a model-specific register. Defined in cpu_tamago_amd64.s.
func rdmsr(msr uint32) uint64

// wrmsr writes a model-specific register. Defined in cpu_tamago_amd64.s.
func wrmsr(msr uint32, val uint64)

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
	return &HardwareCPU{detected: DetectFeatures(cpuid)}
}

// Enable turns on what the processor has of IA32_EFER.NXE and CR4.PCIDE.
// Precondition: long mode with paging on, interrupts off, and CR3[11:0] = 0
// (true of TamaGo's boot tables); otherwise PCIDs stay off.
func (c *HardwareCPU) Enable() Features {
	if c.detected.NX {
		wrmsr(msrEFER, rdmsr(msrEFER)|eferNXE)
	}
	if c.detected.PCID && readCR3()&cr3PCIDBits == 0 {
		writeCR4(readCR4() | cr4PCIDE)
	}
	return c.Features()
}

// Features implements CPU: the detected features the kernel has turned on.
func (c *HardwareCPU) Features() Features {
	f := c.detected
	f.PCID = f.PCID && readCR4()&cr4PCIDE != 0
	f.INVPCID = f.INVPCID && f.PCID
	f.NX = f.NX && rdmsr(msrEFER)&eferNXE != 0
	return f
}

// LoadCR3 implements CPU.
func (c *HardwareCPU) LoadCR3(v CR3) { writeCR3(uint64(v)) }

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
