//go:build tamago && !imx8mpevk

package main

import "github.com/tamach/tamach/boot/virt"

// board is the QEMU virt machine, brought up by boot/virt before main runs;
// the build tag imx8mpevk picks board_imx8mpevk.go instead.
var board = &virt.Board
