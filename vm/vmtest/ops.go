package vmtest

import (
	"fmt"

	"github.com/tamach/tamach/pmap"
	"github.com/tamach/tamach/vm"
)

func (r *modelRun) opStore() error {
	i, va := r.pick(), r.randPage()+pmap.VAddr(r.rng.Intn(pmap.PageSize))
	v := byte(r.rng.Intn(256))
	r.logf("store map%d %v = %#x", i, va, v)
	p := r.models[i].pages[va.Trunc()]
	err := r.env.CPU(r.maps[i]).Store8(va, v)
	if e := r.expect("store", err, r.accessCode(p, pmap.ProtWrite, err)); e != nil || err != nil {
		return e
	}
	p.data.set(int(va&pmap.PageMask), v)
	return nil
}

func (r *modelRun) opLoad() error {
	i, va := r.pick(), r.randPage()+pmap.VAddr(r.rng.Intn(pmap.PageSize))
	r.logf("load map%d %v", i, va)
	p := r.models[i].pages[va.Trunc()]
	got, err := r.env.CPU(r.maps[i]).Load8(va)
	if e := r.expect("load", err, r.accessCode(p, pmap.ProtRead, err)); e != nil || err != nil {
		return e
	}
	if want := p.data.get(int(va & pmap.PageMask)); got != want {
		return fmt.Errorf("load %v = %#x, model %#x", va, got, want)
	}
	return nil
}

func (r *modelRun) opAllocate() error {
	i, m := r.pick(), r.models[r.pick()]
	m = r.models[i]
	start, end := r.randRange()
	size := uint64(end - start)
	if r.rng.Intn(2) == 0 {
		// vm_allocate ignores the address of an anywhere allocation
		// (as XNU's does); vm_map of anonymous memory searches from it.
		r.logf("vm_map anonymous map%d anywhere hint %v size %#x", i, start, size)
		anon := vm.MapOptions{Flags: vm.FlagsAnywhere, Cur: vm.ProtDefault, Max: vm.ProtAll} // zero Inherit: copy
		got, err := r.maps[i].MapMemory(start, size, anon)
		if err != nil {
			return fmt.Errorf("allocate anywhere: %v", err)
		}
		want := m.findSpace(start, size, 0)
		if got != want {
			return fmt.Errorf("allocate anywhere at %v, model %v", got, want)
		}
		m.allocate(got, got+pmap.VAddr(size), vm.ProtDefault, vm.ProtAll)
		return nil
	}
	flags := vm.FlagsFixed
	if r.rng.Intn(3) == 0 {
		flags |= vm.FlagsOverwrite
	}
	r.logf("allocate map%d fixed %v size %#x flags %#x", i, start, size, flags)
	_, err := r.maps[i].Allocate(start, size, flags)
	want := vm.KernSuccess
	if flags&vm.FlagsOverwrite == 0 && !m.free(start, end) {
		want = vm.KernNoSpace
	}
	if e := r.expect("allocate fixed", err, want); e != nil || err != nil {
		return e
	}
	m.remove(start, end)
	m.allocate(start, end, vm.ProtDefault, vm.ProtAll)
	return nil
}

func (r *modelRun) opDeallocate() error {
	i := r.pick()
	start, end := r.randRange()
	r.logf("deallocate map%d [%v, %v)", i, start, end)
	if err := r.maps[i].Deallocate(start, uint64(end-start)); err != nil {
		return fmt.Errorf("deallocate: %v", err)
	}
	r.models[i].remove(start, end)
	return nil
}

func (r *modelRun) opProtect() error {
	i := r.pick()
	m := r.models[i]
	start, end := r.randRange()
	setMax, prot := r.rng.Intn(5) == 0, r.randProt()
	r.logf("protect map%d [%v, %v) max=%v %v", i, start, end, setMax, prot)
	err := r.maps[i].Protect(start, uint64(end-start), setMax, vm.Prot(prot))
	// vm_map_protect walks the entries in address order: a hole or a
	// protection above an entry's maximum, whichever comes first.
	want := vm.KernSuccess
	for va := start; va < end && want == vm.KernSuccess; va += pmap.PageSize {
		switch p := m.pages[va]; {
		case p == nil:
			want = vm.KernInvalidAddress
		case !p.max.Allows(prot):
			want = vm.KernProtectionFailure
		}
	}
	if e := r.expect("protect", err, want); e != nil || err != nil {
		return e
	}
	for va := start; va < end; va += pmap.PageSize {
		p := m.pages[va]
		if setMax {
			p.max, p.prot = prot, p.prot&prot
		} else {
			p.prot = prot
		}
	}
	return nil
}

func (r *modelRun) opInherit() error {
	i := r.pick()
	start, end := r.randRange()
	inh := vm.Inherit(r.rng.Intn(3))
	r.logf("inherit map%d [%v, %v) %d", i, start, end, inh)
	if err := r.maps[i].Inherit(start, uint64(end-start), inh); err != nil {
		return fmt.Errorf("inherit: %v", err)
	}
	for va := start; va < end; va += pmap.PageSize {
		if p := r.models[i].pages[va]; p != nil {
			p.inherit = inh
		}
	}
	return nil
}

