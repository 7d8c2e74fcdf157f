//go:build tamago

package main

import (
	"github.com/tamach/tamach/boot/virt"
	"github.com/tamach/tamach/pmap"
)

// A task owns the TTBR0 range [0, 2^48) (Arm ARM D8.2, with TCR_EL1.T0SZ =
// 16) but page 0.
const (
	userMin pmap.VAddr = pmap.PageSize
	userMax pmap.VAddr = 1 << 48
)

// fwCfg is the board's fw_cfg device.
var fwCfg = virt.FwCfg{Base: virt.FwCfgBase}
