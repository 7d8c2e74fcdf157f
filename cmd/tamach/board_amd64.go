//go:build tamago

package main

import "github.com/tamach/tamach/boot/microvm"

// board is QEMU microvm (boot/microvm).
var board = &microvm.Board
