package vm_test

import (
	"flag"
	"testing"

	"github.com/tamach/tamach/vm/vmtest"
)

var pressureOps = flag.Int("vm.pressure", 20000, "random operations in TestPageoutModel per pmap (split over its seeds)")

// TestPageoutModel runs the model-based test under memory pressure
// (vmtest.RunPageout): a 256-frame pool, maps that touch four times that,
// anonymous memory paged to the default pager over an in-memory store,
// pageouts forced at random points. Every byte read must be the model's,
// and after teardown every slot of the store must be free.
func TestPageoutModel(t *testing.T) {
	seeds := []int64{1, 2, 3, 4}
	if *modelSeed != 0 {
		seeds = []int64{*modelSeed}
	}
	for _, pm := range vmtest.Pmaps {
		if *modelPmap != "" && pm.Name != *modelPmap {
			continue
		}
		t.Run(pm.Name, func(t *testing.T) {
			per := max(*pressureOps/len(seeds), 1)
			for _, seed := range seeds {
				rep, err := vmtest.RunPageout(vmtest.PageoutOptions{Pmap: pm, VerifyEvery: *modelEvery}, seed, per)
				st, ps := rep.Stats, rep.Pager
				t.Logf("seed %d: %d ok, %d rejected; faults %d zero-fill %d cow %d pagein %d pageout %d (errors %d) reactivated %d reclaimed %d collapse %d transfer %d; store: writes %d rewrites %d reads %d moves %d peak %d slots",
					seed, rep.Successes, rep.Rejections, st.Faults, st.ZeroFills, st.CowFaults, st.Pageins, st.Pageouts,
					st.PageoutErrors, st.Reactivations, st.Reclaims, st.Collapses, st.Transfers, ps.Writes, ps.Rewrites, ps.Reads, ps.Moves, ps.Peak)
				if err != nil {
					t.Fatalf("%v\n(rerun: go test ./vm -run TestPageoutModel -vm.pmap=%s -vm.seed=%d -vm.pressure=%d)", err, pm.Name, seed, per)
				}
				if st.Pageouts == 0 || st.Pageins == 0 {
					t.Errorf("seed %d: no paging happened (%d pageouts, %d pageins)", seed, st.Pageouts, st.Pageins)
				}
			}
		})
	}
}
