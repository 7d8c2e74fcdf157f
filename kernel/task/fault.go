package task

import (
	"fmt"

	"github.com/tamach/tamach/kernel/machine"
	"github.com/tamach/tamach/pmap"
	"github.com/tamach/tamach/vm"
)

// pageFault handles a page fault from user mode: it goes to the vm fault
// handler on the task's map with the access the trap reports (Map.Fault
// first lets the pmap resolve the faults it made to emulate
// referenced/modified bits). When the vm cannot resolve it the task is
// killed with SIGSEGV and a report. repeats counts the identical faults
// just before this one.
func (k *Kernel) pageFault(th *Thread, trap machine.Trap, repeats int) {
	k.Stats.Faults++
	t := th.Task
	t.Faults++
	va := trap.Addr
	if va < k.cfg.UserMin || va >= k.cfg.UserMax {
		k.killFault(th, trap, vm.KernInvalidAddress)
		return
	}
	if repeats >= maxFaultRepeats {
		k.kill(t, sigSEGV, fmt.Sprintf("page fault at pc %#x, address %#x, %s, repeats after the vm resolved it %d times",
			th.Ctx.PC(), uint64(va), accessName(trap.Access), repeats))
		return
	}
	err := t.Map.Fault(va, trap.Access)
	if k.cfg.Trace {
		result := "resolved"
		if err != nil {
			result = err.Error()
		}
		fmt.Fprintf(k.cfg.Out, "trace: %s[%d] thread %d: page fault at pc %#x, address %#x, %s: %s\n",
			t.Name, t.ID, th.ID, th.Ctx.PC(), uint64(va), accessName(trap.Access), result)
	}
	if err != nil {
		k.killFault(th, trap, err)
	}
}

// killFault kills th's task for a page fault the vm refused with reason,
// reporting the PC, the address, the access, the reason (the KERN_* code;
// for a failed page-in also the pager, the offset and the pager's error)
// and the faulting instruction on one line.
func (k *Kernel) killFault(th *Thread, trap machine.Trap, reason error) {
	pc := th.Ctx.PC()
	k.kill(th.Task, sigSEGV, fmt.Sprintf("page fault at pc %#x, address %#x, %s: %s: %s",
		pc, uint64(trap.Addr), accessName(trap.Access), describe(reason), k.instruction(th.Task, pc)))
}

// describe is the reason a vm call failed, for a report: the KERN_* name,
// or the whole message of an error that says more (a *vm.PageInError).
func describe(err error) string {
	if k, ok := err.(vm.KernReturn); ok {
		return k.String()
	}
	return err.Error()
}

// exception kills th's task for a CPU exception other than a page fault.
func (k *Kernel) exception(th *Thread, trap machine.Trap) {
	pc := th.Ctx.PC()
	k.kill(th.Task, k.arch.signal(trap), fmt.Sprintf("%v at pc %#x: %s", trap, pc, k.instruction(th.Task, pc)))
}

// instruction decodes the instruction at pc in t's memory, read through the
// vm like any user memory.
func (k *Kernel) instruction(t *Task, pc uint64) string {
	code := make([]byte, k.arch.MaxInsn)
	n, _ := k.copyIn(t, pc, code)
	return k.arch.Decode(code[:n], pc)
}

// accessName names an access for a report.
func accessName(p pmap.Prot) string {
	switch {
	case p&pmap.ProtExecute != 0:
		return "execute"
	case p&pmap.ProtWrite != 0:
		return "write"
	}
	return "read"
}
