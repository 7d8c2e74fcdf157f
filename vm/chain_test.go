package vm_test

import (
	"math/rand"
	"testing"

	"github.com/tamach/tamach/pmap"
	"github.com/tamach/tamach/vm"
	"github.com/tamach/tamach/vm/vmtest"
)

// TestShadowChainGenerations copies a region, writes one page of the copy
// and drops the original, 1,000 times: collapse must keep every chain at
// most 2 objects deep, and no page or object may leak.
func TestShadowChainGenerations(t *testing.T) {
	const pages = 16
	env := newEnv(t, vmtest.Options{PoolPages: 256})
	m := newMap(t, env)
	cpu := env.CPU(m)
	src, _ := m.Allocate(0, pages*page, vm.FlagsAnywhere)
	want := make([]byte, pages)
	for i := range want {
		want[i] = byte(i)
		cpu.Store8(src+vm.VAddr(i*page), want[i])
	}
	for gen := 0; gen < 1000; gen++ {
		dst, err := m.Allocate(0, pages*page, vm.FlagsAnywhere)
		if err != nil {
			t.Fatalf("gen %d: %v", gen, err)
		}
		if err := m.Copy(src, pages*page, dst); err != nil {
			t.Fatalf("gen %d copy: %v", gen, err)
		}
		i := gen % pages
		want[i] = byte(gen)
		cpu.Store8(dst+vm.VAddr(i*page), want[i])
		if err := m.Deallocate(src, pages*page); err != nil {
			t.Fatal(err)
		}
		src = dst
		if d := m.MaxChainDepth(); d > 2 {
			t.Fatalf("gen %d: chain depth %d", gen, d)
		}
		if gen%100 == 0 {
			check(t, env)
		}
	}
	for i, w := range want {
		if b, _ := cpu.Load8(src + vm.VAddr(i*page)); b != w {
			t.Fatalf("page %d = %d, want %d", i, b, w)
		}
	}
	if n := env.VM.PoolPages() - env.VM.FreePages(); n > 2*pages {
		t.Errorf("%d pages resident for a %d-page region", n, pages)
	}
	m.Destroy()
	if err := env.CheckEmpty(); err != nil {
		t.Fatal(err)
	}
}

// TestForkGenerations forks, writes one page in the child and lets the
// parent exit, 1,000 times.
func TestForkGenerations(t *testing.T) {
	const pages = 8
	env := newEnv(t, vmtest.Options{PoolPages: 128})
	m := newMap(t, env)
	addr, _ := m.Allocate(0, pages*page, vm.FlagsAnywhere)
	for i := 0; i < pages; i++ {
		env.CPU(m).Store8(addr+vm.VAddr(i*page), 1)
	}
	for gen := 0; gen < 1000; gen++ {
		pm, _ := env.Pmap.Create(pmap.KindUser)
		child, err := m.Fork(pm)
		if err != nil {
			t.Fatal(err)
		}
		env.CPU(child).Store8(addr+vm.VAddr(gen%pages*page), byte(gen))
		m.Destroy()
		m = child
		if d := m.MaxChainDepth(); d > 2 {
			t.Fatalf("gen %d: chain depth %d", gen, d)
		}
	}
	check(t, env)
	m.Destroy()
	if err := env.CheckEmpty(); err != nil {
		t.Fatal(err)
	}
}

// TestShadowChainGenerationsPaged is TestShadowChainGenerations with the
// default pager and pageouts forced at random points (all unwired pages, or
// a few, laundered or not): collapse must move paged-out data into the
// surviving object (Transferrer) instead of letting the chain grow.
func TestShadowChainGenerationsPaged(t *testing.T) {
	const pages = 16
	env := newEnv(t, vmtest.Options{PoolPages: 256, DefaultPage: true})
	rng := rand.New(rand.NewSource(7))
	m := newMap(t, env)
	cpu := env.CPU(m)
	src, _ := m.Allocate(0, pages*page, vm.FlagsAnywhere)
	want := make([]byte, pages)
	for i := range want {
		want[i] = byte(i)
		cpu.Store8(src+vm.VAddr(i*page), want[i])
	}
	for gen := 0; gen < 1000; gen++ {
		dst, _ := m.Allocate(0, pages*page, vm.FlagsAnywhere)
		if err := m.Copy(src, pages*page, dst); err != nil {
			t.Fatalf("gen %d copy: %v", gen, err)
		}
		forcePageout(env, rng)
		i := rng.Intn(pages)
		want[i] = byte(gen)
		cpu.Store8(dst+vm.VAddr(i*page), want[i])
		forcePageout(env, rng)
		if err := m.Deallocate(src, pages*page); err != nil {
			t.Fatal(err)
		}
		src = dst
		if d := m.MaxChainDepth(); d > 2 {
			t.Fatalf("gen %d: chain depth %d", gen, d)
		}
		if k := rng.Intn(pages); gen%10 == 0 {
			if b, err := cpu.Load8(src + vm.VAddr(k*page)); err != nil || b != want[k] {
				t.Fatalf("gen %d: page %d = %d (%v), want %d", gen, k, b, err, want[k])
			}
		}
		if gen%100 == 0 {
			check(t, env)
		}
	}
	for i, w := range want {
		if b, _ := cpu.Load8(src + vm.VAddr(i*page)); b != w {
			t.Fatalf("page %d = %d, want %d", i, b, w)
		}
	}
	st := env.VM.Statistics()
	t.Logf("pageouts %d, pageins %d, collapses %d, transfers %d", st.Pageouts, st.Pageins, st.Collapses, st.Transfers)
	if st.Transfers == 0 || st.Pageouts == 0 {
		t.Errorf("no paged-out data moved by collapse (%d pageouts, %d transfers)", st.Pageouts, st.Transfers)
	}
	m.Destroy()
	if err := env.CheckEmpty(); err != nil {
		t.Fatal(err)
	}
}

// forcePageout sometimes pushes every unwired page out, sometimes a few.
func forcePageout(env *vmtest.Env, rng *rand.Rand) {
	switch rng.Intn(4) {
	case 0:
		env.VM.ReclaimAll(true)
	case 1:
		env.VM.Reclaim(1+rng.Intn(8), rng.Intn(2) == 0)
	}
}
