//go:build tamago && arm64

package arm64

import (
	"unsafe"

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

// CleanInvalidateDataCache implements CPU. The kernel reaches RAM through
// its identity map (docs/architecture.md §2), so pa is also the address
// the DC instructions take.
func (HardwareCPU) CleanInvalidateDataCache(pa pmap.PAddr, size uint64) {
	line := dataLine()
	for a := uint64(pa) &^ (line - 1); a < uint64(pa)+size; a += line {
		dcCIVAC(a)
	}
	dsbSY()
}

// SyncInstructionCache implements CPU: the sequence of Arm ARM B2.4.4 for
// instructions written as data, by address, on the identity-mapped pa.
func (HardwareCPU) SyncInstructionCache(pa pmap.PAddr, size uint64) {
	dline, iline := dataLine(), instructionLine()
	for a := uint64(pa) &^ (dline - 1); a < uint64(pa)+size; a += dline {
		dcCVAU(a)
	}
	dsbISH()
	for a := uint64(pa) &^ (iline - 1); a < uint64(pa)+size; a += iline {
		icIVAU(a)
	}
	dsbISH()
	isb()
}

// ZeroFrame implements CPU: DC ZVA over the frame when DCZID_EL0 permits
// it (ZeroBlock), else an ordinary clear. The frame is RAM of the identity
// map, Normal memory: DC ZVA on Device memory would raise an Alignment
// fault (Arm ARM C6.2 "DC ZVA").
func (HardwareCPU) ZeroFrame(f *[pmap.PageSize]byte) {
	if b := zeroBlock; b != 0 {
		zeroFrame(uintptr(unsafe.Pointer(f)), b)
		return
	}
	clear(f[:])
}

// zeroBlock is zvaBlock of this CPU's DCZID_EL0, which does not change
// while it runs.
var zeroBlock = zvaBlock(cpu.ReadDCZID())

// ZeroBlock is the block, in bytes, of the DC ZVA ZeroFrame zeroes frames
// with, or 0 if it clears them with stores.
func ZeroBlock() uint64 { return zeroBlock }

// zeroFrame zeroes the 4 KiB at addr with DC ZVA of block bytes, eight
// blocks per loop. Precondition: block = zvaBlock(DCZID_EL0) != 0.
// Defined in cpu_tamago_arm64.s.
func zeroFrame(addr uintptr, block uint64)

// dataLine and instructionLine are the smallest cache line sizes in
// bytes, from CTR_EL0.DminLine (bits [19:16]) and IminLine (bits [3:0]),
// each the log2 of the number of 4-byte words (Arm ARM D24.2 "CTR_EL0").
func dataLine() uint64        { return 4 << (readCTR() >> 16 & 0xf) }
func instructionLine() uint64 { return 4 << (readCTR() & 0xf) }

// readCTR reads CTR_EL0. Defined in cpu_tamago_arm64.s.
func readCTR() uint64

// dcCIVAC runs DC CIVAC on the line holding addr. Defined in
// cpu_tamago_arm64.s.
func dcCIVAC(addr uint64)

// dcCVAU runs DC CVAU on the line holding addr. Defined in
// cpu_tamago_arm64.s.
func dcCVAU(addr uint64)

// icIVAU runs IC IVAU on the line holding addr. Defined in
// cpu_tamago_arm64.s.
func icIVAU(addr uint64)

// dsbSY, dsbISH and isb are the barriers. Defined in cpu_tamago_arm64.s.
func dsbSY()
func dsbISH()
func isb()

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
