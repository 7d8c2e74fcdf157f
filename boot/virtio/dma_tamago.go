//go:build tamago

package virtio

import (
	"errors"
	"fmt"

	"github.com/usbarmory/tamago/dma"
)

// GlobalDMA allocates from TamaGo's global DMA region, which each board
// sets up with dma.Init over the region it lists as boot.DMA (microvm: 1-16
// MiB; virt: 16 MiB after the Go heap). Both lie in identity-mapped RAM,
// so the address dma.Reserve returns is the physical address.
var GlobalDMA DMA = tamagoDMA{}

// tamagoDMA is the DMA interface over TamaGo's dma package.
type tamagoDMA struct{}

// errNoDMA is returned before the board has called dma.Init.
var errNoDMA = errors.New("virtio: no DMA region (dma.Init not called)")

// Alloc reserves size bytes at the given alignment. dma.Reserve panics when
// the region is exhausted, so the free blocks are checked first.
func (tamagoDMA) Alloc(size, align int) (PAddr, []byte, error) {
	r := dma.Default()
	if r == nil {
		return 0, nil, errNoDMA
	}
	if !fits(r.FreeBlocks(), uint(size), uint(align)) {
		return 0, nil, fmt.Errorf("virtio: DMA region exhausted: no %d bytes aligned to %d", size, align)
	}
	addr, buf := r.Reserve(size, align)
	return PAddr(addr), buf, nil
}
