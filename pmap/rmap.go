package pmap

// Attr is the software copy of a managed frame's referenced and modified
// state: bits gathered from the hardware (or its emulation) when a mapping is
// removed or cleared, so that IsModified and IsReferenced still answer for
// mappings that no longer exist.
type Attr uint8

// Frame attributes.
const (
	AttrReferenced Attr = 1 << iota // accessed since the last ClearReference
	AttrModified                    // written since the last ClearModify
)

// Mapping is one virtual mapping of a physical frame: the address space
// (an implementation's own space type) and the virtual address in it.
type Mapping[S comparable] struct {
	Space S
	VA    VAddr
}

// Rmap keeps, for every frame of a managed physical range, the list of
// mappings of that frame (Mach's pv lists, pmap.c in GNU Mach) and the
// frame's Attr. Entries come from a free list, so that once the list has
// grown to the peak number of mappings, Add and Remove allocate nothing.
//
// Frames outside the managed range (device registers, the kernel's identity
// map) have no entry: Managed reports false and the other methods ignore them.
type Rmap[S comparable] struct {
	base  PAddr
	head  []int32 // per frame: index+1 of its first entry, 0 for none
	attr  []Attr  // per frame
	ents  []rmapEntry[S]
	free  int32 // index+1 of the first free entry, 0 for none
	count int   // entries in use
}

type rmapEntry[S comparable] struct {
	m    Mapping[S]
	next int32 // index+1 of the next entry on the same list, 0 at the end
}

// NewRmap returns a reverse map for the frames of [base, base+size).
// Precondition: base and size are page-aligned.
func NewRmap[S comparable](base PAddr, size uint64) *Rmap[S] {
	if !base.Aligned() || size&PageMask != 0 {
		panic("pmap.NewRmap: base and size must be page-aligned")
	}
	n := size / PageSize
	return &Rmap[S]{base: base, head: make([]int32, n), attr: make([]Attr, n)}
}

// index returns the frame number of pa in the managed range.
func (r *Rmap[S]) index(pa PAddr) (int, bool) {
	if pa < r.base {
		return 0, false
	}
	i := uint64(pa-r.base) / PageSize
	if i >= uint64(len(r.head)) {
		return 0, false
	}
	return int(i), true
}

// Managed reports whether pa is a frame of the managed range.
func (r *Rmap[S]) Managed(pa PAddr) bool {
	_, ok := r.index(pa)
	return ok
}

// Add records that space s maps pa at va. Unmanaged frames are ignored.
func (r *Rmap[S]) Add(pa PAddr, s S, va VAddr) {
	i, ok := r.index(pa)
	if !ok {
		return
	}
	e := r.alloc()
	r.ents[e-1] = rmapEntry[S]{m: Mapping[S]{Space: s, VA: va}, next: r.head[i]}
	r.head[i] = e
	r.count++
}

func (r *Rmap[S]) alloc() int32 {
	if r.free != 0 {
		e := r.free
		r.free = r.ents[e-1].next
		return e
	}
	r.ents = append(r.ents, rmapEntry[S]{})
	return int32(len(r.ents))
}

// Remove forgets that space s maps pa at va, and reports whether it did.
func (r *Rmap[S]) Remove(pa PAddr, s S, va VAddr) bool {
	i, ok := r.index(pa)
	if !ok {
		return false
	}
	want := Mapping[S]{Space: s, VA: va}
	for link := &r.head[i]; *link != 0; link = &r.ents[*link-1].next {
		e := *link
		if r.ents[e-1].m != want {
			continue
		}
		*link = r.ents[e-1].next
		r.ents[e-1] = rmapEntry[S]{next: r.free}
		r.free = e
		r.count--
		return true
	}
	return false
}

// Mappings appends every mapping of pa to buf and returns it. Callers that
// change the mappings while going through them (PageProtect removing every
// mapping) iterate over this copy, not the live list.
func (r *Rmap[S]) Mappings(pa PAddr, buf []Mapping[S]) []Mapping[S] {
	i, ok := r.index(pa)
	if !ok {
		return buf
	}
	for e := r.head[i]; e != 0; e = r.ents[e-1].next {
		buf = append(buf, r.ents[e-1].m)
	}
	return buf
}

// Count is the number of mappings of pa.
func (r *Rmap[S]) Count(pa PAddr) int {
	i, ok := r.index(pa)
	if !ok {
		return 0
	}
	n := 0
	for e := r.head[i]; e != 0; e = r.ents[e-1].next {
		n++
	}
	return n
}

// Total is the number of mappings recorded over all frames.
func (r *Rmap[S]) Total() int { return r.count }

// Attr returns the software attributes of pa (0 for unmanaged frames).
func (r *Rmap[S]) Attr(pa PAddr) Attr {
	i, ok := r.index(pa)
	if !ok {
		return 0
	}
	return r.attr[i]
}

// SetAttr adds a to the attributes of pa.
func (r *Rmap[S]) SetAttr(pa PAddr, a Attr) {
	if i, ok := r.index(pa); ok {
		r.attr[i] |= a
	}
}

// ClearAttr removes a from the attributes of pa.
func (r *Rmap[S]) ClearAttr(pa PAddr, a Attr) {
	if i, ok := r.index(pa); ok {
		r.attr[i] &^= a
	}
}
