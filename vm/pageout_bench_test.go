package vm_test

import (
	"testing"

	"github.com/tamach/tamach/vm"
	"github.com/tamach/tamach/vm/defpager"
	"github.com/tamach/tamach/vm/vmtest"
)

// benchBatch is how many pages each benchmark round touches: half of the
// default 1024-frame pool, so that a round never pages itself out.
const benchBatch = 512

// benchRegion maps a fresh benchBatch-page region in m.
func benchRegion(b *testing.B, m *vm.Map) vm.VAddr {
	addr, err := m.Allocate(0, benchBatch*page, vm.FlagsAnywhere)
	if err != nil {
		b.Fatal(err)
	}
	return addr
}

// touch loads (or stores into) one byte of every page of the region.
func touch(b *testing.B, cpu *vmtest.CPU, base vm.VAddr, n int, write bool) {
	for i := 0; i < n; i++ {
		va := base + vm.VAddr(i)*page
		var err error
		if write {
			err = cpu.Store8(va, byte(i))
		} else {
			_, err = cpu.Load8(va)
		}
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPageout measures laundering: dirty resident pages written to
// the default pager (in-memory store) and freed, per page.
func BenchmarkPageout(b *testing.B) {
	env, _ := pagingEnv(b, 1024, defpager.NewMemStore(4096), 0)
	m := newMap(b, env)
	cpu := env.CPU(m)
	b.ResetTimer()
	for done := 0; done < b.N; done += benchBatch {
		n := min(benchBatch, b.N-done)
		b.StopTimer()
		base := benchRegion(b, m)
		touch(b, cpu, base, n, true)
		b.StartTimer()
		if got := env.VM.ReclaimAll(true); got < n {
			b.Fatalf("paged out %d of %d", got, n)
		}
		b.StopTimer()
		m.Deallocate(base, benchBatch*page)
		b.StartTimer()
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pages/s")
}

// BenchmarkFaultPagein measures a read fault that pages its page in from
// the default pager, per page.
func BenchmarkFaultPagein(b *testing.B) {
	env, _ := pagingEnv(b, 1024, defpager.NewMemStore(4096), 0)
	m := newMap(b, env)
	cpu := env.CPU(m)
	base := benchRegion(b, m)
	touch(b, cpu, base, benchBatch, true)
	b.ResetTimer()
	for done := 0; done < b.N; done += benchBatch {
		n := min(benchBatch, b.N-done)
		b.StopTimer()
		env.VM.ReclaimAll(true)
		b.StartTimer()
		touch(b, cpu, base, n, false)
	}
	b.StopTimer()
	if st := env.VM.Statistics(); st.Pageins < uint64(b.N) {
		b.Fatalf("%d pageins for %d faults", st.Pageins, b.N)
	}
}

// BenchmarkFaultZeroFill measures a read fault on untouched anonymous
// memory (a zero-filled page), per page, for comparison with a page-in.
func BenchmarkFaultZeroFill(b *testing.B) {
	env, _ := pagingEnv(b, 1024, defpager.NewMemStore(4096), 0)
	m := newMap(b, env)
	cpu := env.CPU(m)
	b.ResetTimer()
	for done := 0; done < b.N; done += benchBatch {
		n := min(benchBatch, b.N-done)
		b.StopTimer()
		base := benchRegion(b, m)
		b.StartTimer()
		touch(b, cpu, base, n, false)
		b.StopTimer()
		m.Deallocate(base, benchBatch*page)
		b.StartTimer()
	}
}
