package arm64

import (
	"fmt"
	"math/rand"
	"testing"

	"github.com/tamach/tamach/pmap"
)

// The model-based test drives random operations over several spaces that
// share managed frames, and after every step compares the pmap with a plain
// Go model: Extract, the tables as the software walker sees them, the TLB
// model, Stats, the reverse map and the referenced/modified answers.

// mEntry is the model of one mapping.
type mEntry struct {
	pa      pmap.PAddr
	prot    pmap.Prot // effective protection
	wired   bool
	kernel  bool // supervisor-only: a kernel space, or the Kernel flag
	device  bool
	managed bool // in the reverse map
}

// modelProt restates the documented effective-protection rule: device
// memory never executes, write implies read, EL1 can always read.
func modelProt(p pmap.Prot, kernel, device bool) pmap.Prot {
	if device {
		p &^= pmap.ProtExecute
	}
	if p&pmap.ProtWrite != 0 || (kernel && p != 0) {
		p |= pmap.ProtRead
	}
	return p
}

// allowed tells whether the model lets access a (at EL0 or EL1) through e.
func (e mEntry) allowed(a wAccess) bool {
	switch {
	case e.kernel && a.el0:
		return false
	case e.kernel && a.exec:
		return e.prot&pmap.ProtExecute != 0
	case e.kernel:
		return !a.write || e.prot&pmap.ProtWrite != 0
	case a.el0:
		return e.prot.Allows(accessProt(a))
	case a.exec:
		return false // PXN on every user mapping
	}
	return !a.write || e.prot&pmap.ProtWrite != 0
}

type model struct {
	spaces []map[pmap.VAddr]mEntry
	ref    map[pmap.PAddr]bool
	mod    map[pmap.PAddr]bool
}

// fold is what the pmap records when the mapping e goes away or loses
// write: untracked (kernel) mappings count as referenced, and modified if
// writable, for as long as they exist.
func (m *model) fold(e mEntry) {
	if e.managed && e.kernel {
		m.ref[e.pa] = true
		if e.prot&pmap.ProtWrite != 0 {
			m.mod[e.pa] = true
		}
	}
}

func (m *model) drop(s int, va pmap.VAddr) {
	if e, ok := m.spaces[s][va]; ok {
		m.fold(e)
		delete(m.spaces[s], va)
	}
}

func (m *model) lower(s int, va pmap.VAddr, p pmap.Prot) {
	e, ok := m.spaces[s][va]
	if !ok {
		return
	}
	np := modelProt(e.prot&p, e.kernel, e.device)
	if np == pmap.ProtNone {
		m.drop(s, va)
		return
	}
	if e.prot&pmap.ProtWrite != 0 && np&pmap.ProtWrite == 0 {
		m.fold(e)
	}
	e.prot = np
	m.spaces[s][va] = e
}

// expectRef and expectMod add the live untracked mappings to the recorded
// state.
func (m *model) expectRef(pa pmap.PAddr) bool {
	if m.ref[pa] {
		return true
	}
	for _, sp := range m.spaces {
		for _, e := range sp {
			if e.pa == pa && e.managed && e.kernel {
				return true
			}
		}
	}
	return false
}

func (m *model) expectMod(pa pmap.PAddr) bool {
	if m.mod[pa] {
		return true
	}
	for _, sp := range m.spaces {
		for _, e := range sp {
			if e.pa == pa && e.managed && e.kernel && e.prot&pmap.ProtWrite != 0 {
				return true
			}
		}
	}
	return false
}

// intner is the source of random choices: math/rand, or fuzz input.
type intner interface{ Intn(n int) int }

// modelRun is one run of the model test.
type modelRun struct {
	t      *testing.T
	h      *harness
	rng    intner
	spaces []*Space
	m      model
	vas    []pmap.VAddr // changed by the current step
	pas    []pmap.PAddr
}

const modelFrames = 192

var debugModel = false

