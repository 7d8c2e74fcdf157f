package vm_test

import (
	"testing"

	"github.com/tamach/tamach/vm"
	"github.com/tamach/tamach/vm/defpager"
	"github.com/tamach/tamach/vm/vmtest"
)

// fifo is a second pageout policy, as small as one can be: first in,
// first out, no second chance. It keeps XNU's thresholds, ages nothing
// (pages stay on the active queue, in the order they were filled) and
// evicts the oldest page whether it is used or not. Pages a task said it
// does not need (vm_behavior DONTNEED puts them on the inactive queue) go
// first.
type fifo struct{}

// Targets keeps the default thresholds.
func (fifo) Targets(frames int) vm.PageoutTargets { return vm.DefaultPageoutTargets(frames) }

// Balance does nothing: FIFO has no ageing.
func (fifo) Balance(q *vm.PageQueues) {}

// ScanOne evicts the oldest page.
func (fifo) ScanOne(q *vm.PageQueues) bool {
	p := q.InactiveFront()
	if p == nil {
		p = q.ActiveFront()
	}
	if p == nil {
		return false
	}
	q.Evict(p)
	return true
}

// TestPageoutPolicyFIFOModel runs the model-based pressure test with the
// FIFO policy plugged in through vm.Config.PageoutPolicy: another policy
// changes which pages go, never what a task reads.
func TestPageoutPolicyFIFOModel(t *testing.T) {
	seeds := []int64{1, 2}
	if *modelSeed != 0 {
		seeds = []int64{*modelSeed}
	}
	for _, pm := range vmtest.Pmaps {
		if *modelPmap != "" && pm.Name != *modelPmap {
			continue
		}
		t.Run(pm.Name, func(t *testing.T) {
			for _, seed := range seeds {
				rep, err := vmtest.RunPageout(vmtest.PageoutOptions{Pmap: pm, PageoutPolicy: fifo{}}, seed, 5000)
				st := rep.Stats
				t.Logf("seed %d: %d ok; pagein %d pageout %d reactivated %d reclaimed %d", seed, rep.Successes,
					st.Pageins, st.Pageouts, st.Reactivations, st.Reclaims)
				if err != nil {
					t.Fatalf("%v\n(rerun: go test ./vm -run TestPageoutPolicyFIFOModel -vm.pmap=%s -vm.seed=%d)", err, pm.Name, seed)
				}
				if st.Pageouts == 0 || st.Pageins == 0 {
					t.Errorf("seed %d: no paging happened (%d pageouts, %d pageins)", seed, st.Pageouts, st.Pageins)
				}
			}
		})
	}
}

// hotSet runs a workload with a hot working set under policy: 8 hot pages
// read after each store into 400 cold pages, through a 64-frame pool,
// every byte checked. It reports the vm statistics at the end of the
// workload, before the cold pages are read back to check them.
func hotSet(t *testing.T, policy vm.PageoutPolicy) vm.Statistics {
	t.Helper()
	env := newEnv(t, vmtest.Options{PoolPages: 64, PageoutPolicy: policy})
	dp, err := defpager.New(defpager.NewMemStore(1024), 0)
	if err != nil {
		t.Fatal(err)
	}
	env.VM.SetDefaultPager(dp.NewPager)
	m := newMap(t, env)
	hot, _ := m.Allocate(0, 8*page, vm.FlagsAnywhere)
	cold, _ := m.Allocate(0, 400*page, vm.FlagsAnywhere)
	cpu := env.CPU(m)
	if _, err := writePages(cpu, hot, 0, 8); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 400; i++ {
		if _, err := writePages(cpu, cold, i, 1); err != nil {
			t.Fatal(err)
		}
		verifyPages(t, cpu, hot, 0, 8)
	}
	st := env.VM.Statistics()
	verifyPages(t, cpu, cold, 0, 400)
	checkPaging(t, env, dp)
	m.Destroy()
	checkNoSlots(t, env, dp)
	return st
}

// TestPageoutPolicyHotSet shows that the policy really changes what
// pageout does: in the workload of hotSet only the hot pages are ever
// read back, so every page-in is a hot page that was evicted. Second
// chance keeps them resident (they are referenced between deactivation
// and eviction); FIFO evicts each of them whenever it becomes the oldest
// page and pages it in again at its next read.
func TestPageoutPolicyHotSet(t *testing.T) {
	sc := hotSet(t, nil)
	ff := hotSet(t, fifo{})
	t.Logf("second chance: %d pageins, %d pageouts, %d reactivations", sc.Pageins, sc.Pageouts, sc.Reactivations)
	t.Logf("fifo:          %d pageins, %d pageouts, %d reactivations", ff.Pageins, ff.Pageouts, ff.Reactivations)
	if sc.Pageins > 4 {
		t.Errorf("second chance paged hot pages in %d times", sc.Pageins)
	}
	if ff.Pageins < 8 || ff.Pageins <= sc.Pageins {
		t.Errorf("FIFO paged in %d pages, second chance %d: FIFO should lose each hot page at least once", ff.Pageins, sc.Pageins)
	}
}
