package vm_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/tamach/tamach/pmap"
	"github.com/tamach/tamach/vm"
	"github.com/tamach/tamach/vm/vmtest"
)

// TestInspectForkChain: after a fork and a write in the child, the child's
// entry is copy-on-write over one shadow, and Chain finds the written page
// in the shadow and the others in the original object.
func TestInspectForkChain(t *testing.T) {
	env := newEnv(t, vmtest.Options{PoolPages: 64})
	m := newMap(t, env)
	cpu := env.CPU(m)
	va, err := m.Allocate(0, 4*page, vm.FlagsAnywhere)
	if err != nil {
		t.Fatal(err)
	}
	if v := m.Inspect(); len(v) != 1 || v[0].Object != 0 || v[0].Backing != "zero-fill (untouched)" || v[0].ShareMode != vm.SMEmpty {
		t.Fatalf("untouched: %+v", v)
	}
	for i := 0; i < 4; i++ {
		cpu.Store8(va+vm.VAddr(i*page), 1)
	}
	pm, _ := env.Pmap.Create(pmap.KindUser)
	child, err := m.Fork(pm)
	if err != nil {
		t.Fatal(err)
	}
	if err := env.CPU(child).Store8(va+page, 2); err != nil {
		t.Fatal(err)
	}
	v := child.Inspect()
	if len(v) != 1 || v[0].ShareMode != vm.SMCOW || v[0].Depth != 1 || v[0].Resident != 4 || v[0].Prot != pmap.ProtRead|pmap.ProtWrite {
		t.Fatalf("child: %+v", v)
	}
	if !strings.HasPrefix(v[0].Backing, "zero-fill, under 1 shadow") {
		t.Errorf("backing %q", v[0].Backing)
	}
	_, objs, err := child.Chain(va + page + 5)
	if err != nil || len(objs) != 2 || !objs[0].HasPage || objs[0].Resident != 1 || objs[1].Resident != 4 {
		t.Fatalf("chain at page 1: %+v, %v", objs, err)
	}
	_, objs, _ = child.Chain(va)
	if objs[0].HasPage || !objs[1].HasPage || objs[1].Offset != 0 {
		t.Fatalf("chain at page 0: %+v", objs)
	}
	if _, _, err := child.Chain(va + 100*page); !errors.Is(err, vm.KernInvalidAddress) {
		t.Errorf("unmapped: %v", err)
	}
	if child.ResidentPages() == 0 {
		t.Error("child has no resident page")
	}
	child.Destroy()
	m.Destroy()
	check(t, env)
}
