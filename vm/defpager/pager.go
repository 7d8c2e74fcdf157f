package defpager

import "github.com/tamach/tamach/vm"

// Pager is the default pager's side of one internal object: the map from
// the object's page offsets to the slots holding their data. It implements
// vm.Pager and vm.Transferrer.
//
// The data at an offset is in one of two states:
//
//	absent ──DataReturn (slot allocated, written)──▶ stored
//	stored ──DataReturn (slot rewritten in place)──▶ stored
//	stored ──Transfer (slot handed to another Pager)──▶ absent
//	stored ──Terminate (slot freed)──▶ absent
//
// An absent offset reads as zeros (Mach's memory_object_data_unavailable:
// anonymous memory never written is zero). The Pager itself is live from
// NewPager until Terminate, and terminated after; a terminated Pager
// refuses every call with ErrTerminated.
type Pager struct {
	dp         *DefaultPager     // (C)
	size       uint64            // (dp.mu) from Init; 0: no bound
	slots      map[uint64]uint64 // (dp.mu) offset → slot
	terminated bool              // (dp.mu)
}

// String names the pager in reports: the default pager and its disk.
func (p *Pager) String() string { return p.dp.String() }

// Init records the object's size (memory_object_init).
func (p *Pager) Init(size uint64) {
	p.dp.mu.Lock()
	p.size = size
	p.dp.mu.Unlock()
}

// checkOffset validates a request. Precondition: dp.mu held.
func (p *Pager) checkOffset(offset uint64) error {
	switch {
	case p.terminated:
		return ErrTerminated
	case offset%PageSize != 0 || p.size != 0 && offset >= p.size:
		return ErrBadOffset
	}
	return nil
}

// DataRequest reads the data at offset into dst (memory_object_data_request),
// or zeros when the offset was never returned. A store error comes back as
// an *IOError, which the vm reports to the faulting access as
// KERN_MEMORY_ERROR.
func (p *Pager) DataRequest(offset uint64, dst *[PageSize]byte) error {
	// LAB pager: begin
	dp := p.dp
	dp.mu.Lock()
	defer dp.mu.Unlock()
	if err := p.checkOffset(offset); err != nil {
		return err
	}
	s, ok := p.slots[offset]
	if !ok {
		*dst = [PageSize]byte{}
		dp.stats.Zeros++
		return nil
	}
	if err := dp.readSlot(s, dst); err != nil {
		return err
	}
	dp.stats.Reads++
	return nil
	// LAB pager: stub
	// panic("lab pager: not implemented: defpager Pager.DataRequest")
	// LAB pager: end
}

// maxWriteTries bounds the slots one DataReturn tries: a write that fails
// retires its slot and the page goes to the next one.
const maxWriteTries = 4

// DataReturn writes the dirty page src at offset to its slot
// (memory_object_data_return), allocating one on the offset's first
// return. A slot whose write fails is retired (never used again) and the
// page is written to a fresh slot, up to maxWriteTries slots. With every
// slot in use it returns ErrStoreFull and writes nothing; when every try
// fails, the last store error comes back as an *IOError. On any error the
// vm keeps the page resident and dirty, and the data the Pager held before
// (if any) stays mapped: the resident page supersedes it.
func (p *Pager) DataReturn(offset uint64, src *[PageSize]byte) error {
	// LAB pager: begin
	dp := p.dp
	dp.mu.Lock()
	defer dp.mu.Unlock()
	if err := p.checkOffset(offset); err != nil {
		return err
	}
	old, had := p.slots[offset]
	for try := 1; ; try++ {
		s := old
		if !had || dp.bad[old] {
			var ok bool
			if s, ok = dp.slots.alloc(); !ok {
				dp.stats.Full++
				return ErrStoreFull
			}
			dp.stats.Peak = max(dp.stats.Peak, dp.slots.used)
		}
		err := dp.writeSlot(s, src)
		if err == nil {
			p.place(offset, old, had, s)
			return nil
		}
		dp.retire(s, err)
		if s != old || !had {
			dp.freeSlot(s) // retired: stays marked
		}
		if try == maxWriteTries {
			return err
		}
	}
	// LAB pager: stub
	// panic("lab pager: not implemented: defpager Pager.DataReturn")
	// LAB pager: end
}

// place records that offset's data is now in slot s, freeing the slot it
// had before (old, when had) if that is another one.
// Precondition: dp.mu held.
func (p *Pager) place(offset, old uint64, had bool, s uint64) {
	dp := p.dp
	p.slots[offset] = s
	dp.stats.Writes++
	if had {
		dp.stats.Rewrites++
		if old != s {
			dp.freeSlot(old)
		}
	}
}

// Terminate frees every slot of the object (memory_object_terminate): the
// object is gone and so is its data.
func (p *Pager) Terminate() {
	dp := p.dp
	dp.mu.Lock()
	defer dp.mu.Unlock()
	if p.terminated {
		return
	}
	for off, s := range p.slots {
		dp.freeSlot(s)
		delete(p.slots, off)
	}
	p.terminated = true
	delete(dp.pagers, p)
	dp.stats.Pagers--
}

// Accepts reports whether Transfer can move data into dst: a live Pager of
// the same DefaultPager (the same store), other than p.
func (p *Pager) Accepts(dst vm.Pager) bool {
	d, ok := dst.(*Pager)
	if !ok || d == p || d.dp != p.dp {
		return false
	}
	p.dp.mu.Lock()
	defer p.dp.mu.Unlock()
	return !p.terminated && !d.terminated
}

// Transfer moves the data held at offset from to offset to of dst without
// any I/O: the slot changes owner. A slot dst held at to is freed, its data
// superseded. Precondition: p.Accepts(dst) and p holds data at from (the vm
// only moves offsets it paged out); a broken precondition panics.
func (p *Pager) Transfer(from uint64, dst vm.Pager, to uint64) {
	d, ok := dst.(*Pager)
	if !ok || d == p || d.dp != p.dp {
		panic("defpager: Pager.Transfer to a pager of another store")
	}
	dp := p.dp
	dp.mu.Lock()
	defer dp.mu.Unlock()
	s, held := p.slots[from]
	if !held || p.terminated || d.terminated || d.checkOffset(to) != nil {
		panic("defpager: Pager.Transfer without data at the source offset")
	}
	delete(p.slots, from)
	if old, had := d.slots[to]; had {
		dp.freeSlot(old)
	}
	d.slots[to] = s
	dp.stats.Moves++
}

// Has reports whether p holds data at offset.
func (p *Pager) Has(offset uint64) bool {
	p.dp.mu.Lock()
	defer p.dp.mu.Unlock()
	_, ok := p.slots[offset]
	return ok
}

// Slots reports how many slots p holds.
func (p *Pager) Slots() int {
	p.dp.mu.Lock()
	defer p.dp.mu.Unlock()
	return len(p.slots)
}
