//go:build tamago && amd64

package microvm

import (
	"runtime"

	"github.com/tamach/tamach/boot"
	"github.com/tamach/tamach/boot/fwcfg"
	"github.com/usbarmory/tamago/dma"
)

// init takes over CPU exceptions, sets up the DMA region and fills in
// Board. It runs after hwinit1 (the clock and console work) and before the
// kernel's main. A machine the board cannot describe (no fw_cfg, too little
// RAM) ends the run with a failing status and a message saying why.
func init() {
	installExceptionHandlers()
	dma.Init(dmaStart, dmaSize)
	Board.Cmdline = cmdline
	Board.ReadFile = func(name string) ([]byte, error) { return fwcfg.ReadFile(FwCfg, name) }
	Board.PowerOff = powerOff
	Board.ReadByte = consoleReadByte
	Board.Fail = fail
	Board.Nanotime = nanotime
	Board.Info = info
	Board.Disks = disks.List
	Board.Checks = []boot.Check{{Name: "tsc-sleep", Run: CheckSleep}, {Name: "virtio-blk", Run: disks.Check, Optional: true}}
	if err := initMemoryMap(); err != nil {
		print("board init failed: ", err.Error(), "\n")
		failWith(exitCodeFail)
	}
}

// initMemoryMap fills Board.Memory and Board.Pool from QEMU's etc/e820.
func initMemoryMap() error {
	b, err := fwcfg.ReadFile(FwCfg, e820File)
	if err != nil {
		return err
	}
	ram, err := parseE820(b)
	if err != nil {
		return err
	}
	textStart, _ := runtime.TextRegion()
	_, dataEnd := runtime.DataRegion()
	Board.Memory, Board.Pool, err = memoryMap(ram, textStart, dataEnd)
	return err
}
