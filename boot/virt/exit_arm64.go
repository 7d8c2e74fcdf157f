//go:build tamago

package virt

// Exit statuses QEMU reports for the ways the machine stops. A Go runtime
// exit passes its own code through (a panic exits 2).
const (
	exitOK   = 0
	exitFail = 1
)

// PSCI function IDs (Arm DEN0022 "Power State Coordination Interface",
// §5.1 "Function prototypes", SMC32 IDs; called per the SMC Calling
// Convention, DEN0028, with the ID in w0).
const (
	psciSystemOff = 0x8400_0008 // SYSTEM_OFF (§5.10)
)

// conduit is how PSCI calls reach QEMU's PSCI implementation.
type conduit uint8

// PSCI conduits. QEMU virt offers PSCI through HVC, or through SMC when it
// emulates EL2 (virtualization=on), unless firmware is loaded with
// secure=on (hw/arm/virt.c, machvirt_init: psci_conduit).
const (
	conduitNone conduit = iota
	conduitHVC
	conduitSMC
)

func (c conduit) String() string {
	return [...]string{"none (semihosting)", "HVC", "SMC"}[c]
}

// psciConduit returns the conduit for the EL QEMU entered at: EL1 means
// virtualization=off, secure=off (HVC); EL2 means virtualization=on
// (SMC); EL3 means secure=on, where the board uses semihosting instead of
// relying on QEMU's PSCI (which a real EL3 firmware would replace).
func psciConduit() conduit {
	switch entryEL {
	case 1:
		return conduitHVC
	case 2:
		return conduitSMC
	}
	return conduitNone
}

// Defined in exit_arm64.s.

// haltAttempted is set once a semihosting exit was tried, so that a
// failing attempt cannot recurse through the trap path.
var haltAttempted uint64

// psci makes a PSCI call with function ID fn through the conduit c
// (HVC #0 or SMC #0) and returns w0.
func psci(fn uint32, c conduit) int32

// semihostExit asks QEMU, through semihosting SYS_EXIT_EXTENDED, to exit
// with status code. Without -semihosting the HLT is an undefined
// instruction instead: its exception report ends in failHalt, which then
// parks the CPU because haltAttempted is set.
func semihostExit(code uint64)

// failHalt stops the machine with status exitException from the raw trap
// path, or spins in WFI when even that already failed.
func failHalt()

// powerOff turns the machine off: PSCI SYSTEM_OFF where QEMU offers it,
// else semihosting with status 0. It does not return.
func powerOff() {
	if c := psciConduit(); c != conduitNone {
		ret := psci(psciSystemOff, c)
		print("virt: PSCI SYSTEM_OFF via ", c.String(), " returned ", ret, "; trying semihosting\n")
	}
	semihostExit(exitOK)
	haltForever("power-off")
}

// failWith stops the machine with a failing status code (semihosting
// SYS_EXIT_EXTENDED; QEMU must run with -semihosting). It does not return.
func failWith(code uint64) {
	if code == exitOK {
		code = exitFail
	}
	semihostExit(code)
	haltForever("failing exit")
}

// fail is Board.Fail.
func fail() { failWith(exitFail) }

// exit is the runtime's goos.Exit hook: status 0 powers off, any other
// status fails with that status.
func exit(code int32) {
	if code == 0 {
		powerOff()
	}
	failWith(uint64(uint32(code)))
}

// haltForever parks the CPU when no exit mechanism worked.
func haltForever(what string) {
	print("virt: ", what, " did not stop QEMU (is -semihosting missing?); halting\n")
	for {
		waitForInterrupt()
	}
}

// waitForInterrupt executes WFI (exit_arm64.s).
func waitForInterrupt()
