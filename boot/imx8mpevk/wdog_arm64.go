//go:build tamago

package imx8mpevk

import "github.com/tamach/tamach/boot/armv8"

// The watchdog timers (IMX8MPRM, chapter "Watchdog Timer (WDOG)", section
// "WDOG Memory Map/Register Definition"): 16-bit registers.
const (
	wdogWCR  = 0x0 // control register
	wdogWMCR = 0x8 // miscellaneous control register

	wcrWDE  = 1 << 2 // WDOG enable
	wcrWDT  = 1 << 3 // assert WDOG_B on a time-out too
	wcrSRS  = 1 << 4 // software reset signal, active low (1: not asserted)
	wcrWDA  = 1 << 5 // WDOG_B assertion, active low
	wmcrPDE = 1 << 0 // power-down counter enable
)

// wdogs are the three watchdogs, whose power-down counters run from reset.
var wdogs = [...]PAddr{WDOG1Base, WDOG2Base, WDOG3Base}

// stopPowerDownCounters clears WMCR.PDE of every watchdog: out of reset
// each one counts 16 seconds and then asserts its reset output unless
// software clears PDE (section "Power-down counter event"). U-Boot does
// this on the real board; entered directly (QEMU's -kernel) nobody else
// does.
func stopPowerDownCounters() {
	for _, w := range wdogs {
		armv8.Write16(w+wdogWMCR, uint16(armv8.Read16(w+wdogWMCR))&^wmcrPDE)
	}
}

// watchdogReset resets the board through WDOG1 (section "Watchdog Control
// Register (WDOG_WCR)"): WDA = 0 asserts the WDOG_B pin at once, which the
// EVK wires to its PMIC's reset (Linux imx8mp-evk.dts: wdog1
// fsl,ext-reset-output, as Linux's imx2_wdt restarts the board); SRS = 1
// leaves the internal software reset alone; WDE with WT = 0 and WDT also
// time the watchdog out after 0.5 s, resetting the SoC and asserting
// WDOG_B again should the first assertion not take. The write is
// repeated: on earlier i.MX parts a single write can be lost (NXP erratum
// ERR004346, which Linux's and U-Boot's i.MX watchdog drivers work around
// the same way). QEMU's imx2.wdt resets the machine on this write (an
// enabled watchdog with WT = 0, QEMU hw/watchdog/wdt_imx2.c), which with
// -no-reboot ends QEMU. It does not return.
func watchdogReset() {
	for i := 0; i < 2; i++ {
		armv8.Write16(WDOG1Base+wdogWCR, wcrWDE|wcrWDT|wcrSRS)
	}
	for {
	}
}
