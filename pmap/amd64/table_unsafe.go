package amd64

import (
	"unsafe"

	"github.com/tamach/tamach/pmap"
)

// table views the frame at pa as a table of 512 paging-structure entries.
// entry has uint64's size and alignment, so the view is exact.
func (sys *System) table(pa pmap.PAddr) *[entries]entry {
	return (*[entries]entry)(unsafe.Pointer(pmap.Table(sys.mem, pa)))
}
