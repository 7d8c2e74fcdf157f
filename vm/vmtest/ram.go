// Package vmtest is the host test harness of package vm: RAM made of Go
// memory, a software pmap that emulates referenced and modified bits, a
// simulated CPU that loads and stores through any pmap.System as hardware
// would, a reference model of task memory and an environment tying them
// together. The real page-table formats (pmap/amd64, pmap/arm64) plug in
// through Options.Pmap.
package vmtest

import (
	"fmt"

	"github.com/tamach/tamach/pmap"
)

// RAM is physical memory made of Go memory: frames [base, base+size), the
// first part of them handed out as page-table frames by AllocFrame (the
// "table" region), the rest left to the vm page pool. It implements
// pmap.Memory and pmap.Frames.
type RAM struct {
	base      pmap.PAddr
	frames    [][pmap.PageSize]byte
	tableEnd  pmap.PAddr
	freeTable []pmap.PAddr
	nextTable pmap.PAddr
	inUse     int
}

// NewRAM creates RAM at base with tableFrames frames for page tables
// followed by poolFrames frames for the vm page pool.
func NewRAM(base pmap.PAddr, tableFrames, poolFrames int) *RAM {
	r := &RAM{base: base, frames: make([][pmap.PageSize]byte, tableFrames+poolFrames)}
	r.nextTable = base
	r.tableEnd = base + pmap.PAddr(tableFrames)<<pmap.PageShift
	return r
}

// Pool reports the physical range left for the vm page pool.
func (r *RAM) Pool() (base pmap.PAddr, size uint64) {
	end := r.base + pmap.PAddr(len(r.frames))<<pmap.PageShift
	return r.tableEnd, uint64(end - r.tableEnd)
}

// Frame returns the frame at pa; it panics outside the RAM.
func (r *RAM) Frame(pa pmap.PAddr) *[pmap.PageSize]byte {
	if !pa.Aligned() || pa < r.base {
		panic(fmt.Sprintf("vmtest: RAM.Frame: %v outside RAM", pa))
	}
	i := uint64(pa-r.base) >> pmap.PageShift
	if i >= uint64(len(r.frames)) {
		panic(fmt.Sprintf("vmtest: RAM.Frame: %v outside RAM", pa))
	}
	return &r.frames[i]
}

// AllocFrame hands out a zeroed table frame.
func (r *RAM) AllocFrame() (pmap.PAddr, bool) {
	var pa pmap.PAddr
	switch {
	case len(r.freeTable) > 0:
		pa = r.freeTable[len(r.freeTable)-1]
		r.freeTable = r.freeTable[:len(r.freeTable)-1]
	case r.nextTable < r.tableEnd:
		pa = r.nextTable
		r.nextTable += pmap.PageSize
	default:
		return 0, false
	}
	*r.Frame(pa) = [pmap.PageSize]byte{}
	r.inUse++
	return pa, true
}

// FreeFrame takes back a table frame.
func (r *RAM) FreeFrame(pa pmap.PAddr) {
	if pa < r.base || pa >= r.tableEnd || !pa.Aligned() {
		panic("vmtest: RAM.FreeFrame of a frame it did not hand out")
	}
	r.inUse--
	r.freeTable = append(r.freeTable, pa)
}

// InUse reports the table frames handed out and not freed.
func (r *RAM) InUse() int { return r.inUse }