// VA pool: a dense window (4 L3 tables), one at the top of the lower half,
// and sparse addresses, one per L3 table.
func (r *modelRun) randVA() pmap.VAddr {
	switch n := r.rng.Intn(10); {
	case n < 6:
		return pmap.VAddr(0x40_0000 + r.rng.Intn(2048)*pmap.PageSize)
	case n < 8:
		return pmap.VAddr(halfSize - 512*pmap.PageSize + uint64(r.rng.Intn(512))*pmap.PageSize)
	default:
		return pmap.VAddr(0x10_0000_0000 + uint64(r.rng.Intn(64))<<21 + uint64(r.rng.Intn(4))*pmap.PageSize)
	}
}

func (r *modelRun) randFrame() (pmap.PAddr, pmap.Flags) {
	switch n := r.rng.Intn(20); {
	case n < 17:
		return frame(r.rng.Intn(modelFrames)), 0
	case n < 19:
		return 0x4100_0000 + pmap.PAddr(r.rng.Intn(16))*pmap.PageSize, 0 // unmanaged RAM
	default:
		return deviceBase + pmap.PAddr(r.rng.Intn(4))*pmap.PageSize, pmap.Device
	}
}

func (r *modelRun) managed(pa pmap.PAddr, device bool) bool {
	return !device && pa >= managedBase && pa < managedBase+managedSize
}

func (r *modelRun) stepEnter() string {
	si := r.rng.Intn(len(r.spaces))
	s := r.spaces[si]
	va := r.randVA()
	pa, flags := r.randFrame()
	prot := pmap.Prot(r.rng.Intn(8))
	if r.rng.Intn(5) == 0 {
		flags |= pmap.Wired
	}
	if s.kind == pmap.KindUser && r.rng.Intn(20) == 0 {
		flags |= pmap.Kernel
	}
	must(r.t, s.Enter(va, pa, prot, flags), "Enter")
	kernel := s.kind == pmap.KindKernel || flags&pmap.Kernel != 0
	device := flags&pmap.Device != 0
	e := mEntry{pa: pa, prot: modelProt(prot, kernel, device), wired: flags&pmap.Wired != 0,
		kernel: kernel, device: device, managed: r.managed(pa, device)}
	old, had := r.m.spaces[si][va]
	if had {
		r.pas = append(r.pas, old.pa)
		if old.pa != e.pa || old.device != e.device || e.prot == pmap.ProtNone {
			r.m.drop(si, va)
		} else {
			r.m.fold(old) // re-entered in place: the old state is folded
		}
	}
	if e.prot != pmap.ProtNone {
		r.m.spaces[si][va] = e
	} else {
		delete(r.m.spaces[si], va)
	}
	r.vas = append(r.vas, va)
	r.pas = append(r.pas, pa)
	return fmt.Sprintf("Enter(s%d, %v, %v, %v, %#x)", si, va, pa, prot, flags)
}

func (r *modelRun) randRange() (pmap.VAddr, pmap.VAddr) {
	start := r.randVA()
	n := 1 + r.rng.Intn(32)
	end := start + pmap.VAddr(n*pmap.PageSize)
	if uint64(end) > halfSize {
		end = pmap.VAddr(halfSize)
	}
	return start, end
}

func (r *modelRun) rangeVAs(si int, start, end pmap.VAddr) []pmap.VAddr {
	var out []pmap.VAddr
	for va := start; va < end; va += pmap.PageSize {
		out = append(out, va)
		if e, ok := r.m.spaces[si][va]; ok {
			r.pas = append(r.pas, e.pa)
		}
	}
	return out
}

func (r *modelRun) stepRemove() string {
	si := r.rng.Intn(len(r.spaces))
	start, end := r.randRange()
	vas := r.rangeVAs(si, start, end)
	must(r.t, r.spaces[si].Remove(start, end), "Remove")
	for _, va := range vas {
		r.m.drop(si, va)
	}
	r.vas = append(r.vas, vas...)
	return fmt.Sprintf("Remove(s%d, %v, %v)", si, start, end)
}

