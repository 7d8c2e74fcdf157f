//go:build tamago

package virt

import (
	"errors"
	"fmt"
	"runtime"
	"runtime/goos"
	"strings"

	"github.com/usbarmory/tamago/dma"

	"github.com/tamach/tamach/boot"
	"github.com/tamach/tamach/boot/fwcfg"

	cpu "github.com/tamach/tamach/cpu/arm64"
)

// Board describes the virt machine to the kernel. Memory and Pool are
// filled in by Hwinit1, before any package init function runs.
var Board = boot.Board{
	Arch:     "arm64",
	Name:     "virt",
	Cmdline:  cmdline,
	ReadFile: func(name string) ([]byte, error) { return fwcfg.ReadFile(fwCfg, name) },
	AddFixup: AddFixup,
	PowerOff: powerOff,
	Fail:     fail,
	Nanotime: nanotime,
	Info:     info,
	Disks:    disks.List,
	Checks: []boot.Check{
		{Name: "virt-el1", Run: checkEL1},
		{Name: "virt-timer", Run: checkTimer},
		{Name: "virt-rng", Run: checkRNG},
		{Name: "virt-vectors", Run: checkVectors},
		{Name: "virt-gic-timer-irq", Run: checkTimerIRQ},
		{Name: "virtio-blk", Run: disks.Check, Optional: true},
	},
}

// Devices of the machine.
var (
	fwCfg = FwCfg{Base: FwCfgBase}
	gic   = GIC{Dist: GICDBase, Redist: GICRBase}
	// gicErr says why the GIC is not in use, if it is not.
	gicErr error
)

// cmdlineFile is the fw_cfg file the kernel command line comes in.
const cmdlineFile = "opt/tamach/cmdline"

// initBoard sizes RAM, plans memory, hands the DMA region to TamaGo's dma
// package and brings up the GIC. Called from Hwinit1.
func initBoard() {
	ramEnd, err := ramEnd()
	if err != nil {
		panic(err.Error())
	}
	textStart, _ := runtime.TextRegion()
	_, dataEnd := runtime.DataRegion()
	if PAddr(textStart) != TextBase {
		panic("virt.initBoard: kernel text not at TextBase: link with boot/virt/build.mk's -T")
	}
	l := Layout{
		RAMEnd:     ramEnd,
		ImageStart: ImageBase,
		ImageEnd:   PAddr(dataEnd+pageSize-1) &^ (pageSize - 1),
	}
	gicErr = gic.Init()
	if gicErr == nil {
		if err := gic.EnablePPI(VirtTimerINTID); err == nil {
			goos.Idle = idle
		}
	}
	Board.Memory, Board.Pool, err = Plan(l, gic.Version)
	if err != nil {
		panic(err.Error())
	}
	dma.Init(uint(DMABase), DMASize)
}

// ramEnd returns the end of RAM from the device tree QEMU put at the start
// of RAM.
func ramEnd() (PAddr, error) {
	size, err := FDTSize(physBytes(RAMBase, fdtHeaderSize))
	if err != nil {
		return 0, fmt.Errorf("%w at %#x: cannot size RAM (is the image linked at %#x?)", err, RAMBase, TextBase)
	}
	if size > bootReserve {
		return 0, fmt.Errorf("virt: device tree of %d bytes exceeds the %d-byte boot reserve", size, bootReserve)
	}
	ranges, err := FDTMemory(physBytes(RAMBase, uint64(size)))
	if err != nil {
		return 0, err
	}
	return RAMEndFrom(ranges)
}

// cmdline is Board.Cmdline: the fw_cfg file opt/tamach/cmdline, "" when
// QEMU was given none.
func cmdline() (string, error) {
	b, err := fwcfg.ReadFile(fwCfg, cmdlineFile)
	if err != nil {
		if errors.Is(err, fwcfg.ErrNotFound) {
			return "", nil
		}
		return "", err
	}
	return strings.TrimRight(string(b), "\x00\n"), nil
}

// info is Board.Info.
func info() []string {
	return []string{
		fmt.Sprintf("exception level: QEMU entered at EL%d, kernel runs at EL%d", entryEL, cpu.CurrentEL()),
		"cpu: " + describeMIDR(cpu.ReadMIDR()),
		fmt.Sprintf("timer: generic timer, CNTVCT_EL0 at %d Hz (CNTFRQ_EL0)", counterHz),
		gicInfo(),
		"rng: " + entropy.Name(),
		fmt.Sprintf("power: off via %s; failure via semihosting SYS_EXIT_EXTENDED", offMethod()),
		"idle: " + idleInfo(),
		fmt.Sprintf("mmu: boot identity map (39-bit VA, 4 KiB granule), VBAR_EL1 %#x", cpu.ReadVBAR()),
	}
}

func idleInfo() string {
	if goos.Idle == nil {
		return "busy polling (no GIC)"
	}
	return fmt.Sprintf("WFI until the virtual timer (INTID %d) fires", VirtTimerINTID)
}

func offMethod() string {
	if c := psciConduit(); c != conduitNone {
		return "PSCI SYSTEM_OFF over " + c.String()
	}
	return "semihosting SYS_EXIT_EXTENDED (entered at EL3)"
}

func gicInfo() string {
	if gicErr != nil {
		return "gic: not in use: " + gicErr.Error()
	}
	return fmt.Sprintf("gic: GICv%d (GICD_PIDR2.ArchRev), distributor %#x, redistributor %#x, system-register CPU interface",
		gic.Version, uint64(gic.Dist), uint64(gic.Redist))
}

// describeMIDR decodes MIDR_EL1 (Arm ARM D24.2 "MIDR_EL1": Implementer
// [31:24], Variant [23:20], Architecture [19:16], PartNum [15:4], Revision
// [3:0]).
func describeMIDR(midr uint64) string {
	return fmt.Sprintf("MIDR_EL1 %#x (implementer %#x, variant %d, architecture %#x, part %#x, revision %d)",
		midr, midr>>24&0xff, midr>>20&0xf, midr>>16&0xf, midr>>4&0xfff, midr&0xf)
}
