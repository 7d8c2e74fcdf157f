//go:build tamago

package kernel

import (
	"github.com/tamach/tamach/kernel/machine"
	"github.com/tamach/tamach/kernel/machine/arm64"
)

// startArch starts the AArch64 machine (kernel/machine/arm64).
func startArch(cfg machine.Config) (machine.Machine, error) {
	m, err := arm64.Start(cfg)
	if err != nil {
		return nil, err // not a nil *arm64.Machine in the interface
	}
	return m, nil
}
