package vm_test

import (
	"testing"

	"github.com/tamach/tamach/vm"
	"github.com/tamach/tamach/vm/vmtest"
)

// TestFastFault: a fault a pmap raises only to emulate the referenced bit
// goes to Map.Fault like any other and is resolved there by the pmap's
// FastFault, without the fault handler (no object looked at). It counts
// in Faults and in FastFaults. A pmap whose MMU keeps the bits raises no
// such fault.
func TestFastFault(t *testing.T) {
	for _, pm := range []*vmtest.Pmap{vmtest.Software, vmtest.ARM64Software, vmtest.AMD64} {
		t.Run(pm.Name, func(t *testing.T) {
			env := newEnv(t, vmtest.Options{Pmap: pm})
			m := newMap(t, env)
			addr, err := m.Allocate(0, page, vm.FlagsAnywhere)
			if err != nil {
				t.Fatal(err)
			}
			cpu := env.CPU(m)
			if err := cpu.Store8(addr, 7); err != nil {
				t.Fatal(err)
			}
			pa, _, ok := m.Pmap().Extract(addr)
			if !ok {
				t.Fatal("page not mapped after a store")
			}
			env.Pmap.ClearReference(pa)
			before, calls := env.VM.Statistics(), cpu.Faults
			if v, err := cpu.Load8(addr); err != nil || v != 7 {
				t.Fatalf("load %d, %v", v, err)
			}
			st := env.VM.Statistics()
			faults, fast, lookups := st.Faults-before.Faults, st.FastFaults-before.FastFaults, st.Lookups-before.Lookups
			t.Logf("after ClearReference, one load: %d Map.Fault calls, %d faults, %d fast, %d lookups",
				cpu.Faults-calls, faults, fast, lookups)
			emulated := pm != vmtest.AMD64
			switch {
			case emulated && (faults != 1 || fast != 1 || cpu.Faults-calls != 1):
				t.Errorf("%d faults, %d fast, %d calls: want the one emulation fault resolved as a fast fault", faults, fast, cpu.Faults-calls)
			case !emulated && (faults != 0 || fast != 0):
				t.Errorf("%d faults, %d fast with hardware-managed bits: want none", faults, fast)
			case lookups != 0:
				t.Errorf("%d object lookups: the fault handler ran", lookups)
			}
			if st.FastFaults > st.Faults {
				t.Errorf("%d fast faults of %d faults", st.FastFaults, st.Faults)
			}
			m.Destroy()
			if err := env.CheckEmpty(); err != nil {
				t.Fatal(err)
			}
		})
	}
}
