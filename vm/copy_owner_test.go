package vm_test

import (
	"strings"
	"testing"

	"github.com/tamach/tamach/vm"
	"github.com/tamach/tamach/vm/vmtest"
)

// TestForgottenCopyReported: a Copy neither consumed nor discarded is a
// leak System.Check reports, naming the call that made it; discarding it
// clears the report. Calls that take a Copy consume it on failure too.
func TestForgottenCopyReported(t *testing.T) {
	env := newEnv(t, vmtest.Options{})
	m := newMap(t, env)
	addr, _ := m.Allocate(0, 2*page, vm.FlagsAnywhere)
	if err := env.CPU(m).Store8(addr, 1); err != nil {
		t.Fatal(err)
	}
	c, err := m.Read(addr, page)
	if err != nil {
		t.Fatal(err)
	}
	err = env.Check()
	if err == nil || !strings.Contains(err.Error(), "vm_read") {
		t.Fatalf("Check with a forgotten copy: %v", err)
	}
	if err := env.VM.CheckHolding(); err != nil {
		t.Fatalf("CheckHolding: %v", err)
	}
	c.Discard()
	check(t, env)

	// A failing Write consumes its copy: nothing is left to report.
	c, _ = m.Read(addr, page)
	wantCode(t, m.Write(addr+16*page, c), vm.KernInvalidAddress)
	check(t, env)
	c.Discard() // a second Discard is harmless
	// So does a failing CopyOut (into a sealed map).
	sub, _ := env.VM.NewMap(nil, 0, 4*page)
	if err := m.NestSubmap(addr+8*page, page, sub, 0); err != nil {
		t.Fatal(err)
	}
	c, _ = m.Read(addr, page)
	if _, err := sub.CopyOut(c); err == nil {
		t.Fatal("copyout into a sealed map succeeded")
	}
	check(t, env)
	sub.Destroy()
	m.Destroy()
	if err := env.CheckEmpty(); err != nil {
		t.Fatal(err)
	}
}
