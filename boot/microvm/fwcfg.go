//go:build tamago && amd64

package microvm

import (
	"errors"
	"strings"

	"github.com/tamach/tamach/boot/fwcfg"
)

// cmdlineFile is the fw_cfg file holding the kernel command line (QEMU
// option -fw_cfg name=opt/tamach/cmdline,string=...; names under "opt/"
// are reserved for users, QEMU docs/specs/fw_cfg.rst "Externally Provided
// Items").
const cmdlineFile = "opt/tamach/cmdline"

// e820File is the fw_cfg file QEMU fills with the RAM layout
// (hw/i386/microvm.c microvm_memory_init).
const e820File = "etc/e820"

// FwCfg is QEMU's fw_cfg device through the x86 I/O ports.
var FwCfg fwcfg.Transport = fwcfgPorts{}

// fwcfgPorts is the x86 fw_cfg transport: a 16-bit selector port and an
// 8-bit data port (QEMU docs/specs/fw_cfg.rst, "Selector (Control)
// Register", "Data Register"; x86 ports 0x510 and 0x511).
type fwcfgPorts struct{}

// Select writes key to the selector port, which also rewinds the item.
func (fwcfgPorts) Select(key uint16) {
	out16(portFwCfgSelector, key)
}

// Read fills p from the data port, one byte per read.
func (fwcfgPorts) Read(p []byte) {
	for i := range p {
		p[i] = in8(portFwCfgData)
	}
}

// cmdline returns the kernel command line, "" if QEMU was given none.
func cmdline() (string, error) {
	b, err := fwcfg.ReadFile(FwCfg, cmdlineFile)
	if errors.Is(err, fwcfg.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return strings.TrimRight(string(b), "\x00"), nil
}
