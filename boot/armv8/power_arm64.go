//go:build tamago

package armv8

// Stopping the machine. Three mechanisms, tried in this order:
//
//  1. PSCI SYSTEM_OFF (Arm DEN0022 §5.10), when the board says PSCI
//     firmware answers on a conduit: QEMU's own PSCI on virt, TF-A on a
//     real board booted by U-Boot. Power-off only: PSCI cannot carry an
//     exit status.
//  2. Arm semihosting SYS_EXIT_EXTENDED with the status, which QEMU honours
//     when started with -semihosting. On a CPU without a debugger the HLT
//     that makes the call is an undefined instruction; trapCommon steps
//     over it (vectors_arm64.s) and the next mechanism runs.
//  3. The board's Fallback (a watchdog reset on the i.MX 8M Plus); else the
//     CPU parks in WFI.

// Exit statuses QEMU reports for the ways the machine stops. A Go runtime
// exit passes its own code through (a panic exits 2); exitException (3,
// trap_arm64.go) follows a CPU exception report.
const (
	exitOK   = 0
	exitFail = 1
)

// PSCI function IDs (Arm DEN0022 "Power State Coordination Interface",
// §5.1 "Function prototypes", SMC32 IDs; called per the SMC Calling
// Convention, DEN0028, with the ID in w0).
const (
	psciSystemOff   = 0x8400_0008 // SYSTEM_OFF (§5.10)
	psciSystemReset = 0x8400_0009 // SYSTEM_RESET (§5.11)
)

// Conduit is how PSCI calls reach the firmware that implements them: HVC
// for firmware at EL2, SMC for firmware at EL3 (DEN0022 §5.2, "Conduits").
type Conduit uint8

// PSCI conduits.
const (
	ConduitNone Conduit = iota // no PSCI firmware
	ConduitHVC
	ConduitSMC
)

func (c Conduit) String() string {
	return [...]string{"none", "HVC", "SMC"}[c]
}

// Power is how a board stops its machine, set in Hwinit1 (SetPower).
type Power struct {
	// PSCI is the conduit to the PSCI firmware, ConduitNone when there is
	// none (for example when the kernel itself was entered at EL3).
	PSCI Conduit
	// Fallback is the board's last resort when neither PSCI nor
	// semihosting stopped the machine; off says whether it is a clean
	// power-off or a failure. It does not return. Nil parks the CPU.
	Fallback func(off bool)
	// FallbackName says what Fallback does, for Info.
	FallbackName string
}

var power Power

// SetPower installs the board's way of stopping the machine.
func SetPower(p Power) { power = p }

// PSCIConduit returns the conduit the board set.
func PSCIConduit() Conduit { return power.PSCI }

// Defined in power_arm64.s.

// haltAttempted is set once a semihosting exit was tried from the raw trap
// path (failHalt), so that a failing attempt cannot recurse.
var haltAttempted uint64

// semihostMissing is set by trapCommon when a semihosting HLT was an
// undefined instruction: no debugger or emulator answers semihosting.
var semihostMissing uint64

// psci makes a PSCI call with function ID fn through the conduit c
// (HVC #0 or SMC #0) and returns w0.
func psci(fn uint32, c Conduit) int32

// semihostExit asks QEMU, through semihosting SYS_EXIT_EXTENDED, to exit
// with status code. It returns only when semihosting is not there.
func semihostExit(code uint64)

// failHalt stops the machine with status exitException from the raw trap
// path, or parks the CPU in WFI when even that already failed.
func failHalt()

// waitForInterrupt executes WFI.
func waitForInterrupt()

// PowerOff turns the machine off: PSCI SYSTEM_OFF where the board has PSCI,
// else semihosting with status 0, else the board's fallback. It is
// Board.PowerOff and does not return.
func PowerOff() {
	if c := power.PSCI; c != ConduitNone {
		ret := psci(psciSystemOff, c)
		print("armv8: PSCI SYSTEM_OFF via ", c.String(), " returned ", ret, "; trying semihosting\n")
	}
	semihostExit(exitOK)
	fallback(true, "power-off")
}

// FailWith stops the machine with a failing status code: semihosting
// SYS_EXIT_EXTENDED (QEMU must run with -semihosting), else the board's
// fallback. It does not return.
func FailWith(code uint64) {
	if code == exitOK {
		code = exitFail
	}
	semihostExit(code)
	fallback(false, "failing exit")
}

// Fail is Board.Fail.
func Fail() { FailWith(exitFail) }

// Exit is the runtime's goos.Exit hook, which the board installs in
// Hwinit1: status 0 powers off, any other status fails with that status.
func Exit(code int32) {
	if code == 0 {
		PowerOff()
	}
	FailWith(uint64(uint32(code)))
}

// fallback runs the board's last resort, or parks the CPU.
func fallback(off bool, what string) {
	if power.Fallback != nil {
		print("armv8: ", what, ": no semihosting; ", power.FallbackName, "\n")
		power.Fallback(off)
	}
	print("armv8: ", what, " did not stop the machine (QEMU without -semihosting?); halting\n")
	for {
		waitForInterrupt()
	}
}

// PSCIReset asks the PSCI firmware on the board's conduit for a system
// reset (DEN0022 §5.11 SYSTEM_RESET); it returns only if that failed.
func PSCIReset() {
	if c := power.PSCI; c != ConduitNone {
		ret := psci(psciSystemReset, c)
		print("armv8: PSCI SYSTEM_RESET via ", c.String(), " returned ", ret, "\n")
	}
}

// powerInfo says how the machine stops, for Info.
func powerInfo() string {
	off := "semihosting SYS_EXIT_EXTENDED"
	if c := power.PSCI; c != ConduitNone {
		off = "PSCI SYSTEM_OFF over " + c.String()
	}
	s := "power: off via " + off + "; failure via semihosting SYS_EXIT_EXTENDED"
	if power.Fallback != nil {
		s += "; without semihosting: " + power.FallbackName
	}
	return s
}
