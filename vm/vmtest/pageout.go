package vmtest

import (
	"fmt"
	"math/rand"
	"strings"

	"github.com/tamach/tamach/pmap"
	"github.com/tamach/tamach/vm"
	"github.com/tamach/tamach/vm/defpager"
)

// The model-based driver under memory pressure: the operations of RunModel
// plus sweeps that write across a large region of every map (together
// several times the page pool), reads of that region, and forced pageouts
// of a random number of pages, on a small pool whose anonymous memory is
// paged to the real default pager (package defpager) over a MemStore. The
// reference model knows nothing of paging: every byte read must still be
// the byte the model says.

// bigBase is where each map's large region lives, far from the window the
// other operations aim at.
const bigBase pmap.VAddr = 0x1000_0000

// PageoutOptions configure RunPageout.
type PageoutOptions struct {
	Pmap        *Pmap  // nil: Software
	PoolPages   int    // frames in the page pool (default 256)
	StorePages  uint64 // slots of the backing store (default 16 × PoolPages)
	BigPages    int    // pages of each map's large region (default PoolPages)
	VerifyEvery int    // compare all memory every this many steps (default 250)

	// PageoutPolicy is the vm's pageout policy (nil: vm.SecondChance).
	PageoutPolicy vm.PageoutPolicy
}

// PageoutReport is a Report with the default pager's counters.
type PageoutReport struct {
	Report
	Pager defpager.Stats
}

// RunPageout runs ops random operations from seed under memory pressure and
// returns the first disagreement with the reference model, broken vm
// invariant, or pager inconsistency (a paged-out offset its pager lacks, a
// slot mapped twice, a slot left in use after every map is destroyed).
func RunPageout(o PageoutOptions, seed int64, ops int) (PageoutReport, error) {
	o = o.withDefaults()
	env, err := New(Options{Pmap: o.Pmap, PoolPages: o.PoolPages, PageoutPolicy: o.PageoutPolicy})
	if err != nil {
		return PageoutReport{}, err
	}
	dp, err := defpager.New(defpager.NewMemStore(o.StorePages), 0)
	if err != nil {
		return PageoutReport{}, err
	}
	env.VM.SetDefaultPager(dp.NewPager)
	r := &modelRun{env: env, widen: o.Pmap.Widen, rng: rand.New(rand.NewSource(seed)), every: o.VerifyEvery}
	pr := &pageoutRun{modelRun: r, dp: dp, big: o.BigPages}
	err = pr.run(ops)
	rep := PageoutReport{Report: r.report, Pager: dp.Stats()}
	if err != nil {
		rep.Stats = env.VM.Statistics()
		return rep, fmt.Errorf("seed %d step %d: %w\nrecent operations:\n  %s", seed, r.step, err,
			strings.Join(r.log, "\n  "))
	}
	return rep, nil
}

func (o PageoutOptions) withDefaults() PageoutOptions {
	if o.Pmap == nil {
		o.Pmap = Software
	}
	if o.PoolPages == 0 {
		o.PoolPages = 256
	}
	if o.StorePages == 0 {
		o.StorePages = 16 * uint64(o.PoolPages)
	}
	if o.BigPages == 0 {
		o.BigPages = o.PoolPages
	}
	if o.VerifyEvery <= 0 {
		o.VerifyEvery = 250
	}
	return o
}

// pageoutRun is one run of the driver under pressure.
type pageoutRun struct {
	*modelRun
	dp  *defpager.DefaultPager
	big int // pages of the large region
}

// pressureOp is an operation of the pressure driver with its weight.
type pressureOp struct {
	weight int
	run    func(r *pageoutRun) error
}

// pressureOps are RunModel's operations plus the pressure ones.
var pressureOps = func() []pressureOp {
	var t []pressureOp
	for _, o := range ops {
		t = append(t, pressureOp{o.weight, func(r *pageoutRun) error { return o.run(r.modelRun) }})
	}
	return append(t, pressureOp{14, (*pageoutRun).opSweep}, pressureOp{8, (*pageoutRun).opBigLoad},
		pressureOp{5, (*pageoutRun).opPageout})
}()

var pressureWeight = func() int {
	n := 0
	for _, o := range pressureOps {
		n += o.weight
	}
	return n
}()