func (r *modelRun) stepProtect() string {
	si := r.rng.Intn(len(r.spaces))
	start, end := r.randRange()
	prot := pmap.Prot(r.rng.Intn(8))
	vas := r.rangeVAs(si, start, end)
	must(r.t, r.spaces[si].Protect(start, end, prot), "Protect")
	for _, va := range vas {
		r.m.lower(si, va, prot)
	}
	r.vas = append(r.vas, vas...)
	return fmt.Sprintf("Protect(s%d, %v, %v, %v)", si, start, end, prot)
}

func (r *modelRun) stepPageProtect() string {
	pa := frame(r.rng.Intn(modelFrames))
	prot := []pmap.Prot{pmap.ProtNone, pmap.ProtRead, pmap.ProtRead | pmap.ProtExecute, pmap.ProtRead | pmap.ProtWrite}[r.rng.Intn(4)]
	r.h.sys.PageProtect(pa, prot)
	for si, sp := range r.m.spaces {
		for va, e := range sp {
			if e.pa == pa && e.managed {
				r.m.lower(si, va, prot)
				r.vas = append(r.vas, va)
			}
		}
	}
	r.pas = append(r.pas, pa)
	return fmt.Sprintf("PageProtect(%v, %v)", pa, prot)
}

func (r *modelRun) stepSetWired() string {
	si := r.rng.Intn(len(r.spaces))
	va := r.randVA()
	wired := r.rng.Intn(2) == 0
	err := r.spaces[si].SetWired(va, wired)
	e, ok := r.m.spaces[si][va]
	if !ok {
		wantErr(r.t, err, pmap.ErrNotMapped, "SetWired on a hole")
	} else {
		must(r.t, err, "SetWired")
		e.wired = wired
		r.m.spaces[si][va] = e
	}
	r.vas = append(r.vas, va)
	return fmt.Sprintf("SetWired(s%d, %v, %v)", si, va, wired)
}

func (r *modelRun) stepClear() string {
	pa := frame(r.rng.Intn(modelFrames))
	r.pas = append(r.pas, pa)
	if r.rng.Intn(2) == 0 {
		r.h.sys.ClearModify(pa)
		r.m.mod[pa] = false
		return fmt.Sprintf("ClearModify(%v)", pa)
	}
	r.h.sys.ClearReference(pa)
	r.m.ref[pa] = false
	return fmt.Sprintf("ClearReference(%v)", pa)
}

func (r *modelRun) stepTouch() string {
	si := r.rng.Intn(len(r.spaces))
	s := r.spaces[si]
	var va pmap.VAddr
	if len(r.m.spaces[si]) > 0 && r.rng.Intn(4) != 0 {
		va = r.anyMapped(si)
	} else {
		va = r.randVA()
	}
	// The kernel touches a task's lower half only through Kernel-flag
	// mappings; user mappings are touched from EL0.
	e, ok := r.m.spaces[si][va]
	a := wAccess{el0: s.kind == pmap.KindUser && !(ok && e.kernel && r.rng.Intn(2) == 0)}
	switch r.rng.Intn(3) {
	case 1:
		a.write = true
	case 2:
		a.exec = true
	}
	pa, f := r.h.touch(s, va, a)
	want := ok && e.allowed(a)
	if (f == wOK) != want {
		r.t.Fatalf("touch(s%d, %v, %+v) = %v, model allows %v (entry %+v)", si, va, a, f, want, e)
	}
	if f == wOK {
		if pa != uint64(e.pa) {
			r.t.Fatalf("touch(s%d, %v) reached %#x, model %v", si, va, pa, e.pa)
		}
		if e.managed {
			r.m.ref[e.pa] = true
			if a.write {
				r.m.mod[e.pa] = true
			}
		}
		r.pas = append(r.pas, e.pa)
	}
	r.vas = append(r.vas, va)
	return fmt.Sprintf("touch(s%d, %v, %+v) = %v", si, va, a, f)
}

func (r *modelRun) anyMapped(si int) pmap.VAddr {
	n := r.rng.Intn(len(r.m.spaces[si]))
	for va := range r.m.spaces[si] {
		if n == 0 {
			return va
		}
		n--
	}
	panic("anyMapped: empty space")
}

