package vmtest

import (
	"github.com/tamach/tamach/pmap"
	"github.com/tamach/tamach/vm"
)

// The reference model: deliberately simple. A task's memory is a sparse
// map from virtual page to page record; a page's contents are a pointer to
// a buffer, and memory that Mach shares (share inheritance, vm_remap
// without copy, memory entries) is modelled by two pages pointing to the
// same buffer. Copies copy the bytes at once.

// mdata is the contents of one modelled page; nil bytes means zeros.
type mdata struct{ b *[pmap.PageSize]byte }

func (d *mdata) get(off int) byte {
	if d.b == nil {
		return 0
	}
	return d.b[off]
}

func (d *mdata) set(off int, v byte) {
	if d.b == nil {
		d.b = new([pmap.PageSize]byte)
	}
	d.b[off] = v
}

func (d *mdata) clone() *mdata {
	if d.b == nil {
		return &mdata{}
	}
	b := *d.b
	return &mdata{b: &b}
}

// mpage is one modelled virtual page.
type mpage struct {
	data    *mdata
	prot    pmap.Prot
	max     pmap.Prot
	inherit vm.Inherit
	wired   int
}

// mmap is a modelled map.
type mmap struct {
	pages map[pmap.VAddr]*mpage
}

func newMmap() *mmap { return &mmap{pages: map[pmap.VAddr]*mpage{}} }

// covered reports whether every page of [start, end) is mapped.
func (m *mmap) covered(start, end pmap.VAddr) bool {
	for va := start; va < end; va += pmap.PageSize {
		if m.pages[va] == nil {
			return false
		}
	}
	return true
}

// allowAll reports whether every page of [start, end) allows access.
func (m *mmap) allowAll(start, end pmap.VAddr, access pmap.Prot) bool {
	for va := start; va < end; va += pmap.PageSize {
		if !m.pages[va].prot.Allows(access) {
			return false
		}
	}
	return true
}

// free reports whether no page of [start, end) is mapped.
func (m *mmap) free(start, end pmap.VAddr) bool {
	for va := start; va < end; va += pmap.PageSize {
		if m.pages[va] != nil {
			return false
		}
	}
	return true
}

// findSpace is the lowest address at or above hint, aligned to mask, with
// size bytes free.
func (m *mmap) findSpace(hint pmap.VAddr, size, mask uint64) pmap.VAddr {
	mask |= pmap.PageMask
	at := pmap.VAddr((uint64(hint) + mask) &^ mask)
	for !m.free(at, at+pmap.VAddr(size)) {
		at = pmap.VAddr((uint64(at) + mask + 1) &^ mask)
	}
	return at
}

// allocate maps zero pages.
func (m *mmap) allocate(start, end pmap.VAddr, prot, max pmap.Prot) {
	for va := start; va < end; va += pmap.PageSize {
		m.pages[va] = &mpage{data: &mdata{}, prot: prot, max: max, inherit: vm.InheritCopy}
	}
}

func (m *mmap) remove(start, end pmap.VAddr) {
	for va := start; va < end; va += pmap.PageSize {
		delete(m.pages, va)
	}
}

// fork gives the child what inheritance says.
func (m *mmap) fork() *mmap {
	c := newMmap()
	for va, p := range m.pages {
		q := *p
		q.wired = 0
		switch p.inherit {
		case vm.InheritShare:
		case vm.InheritCopy:
			q.data = p.data.clone()
		default:
			continue
		}
		c.pages[va] = &q
	}
	return c
}

// snapshot returns copies of the contents of [start, end).
func (m *mmap) snapshot(start, end pmap.VAddr) []*mdata {
	var out []*mdata
	for va := start; va < end; va += pmap.PageSize {
		out = append(out, m.pages[va].data.clone())
	}
	return out
}

// overwrite writes contents into [start, ...) in place (shared buffers
// stay shared).
func (m *mmap) overwrite(start pmap.VAddr, data []*mdata) {
	for i, d := range data {
		p := m.pages[start+pmap.VAddr(i)*pmap.PageSize]
		if d.b == nil {
			if p.data.b != nil {
				*p.data.b = [pmap.PageSize]byte{}
			}
			continue
		}
		if p.data.b == nil {
			p.data.b = new([pmap.PageSize]byte)
		}
		*p.data.b = *d.b
	}
}
