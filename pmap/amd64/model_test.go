package amd64

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/tamach/tamach/pmap"
)

// The model test drives random sequences of pmap operations over several
// address spaces that share frames, and checks after every step that the
// tables (read by the independent MMU), Extract, Stats, the reverse map, the
// referenced/modified answers and the simulated TLB all agree with a plain Go
// model of what should be mapped.

// modelMapping is what the model expects at one page.
type modelMapping struct {
	pa      pmap.PAddr
	prot    pmap.Prot // effective: read implied, execute implied without NX
	wired   bool
	user    bool // reachable from user mode
	device  bool
	managed bool
}

type modelSpace struct {
	s       *Space
	kind    pmap.Kind
	m       map[pmap.VAddr]modelMapping
	regions []pmap.VAddr // bases of regionPages-page windows
}

const regionPages = 512

// Windows of the address space the test uses: low user text, a PT boundary
// in the middle, the top of the lower half, the trampoline area, and a
// kernel-half window; the kernel space also has an identity-mapped window
// built with 2 MiB pages.
var (
	userRegions = []pmap.VAddr{0x40_0000, 0x60_0000, 0x8000_0000, 0x7f_fff0_0000,
		0x7fff_ffe0_0000, 0xffff_ffff_ffc0_0000}
	kernelRegions = []pmap.VAddr{0x20_0000, 0x40_0000, 0x1_0000_0000, 0x7fff_ffe0_0000,
		0xffff_8000_0000_0000, 0xffff_ffff_ffc0_0000}
)

type model struct {
	t      *testing.T
	e      *env
	rng    *rand.Rand
	spaces []*modelSpace
	loaded *modelSpace // whose tables the fake CPU's CR3 holds
	active *modelSpace // the space last Activated
	inTask bool        // a Prepared task's tables are loaded, as by the trampoline
	modif  map[pmap.PAddr]bool
	refd   map[pmap.PAddr]bool
	nx     bool
}

func TestModel(t *testing.T) {
	steps := 10000
	if testing.Short() {
		steps = 2000
	}
	for i, name := range []string{"all", "pcid-noinv", "nopcid", "bare"} {
		t.Run(name, func(t *testing.T) {
			runModel(t, featureSets[name], uint64(i+1), steps)
		})
	}
}

func runModel(t *testing.T, feat Features, seed uint64, steps int) {
	e := newEnv(t, feat)
	base := e.arena.InUse()
	md := &model{t: t, e: e, rng: rand.New(rand.NewPCG(seed, 99)), nx: feat.NX,
		modif: map[pmap.PAddr]bool{}, refd: map[pmap.PAddr]bool{}}
	for i := 0; i < 3; i++ {
		md.addSpace(pmap.KindUser)
	}
	k := md.addSpace(pmap.KindKernel)
	md.mapIdentity(k)
	for step := 0; step < steps; step++ {
		what := md.step()
		md.e.cpu.checkTLB(t, md.liveSpaces())
		if step%500 == 499 || step == steps-1 {
			md.checkAll(what)
		}
		if t.Failed() {
			t.Fatalf("step %d (%s) failed", step, what)
		}
	}
	t.Logf("model sizes before teardown: %d %d %d %d; tlb %d; cpu loads %d (flushing %d) invlpg %d invpcid %d/%d; modified %d",
		len(md.spaces[0].m), len(md.spaces[1].m), len(md.spaces[2].m), len(md.spaces[3].m), len(md.e.cpu.tlb),
		md.e.cpu.loads, md.e.cpu.flushLoads, md.e.cpu.invlpg, md.e.cpu.invAddr, md.e.cpu.invCtx, len(md.modif))
	md.teardown(base)
}

func (md *model) addSpace(kind pmap.Kind) *modelSpace {
	ms := &modelSpace{s: md.e.space(kind), kind: kind, m: map[pmap.VAddr]modelMapping{}, regions: userRegions}
	if kind == pmap.KindKernel {
		ms.regions = kernelRegions
	}
	md.spaces = append(md.spaces, ms)
	return ms
}

func (md *model) liveSpaces() []*Space {
	out := make([]*Space, len(md.spaces))
	for i, ms := range md.spaces {
		out[i] = ms.s
	}
	return out
}

// mapIdentity maps the kernel's first two windows 1:1 with 2 MiB pages.
func (md *model) mapIdentity(ms *modelSpace) {
	const start, size = 0x20_0000, 4 << 20
	md.e.must(ms.s.MapRange(start, start, size, pmap.ProtRead|pmap.ProtWrite, 0))
	for va := pmap.VAddr(start); va < start+size; va += pmap.PageSize {
		ms.m[va] = modelMapping{pa: pmap.PAddr(va), prot: md.effective(pmap.ProtRead | pmap.ProtWrite)}
	}
}