// stepRecreate destroys a user space and creates a fresh one in its place.
func (r *modelRun) stepRecreate() string {
	si := 1 + r.rng.Intn(len(r.spaces)-1) // space 0 is the kernel's
	s := r.spaces[si]
	for va := range r.m.spaces[si] {
		r.pas = append(r.pas, r.m.spaces[si][va].pa)
		r.m.drop(si, va)
	}
	if r.h.cpu.ttbr0&wAddr == uint64(s.root) {
		r.h.activate(r.spaces[0])
	}
	r.h.destroy(s)
	r.spaces[si] = r.h.create(pmap.KindUser)
	return fmt.Sprintf("recreate(s%d)", si)
}

// checkVA compares one address of one space with the model.
func (r *modelRun) checkVA(si int, va pmap.VAddr, step string) {
	s := r.spaces[si]
	e, ok := r.m.spaces[si][va]
	pa, prot, got := s.Extract(va)
	if got != ok || (ok && (pa != e.pa || prot != e.prot)) {
		r.t.Fatalf("after %s: Extract(s%d, %v) = %v %v %v, model %+v %v", step, si, va, pa, prot, got, e, ok)
	}
	w := softWalk(r.h.arena, uint64(s.root), uint64(va))
	if !ok {
		if w.fault != wTranslation {
			r.t.Fatalf("after %s: s%d %v unmapped in the model, walker finds %#x", step, si, va, w.desc)
		}
		return
	}
	if w.fault != wOK || w.pa != uint64(e.pa) {
		r.t.Fatalf("after %s: s%d %v walker %v pa %#x, model %v", step, si, va, w.fault, w.pa, e.pa)
	}
	r.checkLeafPerms(si, va, w.desc, e, step)
}

// checkLeafPerms checks the hardware permissions of the leaf d against the
// model (with AF taken as set; writes allowed either now or, for a clean
// page, after the first-write fault, which the documented software bit 55
// records).
func (r *modelRun) checkLeafPerms(si int, va pmap.VAddr, d uint64, e mEntry, step string) {
	for _, a := range []wAccess{{el0: true}, {el0: true, exec: true}, {}, {exec: true}} {
		if got := wPermits(d|wAF, a); got != e.allowed(a) {
			r.t.Fatalf("after %s: s%d %v desc %#x access %+v permitted=%v, model %v", step, si, va, d, a, got, e.allowed(a))
		}
	}
	for _, el0 := range []bool{true, false} {
		a := wAccess{el0: el0, write: true}
		hw := wPermits(d|wAF, a)
		logical := wPermits(d&^wAP2|wAF, a) && d&wSWWrite != 0
		if hw && !e.allowed(a) || (hw || logical) != e.allowed(a) {
			r.t.Fatalf("after %s: s%d %v desc %#x write el0=%v hw=%v logical=%v, model %v", step, si, va, d, el0, hw, logical, e.allowed(a))
		}
	}
}

func (r *modelRun) checkFrame(pa pmap.PAddr, step string) {
	if !r.managed(pa, false) {
		return
	}
	if got, want := r.h.sys.IsReferenced(pa), r.m.expectRef(pa); got != want {
		r.t.Fatalf("after %s: IsReferenced(%v) = %v, model %v", step, pa, got, want)
	}
	if got, want := r.h.sys.IsModified(pa), r.m.expectMod(pa); got != want {
		r.t.Fatalf("after %s: IsModified(%v) = %v, model %v", step, pa, got, want)
	}
}

