//go:build tamago

package virt

import (
	"encoding/binary"

	"github.com/tamach/tamach/boot/armv8"
)

// fw_cfg MMIO registers on Arm (QEMU docs/specs/fw_cfg.rst, "Selector
// Register", "Data Register" and "DMA Address Register" for the "MMIO"
// interface): the data register at +0 is 64 bits wide and string-preserving
// (bytes come out in item order), the selector at +8 is 16 bits
// big-endian, the DMA address at +16 (unused here).
const (
	fwCfgData     = 0x00
	fwCfgSelector = 0x08
	fwCfgDataWide = 8 // bytes per wide data read
)

// FwCfg is the fw_cfg device of the virt machine; it implements
// fwcfg.Transport.
type FwCfg struct {
	Base PAddr
}

// Select writes key to the selector register.
func (f FwCfg) Select(key uint16) {
	var be [2]byte
	binary.BigEndian.PutUint16(be[:], key)
	armv8.Write16(f.Base+fwCfgSelector, binary.LittleEndian.Uint16(be[:]))
}

// Read fills p from the data register, eight bytes per access while it
// can.
func (f FwCfg) Read(p []byte) {
	for len(p) >= fwCfgDataWide {
		binary.LittleEndian.PutUint64(p, armv8.Read64(f.Base+fwCfgData))
		p = p[fwCfgDataWide:]
	}
	for i := range p {
		p[i] = armv8.Read8(f.Base + fwCfgData)
	}
}
