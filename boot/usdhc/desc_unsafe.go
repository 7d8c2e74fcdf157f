package usdhc

import "unsafe"

// descBytes is the ADMA2 descriptor as the bytes it occupies in memory, for
// DMA.Addr and DMA.Clean.
func (h *Host) descBytes() []byte {
	return unsafe.Slice((*byte)(unsafe.Pointer(&h.desc[0])), len(h.desc)*8)
}
