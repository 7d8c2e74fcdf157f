package vmtest

import (
	"fmt"

	"github.com/tamach/tamach/pmap"
	"github.com/tamach/tamach/vm"
)

func (r *modelRun) opWire() error {
	i := r.pick()
	m := r.models[i]
	start, end := r.randRange()
	access := pmap.ProtRead
	if r.rng.Intn(3) == 0 {
		access = pmap.ProtNone
	}
	r.logf("wire map%d [%v,%v) %v", i, start, end, access)
	err := r.maps[i].Wire(start, uint64(end-start), vm.Prot(access))
	want := wireCode(m, start, end, access, err)
	if e := r.expect("wire", err, want); e != nil || err != nil {
		return e
	}
	for va := start; va < end; va += pmap.PageSize {
		switch p := m.pages[va]; {
		case p == nil:
		case access == pmap.ProtNone && p.wired > 0:
			p.wired--
		case access != pmap.ProtNone:
			p.wired++
		}
	}
	return nil
}

// wireCode is the code vm_wire returns for [start, end) of m
// (vm_map_wire_nested, vm_map_unwire_nested): an unmapped start is
// KERN_INVALID_ADDRESS; unwiring skips holes and unwired pages; wiring
// meets, entry by entry, a hole after the entry (KERN_INVALID_ADDRESS) and
// then the entry's protection (KERN_PROTECTION_FAILURE). The model has no
// entries: when a page that forbids access lies before the first hole,
// which code comes first depends on where the entry holding it ends, and
// either is accepted (got decides).
func wireCode(m *mmap, start, end pmap.VAddr, access pmap.Prot, got error) vm.KernReturn {
	if m.pages[start] == nil {
		return vm.KernInvalidAddress
	}
	if access == pmap.ProtNone {
		return vm.KernSuccess
	}
	for va := start; va < end; va += pmap.PageSize {
		p := m.pages[va]
		if p == nil {
			return vm.KernInvalidAddress
		}
		if !p.prot.Allows(access) {
			if !m.covered(va, end) && vm.Code(got) == vm.KernInvalidAddress {
				return vm.KernInvalidAddress
			}
			return vm.KernProtectionFailure
		}
	}
	return vm.KernSuccess
}

func (r *modelRun) opMakeEntry() error {
	i := r.pick()
	m := r.models[i]
	prot := []pmap.Prot{pmap.ProtRead, pmap.ProtRead | pmap.ProtWrite}[r.rng.Intn(2)]
	if r.rng.Intn(4) == 0 {
		n := 1 + r.rng.Intn(4)
		r.logf("make_memory_entry named create %d pages %v", n, prot)
		me, _, err := r.maps[i].MakeMemoryEntry(uint64(n)*pmap.PageSize, 0, vm.MapMemNamedCreate|vm.MemEntryFlags(prot), nil)
		if err != nil {
			return fmt.Errorf("named create: %v", err)
		}
		data := make([]*mdata, n)
		for k := range data {
			data[k] = &mdata{}
		}
		r.entries = append(r.entries, &mentry{me: me, data: data, prot: prot})
		return nil
	}
	va := r.randPage()
	flags := vm.MemEntryFlags(prot)
	if r.rng.Intn(3) == 0 {
		flags |= vm.MapMemVMCopy
	}
	r.logf("make_memory_entry map%d %v %v vmcopy=%v", i, va, prot, flags&vm.MapMemVMCopy != 0)
	me, _, err := r.maps[i].MakeMemoryEntry(pmap.PageSize, va, flags, nil)
	p := m.pages[va]
	want := vm.KernSuccess
	switch {
	case p == nil:
		want = vm.KernInvalidAddress
	case flags&vm.MapMemVMCopy != 0 && !p.prot.Allows(pmap.ProtRead):
		want = vm.KernProtectionFailure // the copy reads the range
	case flags&vm.MapMemVMCopy == 0 && (!p.prot.Allows(prot) || !p.max.Allows(prot)):
		want = vm.KernProtectionFailure // sharing needs the protection as current and maximum
	}
	if e := r.expect("make_memory_entry", err, want); e != nil || err != nil {
		return e
	}
	data := p.data
	if flags&vm.MapMemVMCopy != 0 {
		data = data.clone()
	}
	r.entries = append(r.entries, &mentry{me: me, data: []*mdata{data}, prot: prot})
	return nil
}

