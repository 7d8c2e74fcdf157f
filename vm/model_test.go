package vm_test

import (
	"flag"
	"testing"

	"github.com/tamach/tamach/vm/vmtest"
)

var (
	modelOps   = flag.Int("vm.ops", 40000, "random operations in TestModel (split over its seeds)")
	modelSeed  = flag.Int64("vm.seed", 0, "run TestModel with this seed only")
	modelEvery = flag.Int("vm.verify", 250, "TestModel compares all memory every this many steps")
)

// TestModel runs random VM operation sequences against the reference model
// (vmtest.RunModel), at least 10,000 operations in all by default.
func TestModel(t *testing.T) {
	seeds := []int64{1, 2, 3, 4, 5, 6, 7, 8}
	if *modelSeed != 0 {
		seeds = []int64{*modelSeed}
	}
	per := max(*modelOps/len(seeds), 1)
	for _, seed := range seeds {
		rep, err := vmtest.RunModel(vmtest.Options{VerifyEvery: *modelEvery}, seed, per)
		t.Logf("seed %d: %d ok, %d rejected; faults %d zero-fill %d cow %d pagein %d pageout %d collapse %d bypass %d",
			seed, rep.Successes, rep.Rejections, rep.Stats.Faults, rep.Stats.ZeroFills, rep.Stats.CowFaults,
			rep.Stats.Pageins, rep.Stats.Pageouts, rep.Stats.Collapses, rep.Stats.Bypasses)
		if err != nil {
			t.Fatalf("%v\n(rerun: go test ./vm -run TestModel -vm.seed=%d -vm.ops=%d)", err, seed, per)
		}
	}
}
