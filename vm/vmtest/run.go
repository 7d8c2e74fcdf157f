package vmtest

import (
	"fmt"
	"math/rand"
	"strings"

	"github.com/tamach/tamach/pmap"
	"github.com/tamach/tamach/vm"
)

// The model-based test driver: random sequences of VM operations over
// several maps, each checked against the reference model (model.go) and
// followed by the vm invariant checker.

const (
	window      pmap.VAddr = 0x10_0000 // where random operations aim
	windowPages            = 48
	maxMaps                = 4
	logDepth               = 40
)

// modelRun is one run of the driver.
type modelRun struct {
	env     *Env
	widen   func(pmap.Prot) pmap.Prot
	rng     *rand.Rand
	maps    []*vm.Map
	models  []*mmap
	entries []*mentry
	log     []string
	step    int
	every   int
	report  Report
}

// mentry is a live memory entry and its modelled contents.
type mentry struct {
	me   *vm.MemoryEntry
	data []*mdata
	prot pmap.Prot
}

// Report summarises a model run: the vm statistics before teardown and
// how many operations succeeded and failed (with a Mach error the model
// predicted).
type Report struct {
	Stats      vm.Statistics
	Successes  int
	Rejections int
}

// RunModel runs ops random operations from seed on a fresh Env built with
// opts and returns the first disagreement with the reference model or the
// first broken invariant, naming the seed and the step.
func RunModel(opts Options, seed int64, ops int) (Report, error) {
	opts.DefaultPage = true
	if opts.PoolPages == 0 {
		opts.PoolPages = 4096
	}
	env, err := New(opts)
	if err != nil {
		return Report{}, err
	}
	if opts.VerifyEvery <= 0 {
		opts.VerifyEvery = 250
	}
	if opts.Pmap == nil {
		opts.Pmap = Software
	}
	r := &modelRun{env: env, widen: opts.Pmap.Widen, rng: rand.New(rand.NewSource(seed)), every: opts.VerifyEvery}
	if err := r.run(ops); err != nil {
		return r.report, fmt.Errorf("seed %d step %d: %w\nrecent operations:\n  %s", seed, r.step, err,
			strings.Join(r.log, "\n  "))
	}
	return r.report, nil
}

func (r *modelRun) logf(format string, args ...any) {
	r.log = append(r.log, fmt.Sprintf("%d: ", r.step)+fmt.Sprintf(format, args...))
	if len(r.log) > logDepth {
		r.log = r.log[1:]
	}
}

func (r *modelRun) run(ops int) error {
	if err := r.addMap(); err != nil {
		return err
	}
	for r.step = 0; r.step < ops; r.step++ {
		if err := r.randomOp(); err != nil {
			return err
		}
		if err := r.env.Check(); err != nil {
			return err
		}
		if r.step%r.every == r.every-1 {
			if err := r.verifyAll(); err != nil {
				return err
			}
		}
	}
	if err := r.verifyAll(); err != nil {
		return err
	}
	r.report.Stats = r.env.VM.Statistics()
	return r.teardown()
}

func (r *modelRun) addMap() error {
	m, err := r.env.NewMap()
	if err != nil {
		return err
	}
	r.maps, r.models = append(r.maps, m), append(r.models, newMmap())
	return nil
}

// op is one kind of random operation with its weight.
type op struct {
	weight int
	run    func(r *modelRun) error
}

var ops = []op{
	{30, (*modelRun).opStore}, {20, (*modelRun).opLoad}, {16, (*modelRun).opAllocate},
	{3, (*modelRun).opDeallocate}, {6, (*modelRun).opProtect}, {3, (*modelRun).opInherit},
	{2, (*modelRun).opFork}, {1, (*modelRun).opDestroy}, {4, (*modelRun).opCopy},
	{3, (*modelRun).opRemap}, {3, (*modelRun).opReadCopyout}, {3, (*modelRun).opWrite},
	{3, (*modelRun).opWire}, {2, (*modelRun).opMakeEntry}, {2, (*modelRun).opMapEntry},
	{1, (*modelRun).opReleaseEntry}, {2, (*modelRun).opRegion}, {1, (*modelRun).opReclaim},
	{1, (*modelRun).opPagerEntry},
}

var totalWeight = func() int {
	n := 0
	for _, o := range ops {
		n += o.weight
	}
	return n
}()

func (r *modelRun) randomOp() error {
	w := r.rng.Intn(totalWeight)
	for _, o := range ops {
		if w < o.weight {
			return o.run(r)
		}
		w -= o.weight
	}
	panic("vmtest: modelRun.randomOp: weights do not add up")
}

// pick returns a random map index.
func (r *modelRun) pick() int { return r.rng.Intn(len(r.maps)) }

// randPage returns a random page address around the window.
func (r *modelRun) randPage() pmap.VAddr {
	return window + pmap.VAddr(r.rng.Intn(windowPages+4)-2)*pmap.PageSize
}

// randRange returns a random page range around the window.
func (r *modelRun) randRange() (pmap.VAddr, pmap.VAddr) {
	start := r.randPage()
	return start, start + pmap.VAddr(1+r.rng.Intn(6))*pmap.PageSize
}

func (r *modelRun) randProt() pmap.Prot { return pmap.Prot(r.rng.Intn(8)) }

// expect compares a result code with the model's.
func (r *modelRun) expect(what string, got error, want vm.KernReturn) error {
	if want == vm.KernSuccess {
		r.report.Successes++
	} else {
		r.report.Rejections++
	}
	if vm.Code(got) != want {
		return fmt.Errorf("%s: got %v, model says %v", what, vm.Code(got), want)
	}
	return nil
}

// accessCode is what the model says an access to p for access returns,
// given got, what it did return: an access Mach's protection forbids but
// the machine's MMU allows (Pmap.Widen) may succeed, once the page is
// mapped, as on the real machine.
func (r *modelRun) accessCode(p *mpage, access pmap.Prot, got error) vm.KernReturn {
	switch {
	case p == nil:
		return vm.KernInvalidAddress
	case p.prot.Allows(access):
		return vm.KernSuccess
	case got == nil && r.widen(p.prot).Allows(access):
		return vm.KernSuccess
	}
	return vm.KernProtectionFailure
}

// rangeCode is the model's answer for a range that must be mapped and
// allow access.
func rangeCode(m *mmap, start, end pmap.VAddr, access pmap.Prot) vm.KernReturn {
	for va := start; va < end; va += pmap.PageSize {
		switch p := m.pages[va]; {
		case p == nil:
			return vm.KernInvalidAddress
		case !p.prot.Allows(access):
			return vm.KernProtectionFailure
		}
	}
	return vm.KernSuccess
}

// verifyAll compares every readable modelled page with the real memory.
func (r *modelRun) verifyAll() error {
	var buf [pmap.PageSize]byte
	for i, m := range r.maps {
		cpu := r.env.CPU(m)
		for va, p := range r.models[i].pages {
			if !p.prot.Allows(pmap.ProtRead) {
				continue
			}
			if err := cpu.Read(va, buf[:]); err != nil {
				return fmt.Errorf("verify map %d %v: %v", i, va, err)
			}
			for off := range buf {
				if buf[off] != p.data.get(off) {
					return fmt.Errorf("verify map %d %v+%#x: %#x, model %#x", i, va, off, buf[off], p.data.get(off))
				}
			}
		}
	}
	return nil
}

func (r *modelRun) teardown() error {
	for _, me := range r.entries {
		me.me.Release()
	}
	for _, m := range r.maps {
		m.Destroy()
	}
	return r.env.CheckEmpty()
}
