package vm_test

import (
	"flag"
	"testing"

	"github.com/tamach/tamach/vm/vmtest"
)

var (
	modelOps   = flag.Int("vm.ops", 40000, "random operations in TestModel per pmap (split over its seeds)")
	modelSeed  = flag.Int64("vm.seed", 0, "run TestModel with this seed only")
	modelEvery = flag.Int("vm.verify", 250, "TestModel compares all memory every this many steps")
	modelPmap  = flag.String("vm.pmap", "", "run TestModel over this pmap only (soft, amd64, arm64-hafdbs, arm64-swaf)")
)

// TestModel runs random VM operation sequences against the reference model
// (vmtest.RunModel) over every pmap the harness has: the software pmap and
// the real page-table formats, whose simulated MMU walks real tables on
// every access.
func TestModel(t *testing.T) {
	seeds := []int64{1, 2, 3, 4, 5, 6, 7, 8}
	if *modelSeed != 0 {
		seeds = []int64{*modelSeed}
	}
	for _, pm := range vmtest.Pmaps {
		if *modelPmap != "" && pm.Name != *modelPmap {
			continue
		}
		t.Run(pm.Name, func(t *testing.T) {
			runModel(t, pm.Name, vmtest.Options{Pmap: pm, VerifyEvery: *modelEvery}, seeds, *modelOps)
		})
	}
}

func runModel(t *testing.T, name string, opts vmtest.Options, seeds []int64, ops int) {
	per := max(ops/len(seeds), 1)
	for _, seed := range seeds {
		rep, err := vmtest.RunModel(opts, seed, per)
		t.Logf("seed %d: %d ok, %d rejected; faults %d zero-fill %d cow %d push %d pagein %d pageout %d collapse %d bypass %d",
			seed, rep.Successes, rep.Rejections, rep.Stats.Faults, rep.Stats.ZeroFills, rep.Stats.CowFaults, rep.Stats.CopyPushes,
			rep.Stats.Pageins, rep.Stats.Pageouts, rep.Stats.Collapses, rep.Stats.Bypasses)
		if err != nil {
			t.Fatalf("%v\n(rerun: go test ./vm -run TestModel -vm.pmap=%s -vm.seed=%d -vm.ops=%d)", err, name, seed, per)
		}
	}
}
