//go:build tamago

package virt

import (
	"errors"
	"fmt"
	"runtime"
	"strings"

	"github.com/usbarmory/tamago/dma"

	"github.com/tamach/tamach/boot"
	"github.com/tamach/tamach/boot/armv8"
	"github.com/tamach/tamach/boot/fwcfg"
)

// Board describes the virt machine to the kernel. Memory and Pool are
// filled in by Hwinit1, before any package init function runs.
var Board = boot.Board{
	Arch:     "arm64",
	Name:     "virt",
	Cmdline:  cmdline,
	ReadFile: func(name string) ([]byte, error) { return fwcfg.ReadFile(fwCfg, name) },
	AddFixup: armv8.AddFixup,
	ReadByte: console.Rx,
	PowerOff: armv8.PowerOff,
	Fail:     armv8.Fail,
	Nanotime: armv8.Nanotime,
	Info:     info,
	Disks:    disks.List,
	Checks: append(armv8.Checks("virt"),
		boot.Check{Name: "virtio-blk", Run: disks.Check, Optional: true}),
}

// Devices of the machine.
var fwCfg = FwCfg{Base: FwCfgBase}

// cmdlineFile is the fw_cfg file the kernel command line comes in.
const cmdlineFile = "opt/tamach/cmdline"

// initBoard sizes RAM, plans memory, hands the DMA region to TamaGo's dma
// package, brings up the GIC and says how to power off. Called from
// Hwinit1.
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
	armv8.StartGIC(GICDBase, GICRBase)
	armv8.SetPower(armv8.Power{PSCI: psciConduit(armv8.EntryEL())})
	Board.Memory, Board.Pool, err = Plan(l, armv8.GICVersion())
	if err != nil {
		panic(err.Error())
	}
	dma.Init(uint(DMABase), DMASize)
}

// ramEnd returns the end of RAM from the device tree QEMU put at the start
// of RAM.
func ramEnd() (PAddr, error) {
	size, err := FDTSize(armv8.PhysBytes(RAMBase, fdtHeaderSize))
	if err != nil {
		return 0, fmt.Errorf("%w at %#x: cannot size RAM (is the image linked at %#x?)", err, RAMBase, TextBase)
	}
	if size > bootReserve {
		return 0, fmt.Errorf("virt: device tree of %d bytes exceeds the %d-byte boot reserve", size, bootReserve)
	}
	ranges, err := FDTMemory(armv8.PhysBytes(RAMBase, uint64(size)))
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

// info is Board.Info: the shared arm64 facts.
func info() []string {
	return armv8.Info()
}

// psciConduit returns the PSCI conduit for the EL QEMU entered at (QEMU
// hw/arm/virt.c, machvirt_init: psci_conduit): EL1 means
// virtualization=off and secure=off, PSCI over HVC; EL2 means
// virtualization=on, PSCI over SMC; EL3 means secure=on, where the board
// does not rely on QEMU's PSCI (real EL3 firmware would replace it) and
// powers off through semihosting.
func psciConduit(entryEL uint64) armv8.Conduit {
	switch entryEL {
	case 1:
		return armv8.ConduitHVC
	case 2:
		return armv8.ConduitSMC
	}
	return armv8.ConduitNone
}