// opPagerEntry makes a memory entry for a new pager-backed object of a few
// pages, some holding data (a file, a task image).
func (r *modelRun) opPagerEntry() error {
	n := 1 + r.rng.Intn(4)
	pg := vm.NewMemoryPager()
	data := make([]*mdata, n)
	for k := range data {
		data[k] = &mdata{}
		if r.rng.Intn(2) == 0 {
			off, v := r.rng.Intn(pmap.PageSize), byte(1+r.rng.Intn(255))
			pg.SetData(uint64(k*pmap.PageSize+off), []byte{v})
			data[k].set(off, v)
		}
	}
	r.logf("pager object %d pages", n)
	obj, err := r.env.VM.NewPagerObject(pg, uint64(n)*pmap.PageSize)
	if err != nil {
		return fmt.Errorf("pager object: %v", err)
	}
	me, err := r.env.VM.NewMemoryEntry(obj, pmap.ProtRead|pmap.ProtWrite)
	obj.Release()
	if err != nil {
		return fmt.Errorf("pager memory entry: %v", err)
	}
	r.entries = append(r.entries, &mentry{me: me, data: data, prot: pmap.ProtRead | pmap.ProtWrite})
	return nil
}

func (r *modelRun) opMapEntry() error {
	if len(r.entries) == 0 {
		return nil
	}
	me := r.entries[r.rng.Intn(len(r.entries))]
	i := r.pick()
	m := r.models[i]
	max := r.randProt()
	cur := max & r.randProt()
	inh := vm.Inherit(r.rng.Intn(3))
	o := vm.MapOptions{Flags: vm.FlagsAnywhere, Entry: me.me, Copy: r.rng.Intn(2) == 0,
		Cur: cur, Max: max, Inherit: &inh}
	if r.rng.Intn(4) == 0 {
		o.Inherit, inh = nil, vm.InheritCopy // the zero value: VM_INHERIT_DEFAULT
	}
	hint := r.randPage()
	size := uint64(len(me.data)) * pmap.PageSize
	r.logf("vm_map entry(%v, %d pages) into map%d hint %v copy=%v %v/%v", me.prot, len(me.data), i, hint, o.Copy, cur, max)
	at, err := r.maps[i].MapMemory(hint, size, o)
	want := vm.KernSuccess
	if !me.prot.Allows(max) || !me.prot.Allows(cur) { // with or without copy, as XNU
		want = vm.KernInvalidRight
	}
	if e := r.expect("vm_map", err, want); e != nil || err != nil {
		return e
	}
	if w := m.findSpace(hint, size, 0); at != w {
		return fmt.Errorf("vm_map at %v, model %v", at, w)
	}
	for k, d := range me.data {
		if o.Copy {
			d = d.clone()
		}
		m.pages[at+pmap.VAddr(k)*pmap.PageSize] = &mpage{data: d, prot: cur, max: max, inherit: inh}
	}
	return nil
}

func (r *modelRun) opReleaseEntry() error {
	if len(r.entries) == 0 {
		return nil
	}
	k := r.rng.Intn(len(r.entries))
	r.logf("release memory entry %d", k)
	r.entries[k].me.Release()
	r.entries = append(r.entries[:k], r.entries[k+1:]...)
	return nil
}

func (r *modelRun) opRegion() error {
	i := r.pick()
	m := r.models[i]
	addr := r.randPage()
	r.logf("region map%d %v", i, addr)
	ri, err := r.maps[i].Region(addr, vm.FlavorBasicInfo64)
	first := pmap.VAddr(0)
	for va := range m.pages {
		if va >= addr && (first == 0 || va < first) {
			first = va
		}
	}
	want := vm.KernSuccess
	if first == 0 && m.pages[addr] == nil {
		want = vm.KernInvalidAddress
	}
	if e := r.expect("region", err, want); e != nil || err != nil {
		return e
	}
	return checkRegion(m, addr, first, ri)
}

// checkRegion verifies that the region reported is mapped with uniform
// attributes and starts where the model's first page at or above addr is.
func checkRegion(m *mmap, addr, first pmap.VAddr, ri vm.RegionInfo) error {
	end := ri.Start + pmap.VAddr(ri.Size)
	if ri.Start > addr && ri.Start != first || ri.Start <= addr && end <= addr {
		return fmt.Errorf("region [%v,%v) for %v, model's first page %v", ri.Start, end, addr, first)
	}
	for va := ri.Start; va < end; va += pmap.PageSize {
		p := m.pages[va]
		if p == nil || p.prot != ri.Basic.Protection || p.max != ri.Basic.MaxProtection ||
			p.inherit != ri.Basic.Inheritance {
			return fmt.Errorf("region [%v,%v) %+v disagrees with model at %v (%+v)", ri.Start, end, ri.Basic, va, p)
		}
	}
	return nil
}

func (r *modelRun) opReclaim() error {
	dirty := r.rng.Intn(2) == 0
	r.logf("reclaim all dirty=%v", dirty)
	r.env.VM.ReclaimAll(dirty)
	return nil
}