func (r *modelRun) opFork() error {
	if len(r.maps) >= maxMaps {
		return nil
	}
	i := r.pick()
	r.logf("fork map%d -> map%d", i, len(r.maps))
	pm, err := r.env.Pmap.Create(pmap.KindUser)
	if err != nil {
		return err
	}
	child, err := r.maps[i].Fork(pm)
	if err != nil {
		return fmt.Errorf("fork: %v", err)
	}
	r.maps, r.models = append(r.maps, child), append(r.models, r.models[i].fork())
	return nil
}

func (r *modelRun) opDestroy() error {
	if len(r.maps) < 2 {
		return nil
	}
	i := r.pick()
	r.logf("destroy map%d", i)
	r.maps[i].Destroy()
	r.maps = append(r.maps[:i], r.maps[i+1:]...)
	r.models = append(r.models[:i], r.models[i+1:]...)
	return nil
}

func (r *modelRun) opCopy() error {
	i := r.pick()
	m := r.models[i]
	src, srcEnd := r.randRange()
	size := uint64(srcEnd - src)
	dst := r.randPage()
	dstEnd := dst + pmap.VAddr(size)
	r.logf("vm_copy map%d %v -> %v size %#x", i, src, dst, size)
	err := r.maps[i].Copy(src, size, dst)
	want := rangeCode(m, src, srcEnd, pmap.ProtRead)
	if want == vm.KernSuccess {
		want = rangeCode(m, dst, dstEnd, pmap.ProtWrite)
	}
	if e := r.expect("vm_copy", err, want); e != nil || err != nil {
		return e
	}
	m.overwrite(dst, m.snapshot(src, srcEnd))
	return nil
}

func (r *modelRun) opRemap() error {
	di, si := r.pick(), r.pick()
	src, srcEnd := r.randRange()
	size := uint64(srcEnd - src)
	hint, cp := r.randPage(), r.rng.Intn(2) == 0
	inh := vm.Inherit(r.rng.Intn(3))
	r.logf("remap map%d [%v,%v) -> map%d hint %v copy=%v inherit %d", si, src, srcEnd, di, hint, cp, inh)
	res, err := r.maps[di].Remap(hint, size, 0, vm.FlagsAnywhere, r.maps[si], src, cp, inh)
	sm, dm := r.models[si], r.models[di]
	want := vm.KernSuccess
	if !sm.covered(src, srcEnd) {
		want = vm.KernInvalidAddress
	}
	if e := r.expect("remap", err, want); e != nil || err != nil {
		return e
	}
	at := dm.findSpace(hint, size, 0)
	if res.Address != at {
		return fmt.Errorf("remap placed at %v, model %v", res.Address, at)
	}
	cur, max := pmap.Prot(vm.ProtAll), pmap.Prot(vm.ProtAll)
	var pages []mpage
	for va := src; va < srcEnd; va += pmap.PageSize {
		q := *sm.pages[va]
		q.inherit, q.wired = inh, 0
		if cp {
			q.data = q.data.clone()
		}
		cur, max = cur&q.prot, max&q.max
		pages = append(pages, q)
	}
	for k := range pages {
		dm.pages[at+pmap.VAddr(k)*pmap.PageSize] = &pages[k]
	}
	if res.Cur != cur || res.Max != max {
		return fmt.Errorf("remap returned %v/%v, model %v/%v", res.Cur, res.Max, cur, max)
	}
	return nil
}

func (r *modelRun) opReadCopyout() error {
	si, di := r.pick(), r.pick()
	src, srcEnd := r.randRange()
	size := uint64(srcEnd - src)
	r.logf("vm_read map%d [%v,%v) copyout map%d", si, src, srcEnd, di)
	c, err := r.maps[si].Read(src, size)
	sm, dm := r.models[si], r.models[di]
	if e := r.expect("vm_read", err, rangeCode(sm, src, srcEnd, pmap.ProtRead)); e != nil || err != nil {
		return e
	}
	at, err := r.maps[di].CopyOut(c)
	if err != nil {
		return fmt.Errorf("copyout: %v", err)
	}
	if want := dm.findSpace(UserMin, size, 0); at != want {
		return fmt.Errorf("copyout at %v, model %v", at, want)
	}
	data := sm.snapshot(src, srcEnd)
	dm.allocate(at, at+pmap.VAddr(size), vm.ProtDefault, vm.ProtAll)
	dm.overwrite(at, data)
	return nil
}

func (r *modelRun) opWrite() error {
	si, di := r.pick(), r.pick()
	src, srcEnd := r.randRange()
	size := uint64(srcEnd - src)
	dst := r.randPage()
	r.logf("vm_write map%d [%v,%v) -> map%d %v", si, src, srcEnd, di, dst)
	c, err := r.maps[si].Read(src, size)
	sm, dm := r.models[si], r.models[di]
	if e := r.expect("vm_read", err, rangeCode(sm, src, srcEnd, pmap.ProtRead)); e != nil || err != nil {
		return e
	}
	data := sm.snapshot(src, srcEnd)
	err = r.maps[di].Write(dst, c) // consumes c, success or not
	if e := r.expect("vm_write", err, rangeCode(dm, dst, dst+pmap.VAddr(size), pmap.ProtWrite)); e != nil || err != nil {
		return e
	}
	dm.overwrite(dst, data)
	return nil
}