func (r *modelRun) checkStats(step string) {
	rmapped := 0
	for si, s := range r.spaces {
		var res, wired uint64
		for _, e := range r.m.spaces[si] {
			res++
			if e.wired {
				wired++
			}
			if e.managed {
				rmapped++
			}
		}
		if st := s.Stats(); st.Resident != res || st.Wired != wired {
			r.t.Fatalf("after %s: s%d Stats %+v, model resident %d wired %d", step, si, st, res, wired)
		}
	}
	if got := r.h.sys.rmap.Total(); got != rmapped {
		r.t.Fatalf("after %s: reverse map holds %d mappings, model %d", step, got, rmapped)
	}
	var tables uint64
	for _, s := range r.spaces {
		tables += s.Stats().TablePages
	}
	if tables != uint64(r.h.arena.InUse()) {
		r.t.Fatalf("after %s: TablePages sum %d, arena in use %d", step, tables, r.h.arena.InUse())
	}
}

func (r *modelRun) checkAll(step string) {
	for si, sp := range r.m.spaces {
		for va := range sp {
			r.checkVA(si, va, step)
		}
	}
	for i := 0; i < modelFrames; i++ {
		r.checkFrame(frame(i), step)
	}
}

func runModel(t *testing.T, mode accessMode, seed int64, steps int) {
	h := newHarness(t, mode)
	r := &modelRun{t: t, h: h, rng: rand.New(rand.NewSource(seed)),
		m: model{ref: map[pmap.PAddr]bool{}, mod: map[pmap.PAddr]bool{}}}
	r.spaces = []*Space{h.create(pmap.KindKernel), h.create(pmap.KindUser), h.create(pmap.KindUser), h.create(pmap.KindUser)}
	r.m.spaces = make([]map[pmap.VAddr]mEntry, len(r.spaces))
	for i := range r.m.spaces {
		r.m.spaces[i] = map[pmap.VAddr]mEntry{}
	}
	for i := 0; i < steps; i++ {
		r.vas, r.pas = r.vas[:0], r.pas[:0]
		var step string
		switch n := r.rng.Intn(100); {
		case n < 35:
			step = r.stepEnter()
		case n < 45:
			step = r.stepRemove()
		case n < 53:
			step = r.stepProtect()
		case n < 58:
			step = r.stepPageProtect()
		case n < 63:
			step = r.stepSetWired()
		case n < 70:
			step = r.stepClear()
		case n < 99:
			step = r.stepTouch()
		default:
			step = r.stepRecreate()
		}
		step = fmt.Sprintf("step %d %s", i, step)
		if debugModel {
			t.Log(step)
		}
		h.checkTLB()
		for _, va := range r.vas {
			for si := range r.spaces {
				r.checkVA(si, va, step)
			}
		}
		for _, pa := range r.pas {
			r.checkFrame(pa, step)
		}
		r.checkStats(step)
		if i%500 == 499 {
			r.checkAll(step)
		}
	}
	r.checkAll("the last step")
	r.teardown()
}

// teardown removes everything, checks that only the roots are left, then
// destroys every space and checks that no frame leaked.
func (r *modelRun) teardown() {
	h := r.h
	for si, s := range r.spaces {
		must(r.t, s.Remove(0, pmap.VAddr(halfSize)), "Remove all")
		for va := range r.m.spaces[si] {
			r.m.drop(si, va)
		}
		if st := s.Stats(); st.TablePages != 1 || st.Resident != 0 || st.Wired != 0 {
			r.t.Fatalf("s%d after removing everything: %+v", si, st)
		}
	}
	h.checkTLB()
	for i := 0; i < modelFrames; i++ {
		r.checkFrame(frame(i), "removing everything")
	}
	if got := h.sys.rmap.Total(); got != 0 {
		r.t.Fatalf("reverse map holds %d mappings after removing everything", got)
	}
	for _, s := range r.spaces {
		h.destroy(s)
	}
	if n := h.arena.InUse(); n != 0 {
		r.t.Fatalf("%d table frames leaked", n)
	}
}

func TestModel(t *testing.T) {
	steps := 4000
	if testing.Short() {
		steps = 1000
	}
	for _, mode := range allModes {
		for seed := int64(1); seed <= 2; seed++ {
			t.Run(fmt.Sprintf("%v/seed%d", mode, seed), func(t *testing.T) { runModel(t, mode, seed, steps) })
		}
	}
}
