//go:build tamago && amd64

package amd64

import cpu "github.com/tamach/tamach/cpu/amd64"

// Recoverable kernel accesses. probeRead and probeWrite touch a word the
// kernel is not sure is mapped; if the access faults, the page-fault gate
// (pfEntry) sees that the faulting instruction is probeLoad's or
// probeStore's and resumes at its fixup, which returns ok = false, instead
// of reporting a kernel fault. Every other page fault goes on to the
// handler the gate replaced (the board's report).
//
// Each probe, its second half and its fixup have the same frame, so
// resuming in one where another faulted returns to the probe's caller with
// its results set. Defined in probe_amd64.s.

// probeRead returns the 64-bit word at addr, or ok = false if reading it
// faults.
func probeRead(addr uintptr) (value uint64, ok bool)

// probeLoad is probeRead's second half: its first instruction is the load
// that may fault (AX holds addr). Entered only by probeRead's tail jump.
func probeLoad(addr uintptr) (value uint64, ok bool)

// probeLoadFixup is where pfEntry resumes a faulting probeLoad. Entered
// only by pfEntry's IRETQ.
func probeLoadFixup(addr uintptr) (value uint64, ok bool)

// probeWrite stores value at addr and reports whether the store completed
// without a fault.
func probeWrite(addr uintptr, value uint64) (ok bool)

// probeStore is probeWrite's second half: its first instruction is the
// store that may fault (AX holds addr, BX value).
func probeStore(addr uintptr, value uint64) (ok bool)

// probeStoreFixup is where pfEntry resumes a faulting probeStore.
func probeStoreFixup(addr uintptr, value uint64) (ok bool)

// pfEntry is the page-fault gate (Intel SDM Vol. 3A §6.15 "Interrupt 14 -
// Page-Fault Exception (#PF)"). Entered only through the IDT.
func pfEntry()

// pfEntryAddr returns the address of pfEntry, for its IDT gate.
func pfEntryAddr() uint64

// pfChain is the handler pfEntry jumps to for faults outside probeLoad: the
// one vector 14's gate pointed at before installProbe.
var pfChain uint64

// installProbe points the loaded IDT's page-fault gate at pfEntry, chaining
// to the handler it replaces. Idempotent.
func installProbe() {
	idt, _ := cpu.ReadIDTR()
	slot := idt + cpu.VectorPF*cpu.GateSize
	old := cpu.GateHandler(cpu.Load64(slot), cpu.Load64(slot+8))
	if old == pfEntryAddr() {
		return
	}
	pfChain = old
	lo, hi := cpu.InterruptGate(pfEntryAddr(), selKernelCode, cpu.DPLKernel)
	cpu.Store64(slot+8, hi)
	cpu.Store64(slot, lo)
}