// effective is the protection x86 gives for prot (§4.6).
func (md *model) effective(prot pmap.Prot) pmap.Prot {
	if prot == pmap.ProtNone {
		return prot
	}
	prot |= pmap.ProtRead
	if !md.nx {
		prot |= pmap.ProtExecute
	}
	return prot
}

// lowered is the model of Protect/PageProtect on one mapping.
func (md *model) lowered(old, prot pmap.Prot) pmap.Prot {
	if prot&pmap.ProtWrite == 0 {
		old &^= pmap.ProtWrite
	}
	if md.nx && prot&pmap.ProtExecute == 0 {
		old &^= pmap.ProtExecute
	}
	return old
}

func (md *model) randVA(ms *modelSpace) pmap.VAddr {
	r := ms.regions[md.rng.IntN(len(ms.regions))]
	return r + pmap.VAddr(md.rng.IntN(regionPages))*pmap.PageSize
}

// randFrame returns a managed frame (mostly) or an unmanaged one.
func (md *model) randFrame() pmap.PAddr {
	if md.rng.IntN(8) == 0 {
		return 0xfe00_0000 + pmap.PAddr(md.rng.IntN(16))*pmap.PageSize
	}
	return managedBase + pmap.PAddr(md.rng.IntN(300))*pmap.PageSize
}

func (md *model) step() string {
	ms := md.spaces[md.rng.IntN(len(md.spaces))]
	n := md.rng.IntN(100)
	if md.inTask && n < 69 {
		md.trapEntry()
	}
	switch {
	case n < 30:
		return md.enter(ms)
	case n < 38:
		return md.remove(ms)
	case n < 46:
		return md.protect(ms)
	case n < 52:
		return md.pageProtect()
	case n < 56:
		return md.setWired(ms)
	case n < 62:
		return md.clearBits()
	case n < 68:
		return md.switchTo(ms)
	case n < 69 && md.rng.IntN(3) == 0:
		return md.recycle()
	default:
		return md.access()
	}
}

// enter maps a run of pages with one protection and set of flags.
func (md *model) enter(ms *modelSpace) string {
	va, pa := md.randVA(ms), md.randFrame()
	if mm, ok := ms.m[va]; ok && md.rng.IntN(4) == 0 {
		pa = mm.pa // change only the protection or flags of a mapping
	}
	prot := pmap.Prot(md.rng.IntN(8))
	flags := pmap.Flags(md.rng.IntN(8))
	if va >= upperStart && ms.kind == pmap.KindUser && md.rng.IntN(4) != 0 {
		flags |= pmap.Kernel
	}
	n := 1 + md.rng.IntN(24)
	for i := 0; i < n; i++ {
		at := va + pmap.VAddr(i)*pmap.PageSize
		if i > 0 && at&(regionPages*pmap.PageSize-1) == 0 {
			break // the end of the window
		}
		md.enterOne(ms, at, pa+pmap.PAddr(i)*pmap.PageSize, prot, flags)
	}
	return fmt.Sprintf("Enter(%d, %v, %v, %v, %#x) x%d", md.index(ms), va, pa, prot, flags, n)
}

func (md *model) enterOne(ms *modelSpace, va pmap.VAddr, pa pmap.PAddr, prot pmap.Prot, flags pmap.Flags) {
	what := fmt.Sprintf("Enter(%d, %v, %v, %v, %#x)", md.index(ms), va, pa, prot, flags)
	err := ms.s.Enter(va, pa, prot, flags)
	if ms.kind == pmap.KindUser && va >= upperStart && flags&pmap.Kernel == 0 {
		if !errors.Is(err, pmap.ErrKernelRange) {
			md.t.Errorf("%s: %v, want ErrKernelRange", what, err)
		}
		return
	}
	if err != nil {
		md.t.Errorf("%s: %v", what, err)
		return
	}
	if prot == pmap.ProtNone {
		delete(ms.m, va)
	} else {
		ms.m[va] = modelMapping{
			pa: pa, prot: md.effective(prot), wired: flags&pmap.Wired != 0,
			user:    ms.kind == pmap.KindUser && flags&pmap.Kernel == 0,
			device:  flags&pmap.Device != 0,
			managed: flags&pmap.Device == 0 && pa >= managedBase && pa < managedBase+pmap.PAddr(managedSize),
		}
	}
	md.checkPage(ms, va)
}