func (r *pageoutRun) run(ops int) error {
	if err := r.addMap(); err != nil {
		return err
	}
	for r.step = 0; r.step < ops; r.step++ {
		if err := r.randomPressureOp(); err != nil {
			return err
		}
		if err := r.check(r.step%16 == 0); err != nil {
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
	return r.teardownPager()
}

// check runs the vm invariant checker, and with pagers also the
// agreement between objects and their pagers and the pager's own.
func (r *pageoutRun) check(pagers bool) error {
	if err := r.env.Check(); err != nil {
		return err
	}
	if !pagers {
		return nil
	}
	if err := r.env.VM.CheckPagers(); err != nil {
		return err
	}
	return r.dp.Check()
}

// teardownPager destroys everything and checks that every slot is free.
func (r *pageoutRun) teardownPager() error {
	if err := r.teardown(); err != nil {
		return err
	}
	if err := r.dp.Check(); err != nil {
		return err
	}
	if st := r.dp.Stats(); st.Used != 0 || st.Pagers != 0 {
		return fmt.Errorf("vmtest: %d slots and %d pagers leaked", st.Used, st.Pagers)
	}
	return nil
}

func (r *pageoutRun) randomPressureOp() error {
	w := r.rng.Intn(pressureWeight)
	for _, o := range pressureOps {
		if w < o.weight {
			return o.run(r)
		}
		w -= o.weight
	}
	panic("vmtest: pageoutRun.randomPressureOp: weights do not add up")
}

// ensureBig maps the large region in map i if it is not there yet.
func (r *pageoutRun) ensureBig(i int) error {
	m := r.models[i]
	if m.pages[bigBase] != nil {
		return nil
	}
	end := bigBase + pmap.VAddr(r.big)*pmap.PageSize
	r.logf("allocate map%d big [%v, %v)", i, bigBase, end)
	if _, err := r.maps[i].Allocate(bigBase, uint64(end-bigBase), vm.FlagsFixed); err != nil {
		return fmt.Errorf("allocate big region: %v", err)
	}
	m.allocate(bigBase, end, vm.ProtDefault, vm.ProtAll)
	return nil
}

// opSweep stores one byte into each page of a run of up to 64 pages of
// the large region of a map: the pressure that forces pageout.
func (r *pageoutRun) opSweep() error {
	i := r.pick()
	if err := r.ensureBig(i); err != nil {
		return err
	}
	first, n := r.rng.Intn(r.big), 1+r.rng.Intn(64)
	v := byte(r.rng.Intn(256))
	r.logf("sweep map%d pages %d+%d = %#x", i, first, n, v)
	cpu := r.env.CPU(r.maps[i])
	for k := first; k < min(first+n, r.big); k++ {
		va := bigBase + pmap.VAddr(k)*pmap.PageSize + pmap.VAddr(r.rng.Intn(pmap.PageSize))
		p := r.models[i].pages[va.Trunc()]
		err := cpu.Store8(va, v)
		if e := r.expect("sweep store", err, r.accessCode(p, pmap.ProtWrite, err)); e != nil || err != nil {
			return e
		}
		p.data.set(int(va&pmap.PageMask), v)
	}
	return nil
}

// opBigLoad compares a few whole pages of the large region with the model.
func (r *pageoutRun) opBigLoad() error {
	i := r.pick()
	if r.models[i].pages[bigBase] == nil {
		return nil
	}
	cpu := r.env.CPU(r.maps[i])
	var buf [pmap.PageSize]byte
	for n := 1 + r.rng.Intn(8); n > 0; n-- {
		va := bigBase + pmap.VAddr(r.rng.Intn(r.big))*pmap.PageSize
		r.logf("big load map%d %v", i, va)
		p := r.models[i].pages[va]
		err := cpu.Read(va, buf[:])
		if e := r.expect("big load", err, r.accessCode(p, pmap.ProtRead, err)); e != nil || err != nil {
			return e
		}
		for off := range buf {
			if buf[off] != p.data.get(off) {
				return fmt.Errorf("big load map%d %v+%#x = %#x, model %#x", i, va, off, buf[off], p.data.get(off))
			}
		}
	}
	return nil
}

// opPageout runs the pageout scan for a random number of pages.
func (r *pageoutRun) opPageout() error {
	n := 1 + r.rng.Intn(64)
	r.logf("pageout %d pages", n)
	r.env.VM.Reclaim(n, true)
	return nil
}
