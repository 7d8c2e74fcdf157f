//go:build tamago

package virtio

// MMIO returns the register window of the virtio-mmio transport at base,
// reached through mmioRead32 and mmioWrite32.
//
// Precondition: base is mapped as device memory (microvm: TamaGo's
// identity map, uncached by the platform's MTRRs on real hardware; virt:
// the board's Device-nGnRnE block of [2 MiB, 1 GiB)).
func MMIO(base PAddr) Regs {
	return mmio(base)
}

// MMIOWindows returns n transport windows stride bytes apart from base,
// as a board lays out its virtio-mmio slots.
func MMIOWindows(base PAddr, stride uint64, n int) []Window {
	w := make([]Window, n)
	for i := range w {
		b := base + PAddr(uint64(i)*stride)
		w[i] = Window{Base: b, Regs: MMIO(b)}
	}
	return w
}

// mmio is a virtio-mmio register window at a physical address.
type mmio PAddr

// Read32 loads the 32-bit register at off.
func (m mmio) Read32(off Reg) uint32 {
	return mmioRead32(uint64(m) + uint64(off))
}

// Write32 stores v in the 32-bit register at off.
func (m mmio) Write32(off Reg, v uint32) {
	mmioWrite32(uint64(m)+uint64(off), v)
}

// Device register accesses of exactly 32 bits, in assembly so the compiler
// neither merges, splits nor drops them (mmio_tamago_<arch>.s). They also
// order register accesses against the driver's accesses to DMA memory, as
// a driver for a real device needs: see the .s files.

// mmioRead32 loads the 32-bit word at addr.
func mmioRead32(addr uint64) uint32

// mmioWrite32 stores v in the 32-bit word at addr.
func mmioWrite32(addr uint64, v uint32)
