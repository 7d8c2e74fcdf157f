//go:build tamago

package main

import (
	"github.com/tamach/tamach/boot/microvm"
	"github.com/tamach/tamach/pmap"
)

// A task owns the lower canonical half (Intel SDM Vol. 1 §3.3.7.1) but page
// 0, and the last page below 2^47 (SYSRET to a non-canonical RIP would fault
// in ring 0: Intel SDM Vol. 2B "SYSRET").
const (
	userMin pmap.VAddr = pmap.PageSize
	userMax pmap.VAddr = 1<<47 - pmap.PageSize
)

// fwCfg is the board's fw_cfg device.
var fwCfg = microvm.FwCfg
