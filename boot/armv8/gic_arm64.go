//go:build tamago

package armv8

import "fmt"

// GIC register offsets and bits (ARM IHI 0069G, "GIC Architecture
// Specification v3 and v4": §12.8 distributor register map, §12.10
// redistributor register map). The CPU interface is the system-register
// one (ICC_*_EL1, §12.2).
const (
	gicdCTLR     = 0x0000
	gicdTYPER    = 0x0004
	gicdIGROUPR  = 0x0080
	gicdICENABLE = 0x0180
	gicdPIDR2    = 0xffe8

	gicdCTLREnableGrp1 = 1 << 1  // EnableGrp1 (DS = 1) / EnableGrp1A (Non-secure view)
	gicdCTLRARE        = 1 << 4  // ARE (DS = 1) / ARE_NS (Non-secure view)
	gicdCTLRRWP        = 1 << 31 // register write pending
	gicdTYPERLines     = 0x1f    // ITLinesNumber: 32*(N+1) INTIDs
	pidr2ArchRevShift  = 4
	pidr2ArchRevMask   = 0xf

	gicrWAKER          = 0x0014
	gicrWAKERSleep     = 1 << 1 // ProcessorSleep
	gicrWAKERAsleep    = 1 << 2 // ChildrenAsleep
	gicrSGIBase        = 0x1_0000
	gicrIGROUPR0       = gicrSGIBase + 0x0080
	gicrISENABLER0     = gicrSGIBase + 0x0100
	gicrIPRIORITYR     = gicrSGIBase + 0x0400
	gicPriorityDefault = 0x80
	gicPMRAll          = 0xff // ICC_PMR_EL1: every priority above 0xff passes
	gicAllGroup1       = 0xffff_ffff

	// gicPollLimit bounds the register polls (RWP, ChildrenAsleep).
	gicPollLimit = 1 << 20
)

// GIC is the GICv3 of the machine, for CPU 0.
type GIC struct {
	Dist   PAddr // distributor
	Redist PAddr // CPU 0's redistributor (RD_base; SGI_base follows)
	// Version is GICD_PIDR2.ArchRev: 3 or 4 for GICv3/v4, 2 for GICv2.
	Version int
	// Ready is set once Init succeeded.
	Ready bool
}

// Defined in gic_arm64.s: the EL1 CPU interface registers.

// iccInit sets ICC_SRE_EL1.SRE, ICC_PMR_EL1 = pmr, ICC_BPR1_EL1 = 0 and
// ICC_IGRPEN1_EL1 = 1, and returns ICC_SRE_EL1 read back.
func iccInit(pmr uint64) uint64

// Probe reads the architecture revision of the distributor.
func (g *GIC) Probe() {
	g.Version = int(Read32(g.Dist+gicdPIDR2) >> pidr2ArchRevShift & pidr2ArchRevMask)
}

// Init brings up the distributor (affinity routing, Group 1 enabled, every
// SPI in Group 1 and disabled), wakes CPU 0's redistributor (SGIs and PPIs
// in Group 1) and enables the system-register CPU interface with every
// priority unmasked. It returns an error for anything but a GICv3/v4.
func (g *GIC) Init() error {
	g.Probe()
	if g.Version != 3 && g.Version != 4 {
		return fmt.Errorf("armv8: GIC architecture revision %d: only GICv3 is driven (QEMU virt: -M virt,gic-version=3)", g.Version)
	}
	lines := Read32(g.Dist+gicdTYPER)&gicdTYPERLines + 1
	Write32(g.Dist+gicdCTLR, 0)
	if err := g.waitRWP(); err != nil {
		return err
	}
	for n := PAddr(1); n < PAddr(lines); n++ {
		Write32(g.Dist+gicdIGROUPR+4*n, gicAllGroup1)
		Write32(g.Dist+gicdICENABLE+4*n, gicAllGroup1)
	}
	Write32(g.Dist+gicdCTLR, gicdCTLRARE|gicdCTLREnableGrp1)
	if err := g.waitRWP(); err != nil {
		return err
	}
	if err := g.wakeRedistributor(); err != nil {
		return err
	}
	Write32(g.Redist+gicrIGROUPR0, gicAllGroup1)
	if sre := iccInit(gicPMRAll); sre&1 == 0 {
		return fmt.Errorf("armv8: ICC_SRE_EL1.SRE stays 0: no system-register GIC interface at EL1")
	}
	g.Ready = true
	return nil
}

// waitRWP waits for GICD_CTLR.RWP to clear.
func (g *GIC) waitRWP() error {
	for i := 0; i < gicPollLimit; i++ {
		if Read32(g.Dist+gicdCTLR)&gicdCTLRRWP == 0 {
			return nil
		}
	}
	return fmt.Errorf("armv8: GICD_CTLR.RWP stuck")
}

// wakeRedistributor clears GICR_WAKER.ProcessorSleep and waits for
// ChildrenAsleep to clear (IHI 0069G §12.11 GICR_WAKER).
func (g *GIC) wakeRedistributor() error {
	w := Read32(g.Redist + gicrWAKER)
	Write32(g.Redist+gicrWAKER, w&^gicrWAKERSleep)
	for i := 0; i < gicPollLimit; i++ {
		if Read32(g.Redist+gicrWAKER)&gicrWAKERAsleep == 0 {
			return nil
		}
	}
	return fmt.Errorf("armv8: GICR_WAKER.ChildrenAsleep stuck")
}

// EnablePPI enables private interrupt intid (16..31) of CPU 0 at the
// default priority.
func (g *GIC) EnablePPI(intid int) error {
	if !g.Ready {
		return fmt.Errorf("armv8: GIC not initialised")
	}
	if intid < FirstPPI || intid >= FirstSPI {
		return fmt.Errorf("armv8: INTID %d is not a PPI", intid)
	}
	prio := g.Redist + gicrIPRIORITYR + PAddr(intid&^3)
	shift := uint(intid&3) * 8
	v := Read32(prio)
	Write32(prio, v&^(0xff<<shift)|gicPriorityDefault<<shift)
	Write32(g.Redist+gicrISENABLER0, 1<<uint(intid))
	return nil
}
