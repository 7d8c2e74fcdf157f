package task

import (
	"testing"

	"github.com/tamach/tamach/kernel/machine"
)

// On the machine's CPU the scheduler enters user mode through the Machine
// itself, one interface call per trap (newRunner); any other CPU, such as
// the tests' fake, through its own Run.
func TestRunnerIsTheMachine(t *testing.T) {
	var m machine.Machine = &stubMachine{}
	if r := newRunner(&machineCPU{Machine: m}); r != m {
		t.Errorf("newRunner(machineCPU) = %T, want the Machine itself", r)
	}
	f := &fakeCPU{}
	if r := newRunner(f); r != runner(f) {
		t.Errorf("newRunner(fake CPU) = %T, want the CPU", r)
	}
}

// stubMachine is a machine.Machine that is never run.
type stubMachine struct{ machine.Machine }
