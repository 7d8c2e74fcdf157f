//go:build tamago && arm64 && imx8mpevk

package main

import "github.com/tamach/tamach/boot/imx8mpevk"

// board is the NXP i.MX 8M Plus EVK (build tag imx8mpevk, make
// BOARD=imx8mpevk), brought up by boot/imx8mpevk before main runs.
var board = &imx8mpevk.Board
