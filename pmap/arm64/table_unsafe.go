package arm64

import (
	"unsafe"

	"github.com/tamach/tamach/pmap"
)

// table views the frame at pa as a translation table of 512 descriptors.
// entry has uint64's size and alignment, so the view is exact.
func (sys *System) table(pa pmap.PAddr) *[entries]entry {
	return (*[entries]entry)(unsafe.Pointer(pmap.Table(sys.mem, pa)))
}
