//go:build tamago

package kernel

import (
	"github.com/tamach/tamach/kernel/machine"
	"github.com/tamach/tamach/kernel/machine/amd64"
)

// startArch starts the x86-64 machine (kernel/machine/amd64).
func startArch(cfg machine.Config) (machine.Machine, error) {
	m, err := amd64.Start(cfg)
	if err != nil {
		return nil, err // not a nil *amd64.Machine in the interface
	}
	return m, nil
}
