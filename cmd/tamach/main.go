//go:build tamago

// Command tamach is the kernel image. Its board is chosen by GOARCH: the file
// board_amd64.go imports boot/microvm, board_arm64.go imports boot/virt, and
// checks_<arch>.go adds the self-checks that need the real MMU.
package main

import "github.com/tamach/tamach/kernel"

func main() {
	kernel.Main(board, archChecks())
}