func (md *model) randRange(ms *modelSpace) (pmap.VAddr, pmap.VAddr) {
	r := ms.regions[md.rng.IntN(len(ms.regions))]
	if md.rng.IntN(60) == 0 {
		return r, r + regionPages*pmap.PageSize
	}
	a := md.rng.IntN(regionPages)
	b := a + md.rng.IntN(min(24, regionPages-a)+1)
	return r + pmap.VAddr(a)*pmap.PageSize, r + pmap.VAddr(b)*pmap.PageSize
}

// userHalfOnly reports whether [start, end) is a range Remove and Protect
// accept in ms.
func userHalfOnly(ms *modelSpace, start pmap.VAddr) bool {
	return ms.kind == pmap.KindKernel || start < upperStart
}

func (md *model) remove(ms *modelSpace) string {
	start, end := md.randRange(ms)
	what := fmt.Sprintf("Remove(%d, %v, %v)", md.index(ms), start, end)
	err := ms.s.Remove(start, end)
	if !userHalfOnly(ms, start) {
		if start != end && !errors.Is(err, pmap.ErrKernelRange) {
			md.t.Errorf("%s: %v, want ErrKernelRange", what, err)
		}
		return what
	}
	if err != nil {
		md.t.Errorf("%s: %v", what, err)
	}
	for va := start; va < end; va += pmap.PageSize {
		delete(ms.m, va)
		md.checkPage(ms, va)
	}
	return what
}

func (md *model) protect(ms *modelSpace) string {
	start, end := md.randRange(ms)
	prot := pmap.Prot(md.rng.IntN(8))
	what := fmt.Sprintf("Protect(%d, %v, %v, %v)", md.index(ms), start, end, prot)
	err := ms.s.Protect(start, end, prot)
	if !userHalfOnly(ms, start) {
		if start != end && !errors.Is(err, pmap.ErrKernelRange) {
			md.t.Errorf("%s: %v, want ErrKernelRange", what, err)
		}
		return what
	}
	if err != nil {
		md.t.Errorf("%s: %v", what, err)
	}
	for va := start; va < end; va += pmap.PageSize {
		if mm, ok := ms.m[va]; ok {
			if prot == pmap.ProtNone {
				delete(ms.m, va)
			} else {
				mm.prot = md.lowered(mm.prot, prot)
				ms.m[va] = mm
			}
		}
		md.checkPage(ms, va)
	}
	return what
}

func (md *model) pageProtect() string {
	pa := md.randFrame()
	prot := pmap.Prot(md.rng.IntN(8))
	md.e.sys.PageProtect(pa, prot)
	for _, ms := range md.spaces {
		for va, mm := range ms.m {
			if mm.pa != pa || !mm.managed {
				continue
			}
			if prot == pmap.ProtNone {
				delete(ms.m, va)
			} else {
				mm.prot = md.lowered(mm.prot, prot)
				ms.m[va] = mm
			}
			md.checkPage(ms, va)
		}
	}
	return fmt.Sprintf("PageProtect(%v, %v)", pa, prot)
}

func (md *model) setWired(ms *modelSpace) string {
	va, wired := md.randVA(ms), md.rng.IntN(2) == 0
	what := fmt.Sprintf("SetWired(%d, %v, %v)", md.index(ms), va, wired)
	err := ms.s.SetWired(va, wired)
	mm, ok := ms.m[va]
	switch {
	case ms.kind == pmap.KindUser && va >= upperStart:
		if !errors.Is(err, pmap.ErrKernelRange) {
			md.t.Errorf("%s: %v, want ErrKernelRange", what, err)
		}
	case !ok:
		if !errors.Is(err, pmap.ErrNotMapped) {
			md.t.Errorf("%s: %v, want ErrNotMapped", what, err)
		}
	case err != nil:
		md.t.Errorf("%s: %v", what, err)
	case mm.pa&(pageSize2M-1) == pmap.PAddr(va)&(pageSize2M-1) && !mm.managed && va < 0x60_0000 && ms.kind == pmap.KindKernel:
		// A page of the identity map: wiring applies to its whole large
		// page while it is not split; the model tracks only 4 KiB
		// pages, so leave the identity map out of wiring.
		md.e.must(ms.s.SetWired(va, mm.wired))
	default:
		mm.wired = wired
		ms.m[va] = mm
	}
	return what
}

