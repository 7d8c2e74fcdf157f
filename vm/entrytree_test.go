package vm

import (
	"fmt"
	"math/rand"
	"slices"
	"testing"
)

// TestEntryTreeRandom inserts and deletes random starts, with phases of
// growth and shrinkage so the tree gains and loses levels, and compares
// every answer with a sorted slice, checking the tree's shape as it goes.
func TestEntryTreeRandom(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	var tr entryTree
	var ref []VAddr
	floorRef := func(va VAddr) (VAddr, bool) {
		i, found := slices.BinarySearch(ref, va)
		if found {
			return ref[i], true
		}
		if i == 0 {
			return 0, false
		}
		return ref[i-1], true
	}
	for step := 0; step < 200000; step++ {
		va := VAddr(rng.Intn(20000)) << 12
		grow := (step/20000)%2 == 0
		i, found := slices.BinarySearch(ref, va)
		if rng.Intn(10) < 7 == grow {
			ok := tr.insert(&Entry{start: va})
			if ok == found {
				t.Fatalf("step %d: insert %v reported %v, present %v", step, va, ok, found)
			}
			if ok {
				ref = slices.Insert(ref, i, va)
			}
		} else {
			if tr.delete(va) != found {
				t.Fatalf("step %d: delete %v disagrees (present %v)", step, va, found)
			}
			if found {
				ref = slices.Delete(ref, i, i+1)
			}
		}
		q := VAddr(rng.Intn(20001)) << 12
		k, e := tr.floor(q)
		want, ok := floorRef(q)
		if (e != nil) != ok || ok && (k != want || e.start != want) {
			t.Fatalf("step %d: floor(%v) = %v %v, want %v %v", step, q, k, e != nil, want, ok)
		}
		if step%1000 == 0 {
			if err := tr.check(); err != nil {
				t.Fatalf("step %d: %v", step, err)
			}
			if tr.len() != len(ref) {
				t.Fatalf("step %d: %d entries, want %d", step, tr.len(), len(ref))
			}
		}
	}
	var got []VAddr
	tr.ascend(func(start VAddr, e *Entry) bool { got = append(got, start); return true })
	if !slices.Equal(got, ref) {
		t.Fatal("ascend order differs from the reference")
	}
	t.Logf("final: %d entries, height %d", tr.len(), tr.height)
}

// BenchmarkEntryTreeFloor is the index alone: floor of random starts of
// trees of 10, 1,000 and 100,000 entries, without touching the entries
// found (BenchmarkLookup adds the map lock, the hint and the entry).
func BenchmarkEntryTreeFloor(b *testing.B) {
	for _, n := range []int{10, 1000, 100000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			var tr entryTree
			for i := 0; i < n; i++ {
				tr.insert(&Entry{start: VAddr(0x100000 + 2*i*4096)})
			}
			rng := rand.New(rand.NewSource(1))
			order := make([]VAddr, 4096)
			for i := range order {
				order[i] = VAddr(0x100000 + 2*rng.Intn(n)*4096)
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if k, _ := tr.floor(order[i&4095]); k != order[i&4095] {
					b.Fatal("floor missed")
				}
			}
		})
	}
}
