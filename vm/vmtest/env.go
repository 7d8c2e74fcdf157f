package vmtest

import (
	"fmt"

	"github.com/tamach/tamach/pmap"
	"github.com/tamach/tamach/vm"
)

// PmapFactory builds a pmap.System over physical memory, taking table
// frames from frames. NewSoftSystem is one; the real formats plug in with
// a one-line change of Options.Pmap, e.g.
//
//	Options{Pmap: func(m pmap.Memory, f pmap.Frames) pmap.System { return amd64.NewSystem(m, f) }}
type PmapFactory func(mem pmap.Memory, frames pmap.Frames) pmap.System

// Options configure an Env.
type Options struct {
	Pmap        PmapFactory // nil: NewSoftSystem
	PoolPages   int         // frames in the vm page pool (default 1024)
	TablePages  int         // frames for page tables (default 1024)
	DefaultPage bool        // give anonymous memory a MemoryPager default pager
	VerifyEvery int         // RunModel: compare all memory every this many steps (default 250)
}

// Env is a vm system on simulated hardware.
type Env struct {
	RAM  *RAM
	Pmap pmap.System
	VM   *vm.System
}

// UserMin and UserMax bound the maps NewMap creates: a task's lower half,
// minus page zero.
const (
	UserMin pmap.VAddr = pmap.PageSize
	UserMax pmap.VAddr = 1 << 47
)

// ramBase is where the simulated RAM starts.
const ramBase pmap.PAddr = 0x4000_0000

// New builds an Env.
func New(o Options) (*Env, error) {
	if o.PoolPages == 0 {
		o.PoolPages = 1024
	}
	if o.TablePages == 0 {
		o.TablePages = 1024
	}
	if o.Pmap == nil {
		o.Pmap = NewSoftSystem
	}
	ram := NewRAM(ramBase, o.TablePages, o.PoolPages)
	ps := o.Pmap(ram, ram)
	base, size := ram.Pool()
	cfg := vm.Config{Pmap: ps, Memory: ram, PoolBase: base, PoolSize: size}
	if o.DefaultPage {
		cfg.DefaultPager = func() vm.Pager { return vm.NewMemoryPager() }
	}
	s, err := vm.NewSystem(cfg)
	if err != nil {
		return nil, err
	}
	return &Env{RAM: ram, Pmap: ps, VM: s}, nil
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
func (e *Env) CPU(m *vm.Map) *CPU { return &CPU{Mem: e.RAM, Map: m} }

// Check runs the vm invariant checker.
func (e *Env) Check() error { return e.VM.Check() }

// CheckEmpty verifies, once every map is destroyed, that no page, object
// or address space was leaked.
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
	return nil
}
