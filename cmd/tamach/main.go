//go:build tamago

// Command tamach is the kernel image: it picks the board, by GOARCH and
// build tag (board_amd64.go: QEMU microvm, board_arm64.go: QEMU virt,
// board_imx8mpevk.go with -tags imx8mpevk: the i.MX 8M Plus EVK; the
// Makefile's BOARD sets the tags), and starts the kernel on it. The board package has brought the CPU, console and
// clock up before main runs; kernel.Start is the boot sequence.
package main

import "github.com/tamach/tamach/kernel"

func main() {
	kernel.Start(board)
}
