//go:build tamago

package machine

// Recoverable kernel reads. probe reads a word the kernel is not sure is
// mapped; if the read faults, the page-fault gate (pfEntry) sees that the
// faulting instruction is probeLoad's and resumes at probeFixup, which
// returns ok = false, instead of reporting a kernel fault. Every other page
// fault goes on to the handler the gate replaced (the board's report).
//
// probe, probeLoad and probeFixup have the same frame, so resuming in one
// where another faulted returns to probe's caller with its results set.

// probe returns the 64-bit word at addr, or ok = false if reading it faults.
// Defined in probe_amd64.s.
func probe(addr uintptr) (value uint64, ok bool)

// probeLoad is probe's second half: its first instruction is the load that
// may fault (AX holds addr). Entered only by probe's tail jump.
func probeLoad(addr uintptr) (value uint64, ok bool)

// probeFixup is where pfEntry resumes a faulting probeLoad. Entered only by
// pfEntry's IRETQ.
func probeFixup(addr uintptr) (value uint64, ok bool)

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
	idt, _ := readIDTR()
	slot := idt + vectorPageFault*gateSize
	old := gateHandler(load64(slot), load64(slot+8))
	if old == pfEntryAddr() {
		return
	}
	pfChain = old
	lo, hi := interruptGate(pfEntryAddr(), dplKernel)
	store64(slot+8, hi)
	store64(slot, lo)
}
