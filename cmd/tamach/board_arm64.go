//go:build tamago

package main

import "github.com/tamach/tamach/boot/virt"

// board is the QEMU virt machine, brought up by boot/virt before main runs.
var board = &virt.Board
