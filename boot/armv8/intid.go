package armv8

// Interrupt IDs (GIC INTIDs): SGIs are 0-15, PPIs 16-31, SPIs from 32
// (ARM IHI 0069G §2.2 "INTIDs").
const (
	FirstPPI = 16
	FirstSPI = 32

	// VirtTimerINTID is the EL1 virtual timer's PPI: PPI 11, INTID 27,
	// the ID the Arm Base System Architecture (DEN0094, "PPI assignments")
	// gives it. QEMU wires it there on virt and on imx8mp-evk
	// (ARCH_TIMER_VIRT_IRQ), and the i.MX 8M Plus has it there too (its
	// Linux device tree's timer node lists GIC_PPI 11 as the virtual
	// timer).
	VirtTimerINTID = FirstPPI + 11
)
