//go:build tamago

package imx8mpevk

import (
	"unsafe"

	"github.com/tamach/tamach/boot/armv8"
)

// sdDMA is the uSDHC's DMA on this board (usdhc.DMA): the kernel runs on
// an identity map of RAM, so a buffer's address is its physical address,
// and the cache maintenance is the CPU's by-address DC operations
// (boot/armv8 cache_arm64.go). The uSDHCs are not cache-coherent with the
// A53 cluster: their DMA reads and writes DRAM around the caches.
type sdDMA struct{}

func (sdDMA) Addr(b []byte) uint64 { return uint64(uintptr(unsafe.Pointer(unsafe.SliceData(b)))) }

func (sdDMA) LineSize() uint64 { return armv8.DCacheLine() }

func (d sdDMA) Clean(b []byte) { armv8.CleanDCache(d.Addr(b), uint64(len(b))) }

func (d sdDMA) CleanInvalidate(b []byte) { armv8.CleanInvalidateDCache(d.Addr(b), uint64(len(b))) }