func (md *model) clearBits() string {
	pa := md.randFrame()
	if md.rng.IntN(2) == 0 {
		md.e.sys.ClearModify(pa)
		delete(md.modif, pa)
		return fmt.Sprintf("ClearModify(%v)", pa)
	}
	md.e.sys.ClearReference(pa)
	delete(md.refd, pa)
	return fmt.Sprintf("ClearReference(%v)", pa)
}

// switchTo loads ms: by Activate, or, when the kernel's space is active, by
// Prepare and a CR3 load as the trap trampoline does on its way to user mode.
func (md *model) switchTo(ms *modelSpace) string {
	if md.rng.IntN(2) == 0 || md.active == nil || md.active.kind != pmap.KindKernel || ms.kind != pmap.KindUser {
		ms.s.Activate()
		md.loaded, md.active = ms, ms
		return fmt.Sprintf("Activate(%d)", md.index(ms))
	}
	md.e.cpu.LoadCR3(ms.s.Prepare())
	md.loaded, md.inTask = ms, true
	return fmt.Sprintf("Prepare(%d)", md.index(ms))
}

// trapEntry loads the kernel's tables back as the trampoline does on a trap:
// a constant CR3 value that keeps PCID 0's entries.
func (md *model) trapEntry() {
	v := CR3(md.active.s.Root())
	if md.e.sys.feat.PCID {
		v |= CR3(KernelPCID) | CR3NoFlush
	}
	md.e.cpu.LoadCR3(v)
	md.loaded, md.inTask = md.active, false
}

// recycle destroys a user space that is not loaded and creates another.
func (md *model) recycle() string {
	i := md.rng.IntN(3)
	ms := md.spaces[i]
	if ms == md.loaded || ms == md.active {
		return "recycle skipped"
	}
	ms.s.Destroy()
	md.spaces[i] = &modelSpace{s: md.e.space(pmap.KindUser), kind: pmap.KindUser, m: map[pmap.VAddr]modelMapping{}, regions: userRegions}
	md.checkAttrs()
	return fmt.Sprintf("recycle(%d)", i)
}

// access performs a random access through the fake CPU on the loaded space.
func (md *model) access() string {
	ms := md.loaded
	if ms == nil || ms.s.refs == 0 {
		return "access skipped"
	}
	va := md.randVA(ms)
	for try := 0; try < 8; try++ {
		if _, ok := ms.m[va]; ok {
			break
		}
		va = md.randVA(ms)
	}
	va += pmap.VAddr(md.rng.IntN(pmap.PageSize))
	acc := mmuAccess{write: md.rng.IntN(3) == 0, exec: md.rng.IntN(4) == 0, user: ms.kind == pmap.KindUser && md.rng.IntN(5) != 0}
	if acc.write && acc.exec {
		acc.exec = false
	}
	what := fmt.Sprintf("access(%d, %v, %+v)", md.index(ms), va, acc)
	pa, err := md.e.cpu.access(va, acc)
	mm, ok := ms.m[va.Trunc()]
	allowed := ok && (!acc.user || mm.user) && (!acc.write || mm.prot&pmap.ProtWrite != 0) &&
		(!acc.exec || mm.prot&pmap.ProtExecute != 0)
	if allowed != (err == nil) {
		md.t.Errorf("%s: allowed %v, got %v (model %+v, present %v)", what, allowed, err, mm, ok)
		return what
	}
	if !allowed {
		return what
	}
	if want := uint64(mm.pa) + uint64(va)&pmap.PageMask; pa != want {
		md.t.Errorf("%s: pa %#x, want %#x", what, pa, want)
	}
	if mm.managed {
		md.refd[mm.pa] = true
		if acc.write {
			md.modif[mm.pa] = true
		}
	}
	if md.e.sys.IsModified(mm.pa) != md.modif[mm.pa] && mm.managed {
		md.t.Errorf("%s: IsModified %v", what, !md.modif[mm.pa])
	}
	return what
}

func (md *model) index(ms *modelSpace) int {
	for i, x := range md.spaces {
		if x == ms {
			return i
		}
	}
	return -1
}

// checkPage compares one page of ms with the model, through Extract and the
// independent MMU.
func (md *model) checkPage(ms *modelSpace, va pmap.VAddr) {
	md.t.Helper()
	mm, ok := ms.m[va]
	pa, prot, got := ms.s.Extract(va)
	if got != ok || (ok && (pa != mm.pa || prot != mm.prot)) {
		md.t.Errorf("Extract(%d, %v) = %v %v %v, model %+v %v", md.index(ms), va, pa, prot, got, mm, ok)
	}
	r, err := md.e.walk(ms.s, va, mmuAccess{})
	if (err == nil) != ok {
		md.t.Errorf("MMU(%d, %v): %v, model present %v", md.index(ms), va, err, ok)
		return
	}
	if ok {
		md.checkResult(ms, va, mm, r)
	}
}

