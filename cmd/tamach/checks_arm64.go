//go:build tamago

package main

import "github.com/tamach/tamach/boot"

// archChecks returns the self-checks that need this architecture's MMU.
func archChecks() []boot.Check {
	return nil
}
