//go:build tamago && arm64

package arm64

import "fmt"

// Recoverable kernel accesses. probeRead and probeWrite touch a word the
// kernel is not sure is mapped. If the access faults, the board's
// synchronous exception path (the board's exception fixups, boot.Board.AddFixup) finds the
// faulting instruction's address in its table and resumes at the fixup,
// which returns ok = false instead of reporting a kernel fault. Each probe
// and its fixup are frameless leaves with the same arguments, so resuming
// in the fixup returns to the probe's caller with the results set.

// probeRead returns the 64-bit word at addr, or ok = false if reading it
// faults. Defined in probe_arm64.s.
func probeRead(addr uint64) (value uint64, ok bool)

// probeReadFixup is where a faulting probeRead resumes.
func probeReadFixup(addr uint64) (value uint64, ok bool)

// probeWrite stores value at addr and reports whether the store completed
// without a fault.
func probeWrite(addr, value uint64) (ok bool)

// probeWriteFixup is where a faulting probeWrite resumes.
func probeWriteFixup(addr, value uint64) (ok bool)

// probeSites returns the addresses of the two accesses that may fault and
// of their fixups.
func probeSites() (readPC, readFixup, writePC, writeFixup uint64)

// Instructions at the probes' access sites (C6.2 "LDR (immediate)" and
// "STR (immediate)"): LDR X1, [X0] and STR X1, [X0].
var (
	probeReadInsn  = a64LDR(1, 0)
	probeWriteInsn = a64STR(1, 0)
)

// addProbeFixups registers the fixups the probes need with the board's
// exception path (machine.Config.AddFixup), after checking that each PC
// holds the access instruction it should.
func addProbeFixups(add func(pc, resume uint64) error) error {
	if add == nil {
		return fmt.Errorf("machine: the board takes no exception fixups (boot.Board.AddFixup)")
	}
	rpc, rfix, wpc, wfix := probeSites()
	for _, s := range []struct {
		pc, resume uint64
		insn       uint32
	}{{rpc, rfix, probeReadInsn}, {wpc, wfix, probeWriteInsn}} {
		if got := load32(s.pc); got != s.insn {
			return fmt.Errorf("machine: probe site %#x holds %#08x, want %#08x", s.pc, got, s.insn)
		}
		if err := add(s.pc, s.resume); err != nil {
			return err
		}
	}
	return nil
}
