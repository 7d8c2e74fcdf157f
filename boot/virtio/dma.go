package virtio

// DMA hands out memory the device can read and write: physically
// contiguous, at a known physical address, outside the Go heap. On
// GOOS=tamago GlobalDMA allocates from the board's DMA region (TamaGo's dma
// package); tests use a fake.
type DMA interface {
	// Alloc returns size bytes aligned to align (a power of two), their
	// physical address and a CPU view of them, or an error when the
	// region is exhausted. The memory is not necessarily zeroed.
	Alloc(size, align int) (PAddr, []byte, error)
}

// fits reports whether one of the free blocks (address -> size) holds size
// bytes at the alignment, as dma's first-fit allocator will look for them.
func fits(free map[uint]uint, size, align uint) bool {
	for addr, n := range free {
		pad := -addr & (align - 1)
		if n >= size+pad {
			return true
		}
	}
	return false
}
