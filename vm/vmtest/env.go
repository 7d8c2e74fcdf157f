// Package vmtest is the host test harness of package vm: physical memory
// made of a pmap.Arena, a software pmap that emulates referenced and
// modified bits, the real page-table formats (pmap/amd64, pmap/arm64) over
// the same arena, a simulated CPU that loads and stores through any of them
// as the hardware would, a reference model of task memory and an
// environment tying them together.
package vmtest

import (
	"fmt"

	"github.com/tamach/tamach/pmap"
	"github.com/tamach/tamach/vm"
)

// Machine is the simulated hardware a pmap is built over: physical memory,
// the frames left for page tables, and the physical range of the vm page
// pool (the frames the pmap's reverse map manages).
type Machine struct {
	Memory   pmap.Memory
	Frames   pmap.Frames
	PoolBase pmap.PAddr
	PoolSize uint64
}

// Options configure an Env.
type Options struct {
	Pmap        *Pmap // nil: Software
	PoolPages   int   // frames in the vm page pool (default 1024)
	TablePages  int   // frames for page tables (default 1024)
	DefaultPage bool  // give anonymous memory a MemoryPager default pager
	VerifyEvery int   // RunModel: compare all memory every this many steps (default 250)

	// PageoutPolicy is the vm's pageout policy (nil: vm.SecondChance).
	PageoutPolicy vm.PageoutPolicy
}

// Env is a vm system on simulated hardware.
type Env struct {
	Arena *pmap.Arena // all of physical memory: the pool, then table frames
	Pmap  pmap.System
	VM    *vm.System
	pool  int // frames of the arena given to the vm page pool
}

// UserMin and UserMax bound the maps NewMap creates: a task's lower half,
// minus page zero.
const (
	UserMin pmap.VAddr = pmap.PageSize
	UserMax pmap.VAddr = 1 << 47
)

// ramBase is where the simulated RAM starts.
const ramBase pmap.PAddr = 0x4000_0000

// New builds an Env: one arena of PoolPages+TablePages frames, whose first
// PoolPages frames become the vm page pool and whose other frames the pmap
// takes for its tables.
func New(o Options) (*Env, error) {
	if o.PoolPages == 0 {
		o.PoolPages = 1024
	}
	if o.TablePages == 0 {
		o.TablePages = 1024
	}
	if o.Pmap == nil {
		o.Pmap = Software
	}
	arena := pmap.NewArena(ramBase, uint64(o.PoolPages+o.TablePages)*pmap.PageSize)
	base, size, err := carvePool(arena, o.PoolPages)
	if err != nil {
		return nil, err
	}
	ps, err := o.Pmap.New(Machine{Memory: arena, Frames: arena, PoolBase: base, PoolSize: size})
	if err != nil {
		return nil, err
	}
	cfg := vm.Config{Pmap: ps, Memory: arena, PoolBase: base, PoolSize: size, PageoutPolicy: o.PageoutPolicy}
	if o.DefaultPage {
		cfg.DefaultPager = func() vm.Pager { return vm.NewMemoryPager() }
	}
	s, err := vm.NewSystem(cfg)
	if err != nil {
		return nil, err
	}
	return &Env{Arena: arena, Pmap: ps, VM: s, pool: o.PoolPages}, nil
}

// carvePool takes n frames from a fresh arena for the vm page pool and
// checks that they form one physical range, as the pool requires.
func carvePool(a *pmap.Arena, n int) (pmap.PAddr, uint64, error) {
	var base pmap.PAddr
	for i := 0; i < n; i++ {
		pa, ok := a.AllocFrame()
		if !ok {
			return 0, 0, fmt.Errorf("vmtest: arena too small for a %d-frame pool", n)
		}
		if i == 0 {
			base = pa
		}
		if pa != base+pmap.PAddr(i)*pmap.PageSize {
			return 0, 0, fmt.Errorf("vmtest: arena handed out pool frame %v out of order", pa)
		}
	}
	return base, uint64(n) * pmap.PageSize, nil
}

// NewMap creates a user map over [UserMin, UserMax) with a fresh address
// space.
func (e *Env) NewMap() (*vm.Map, error) {
	pm, err := e.Pmap.Create(pmap.KindUser)
	if err != nil {
		return nil, err
	}
	return e.VM.NewMap(pm, UserMin, UserMax)
}

// CPU returns a simulated CPU running in m.
func (e *Env) CPU(m *vm.Map) *CPU { return &CPU{Mem: e.Arena, Map: m} }

// Check runs the vm invariant checker.
func (e *Env) Check() error { return e.VM.Check() }

// CheckEmpty verifies, once every map is destroyed, that no page, object,
// address space or page-table frame was leaked.
func (e *Env) CheckEmpty() error {
	if err := e.VM.Check(); err != nil {
		return err
	}
	if n := e.VM.Objects(); n != 0 {
		return fmt.Errorf("vmtest: %d objects leaked", n)
	}
	if free, all := e.VM.FreePages(), e.VM.PoolPages(); free != all {
		return fmt.Errorf("vmtest: %d of %d pages leaked", all-free, all)
	}
	if ss, ok := e.Pmap.(*SoftSystem); ok && ss.Spaces() != 0 {
		return fmt.Errorf("vmtest: %d address spaces leaked", ss.Spaces())
	}
	if n := e.Arena.InUse() - e.pool; n != 0 {
		return fmt.Errorf("vmtest: %d page-table frames leaked", n)
	}
	return nil
}