func (md *model) checkResult(ms *modelSpace, va pmap.VAddr, mm modelMapping, r mmuResult) {
	md.t.Helper()
	prot := pmap.ProtRead
	if r.rw {
		prot |= pmap.ProtWrite
	}
	if !r.xd {
		prot |= pmap.ProtExecute
	}
	device := r.leaf&(mmuPCD|mmuPWT) == mmuPCD|mmuPWT
	if pmap.PAddr(r.pa) != mm.pa || prot != mm.prot || r.us != mm.user || device != mm.device || r.leaf&mmuG != 0 {
		md.t.Errorf("MMU(%d, %v) = pa %#x prot %v user %v device %v leaf %#x, model %+v",
			md.index(ms), va, r.pa, prot, r.us, device, r.leaf, mm)
	}
}

// checkAll compares every space in full: every leaf, the stats, the reverse
// map and the referenced/modified bits.
func (md *model) checkAll(what string) {
	md.t.Helper()
	managed := 0
	for _, ms := range md.spaces {
		leaves, tables := mmuEnumerate(md.e.arena, uint64(ms.s.Root()), md.e.cpu.config().physBits)
		seen, wired := 0, uint64(0)
		for _, l := range leaves {
			for off := uint64(0); off < l.pageSize; off += pmap.PageSize {
				va := l.va + pmap.VAddr(off)
				mm, ok := ms.m[va]
				if !ok {
					md.t.Errorf("after %s: space %d maps %v, model does not", what, md.index(ms), va)
					continue
				}
				r, err := md.e.walk(ms.s, va, mmuAccess{})
				if err != nil {
					md.t.Errorf("after %s: %v: %v", what, va, err)
					continue
				}
				md.checkResult(ms, va, mm, r)
				seen++
			}
		}
		for _, mm := range ms.m {
			if mm.wired {
				wired++
			}
			if mm.managed {
				managed++
			}
		}
		st := ms.s.Stats()
		if seen != len(ms.m) || st.Resident != uint64(len(ms.m)) || st.Wired != wired || st.TablePages != uint64(len(tables)) {
			md.t.Errorf("after %s: space %d: %d leaves, model %d; stats %+v, wired %d, tables %d",
				what, md.index(ms), seen, len(ms.m), st, wired, len(tables))
		}
	}
	if md.e.sys.rmap.Total() != managed {
		md.t.Errorf("after %s: reverse map holds %d, model %d", what, md.e.sys.rmap.Total(), managed)
	}
	md.checkAttrs()
}

func (md *model) checkAttrs() {
	md.t.Helper()
	for i := 0; i < 300; i++ {
		pa := managedBase + pmap.PAddr(i)*pmap.PageSize
		if md.e.sys.IsModified(pa) != md.modif[pa] || md.e.sys.IsReferenced(pa) != md.refd[pa] {
			md.t.Errorf("frame %v: modified %v referenced %v, model %v %v", pa,
				md.e.sys.IsModified(pa), md.e.sys.IsReferenced(pa), md.modif[pa], md.refd[pa])
		}
	}
}

// teardown removes everything, checks the tables shrink to their roots, and
// destroys every space.
func (md *model) teardown(base int) {
	for _, ms := range md.spaces {
		md.e.must(ms.s.Remove(0, lowerEnd))
		if ms.kind == pmap.KindKernel {
			md.e.must(ms.s.Remove(upperStart, ^pmap.VAddr(pmap.PageMask)))
		}
		for va := range ms.m {
			if va < lowerEnd || ms.kind == pmap.KindKernel {
				delete(ms.m, va)
			}
		}
		if ms.kind == pmap.KindKernel {
			if st := ms.s.Stats(); st.Resident != 0 || st.TablePages != 1 {
				md.t.Errorf("kernel space after removing all: %+v", st)
			}
		}
	}
	md.checkAll("teardown")
	if md.active != nil {
		k := md.e.space(pmap.KindKernel)
		k.Activate() // a fresh kernel space stays loaded, with its root
		base++
	}
	for _, ms := range md.spaces {
		ms.s.Destroy()
	}
	if got := md.e.arena.InUse(); got != base {
		md.t.Errorf("frames in use %d after destroying every space, want %d", got, base)
	}
	if md.e.sys.rmap.Total() != 0 {
		md.t.Errorf("reverse map holds %d mappings after teardown", md.e.sys.rmap.Total())
	}
}
