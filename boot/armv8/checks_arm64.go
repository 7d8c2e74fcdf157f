//go:build tamago

package armv8

import (
	"fmt"

	cpu "github.com/tamach/tamach/cpu/arm64"
)

// Boot self-checks of the board (Board.Checks).

// probeTimeout bounds the interrupt probe, in counter nanoseconds.
const probeTimeout = 100_000_000

// checkEL1 verifies that the kernel runs at EL1.
func checkEL1() (string, error) {
	if el := cpu.CurrentEL(); el != 1 {
		return "", fmt.Errorf("running at EL%d, want EL1", el)
	}
	return fmt.Sprintf("entered EL%d, running EL1", entryEL), nil
}

// checkTimer verifies that the counter frequency is known and that the
// counter and nanotime advance.
func checkTimer() (string, error) {
	if counterHz == 0 {
		return "", fmt.Errorf("CNTFRQ_EL0 is 0")
	}
	// Wait for nanotime itself to move: at a low counter frequency (the
	// i.MX 8M Plus counts at 8 MHz, 125 ns a count) the counter may tick
	// between the two first reads, leaving nothing for the second pair.
	c0, t0 := cpu.ReadCNTVCT(), nanotime()
	for i := 0; i < 1_000_000 && nanotime() == t0; i++ {
	}
	c1, t1 := cpu.ReadCNTVCT(), nanotime()
	if c1 <= c0 || t1 <= t0 {
		return "", fmt.Errorf("counter does not advance: CNTVCT %d -> %d, nanotime %d -> %d", c0, c1, t0, t1)
	}
	return fmt.Sprintf("%d Hz", counterHz), nil
}

// checkRNG verifies that the random source gives different words.
func checkRNG() (string, error) {
	var a, b [8]byte
	getRandomData(a[:])
	getRandomData(b[:])
	if a == b {
		return "", fmt.Errorf("two random words are equal: %x", a)
	}
	return entropy.Name(), nil
}

// checkVectors verifies VBAR_EL1 and takes two real exceptions through the
// table: BRK with SP_EL1 selected must arrive at "current EL with SPx,
// synchronous", BRK with SP_EL0 selected at "current EL with SP0,
// synchronous", each with its immediate, and return.
func checkVectors() (string, error) {
	vbar := cpu.ReadVBAR()
	if vbar&(cpu.NumVectors*cpu.VectorStride-1) != 0 {
		return "", fmt.Errorf("VBAR_EL1 %#x is not 2 KiB aligned", vbar)
	}
	cases := []struct {
		run  func()
		want cpu.Vector
		imm  uint16
	}{
		{brkSPx, cpu.GroupCurrentSPx + cpu.KindSync, probeImmSPx},
		{brkSP0, cpu.GroupCurrentSP0 + cpu.KindSync, probeImmSP0},
	}
	for _, c := range cases {
		r := runProbe(c.run)
		if !r.hit {
			return "", fmt.Errorf("BRK #%#x took no exception", c.imm)
		}
		if r.vector != c.want || r.imm != c.imm {
			return "", fmt.Errorf("BRK #%#x arrived at %v with immediate %#x, want %v", c.imm, r.vector, r.imm, c.want)
		}
	}
	return fmt.Sprintf("VBAR_EL1 %#x; BRK reached SPx and SP0 synchronous entries", vbar), nil
}

// checkTimerIRQ verifies interrupt delivery end to end: the EL1 virtual
// timer's PPI through the GIC redistributor and CPU interface to the
// "current EL with SPx, IRQ" entry.
func checkTimerIRQ() (string, error) {
	if gicErr != nil {
		return "", gicErr
	}
	if err := gic.EnablePPI(VirtTimerINTID); err != nil {
		return "", err
	}
	r := runProbe(irqProbe(probeTimeout))
	if !r.hit {
		return "", fmt.Errorf("no IRQ within %d ms of the virtual timer firing", probeTimeout/1_000_000)
	}
	want := cpu.GroupCurrentSPx + cpu.KindIRQ
	if r.vector != want || r.intid != VirtTimerINTID {
		return "", fmt.Errorf("IRQ arrived at %v with INTID %d, want %v INTID %d", r.vector, r.intid, want, VirtTimerINTID)
	}
	return fmt.Sprintf("INTID %d at %v", r.intid, r.vector), nil
}
