//go:build tamago

package main

import (
	"github.com/tamach/tamach/boot"
	"github.com/tamach/tamach/kernel"
	"github.com/tamach/tamach/kernel/machine"
	"github.com/tamach/tamach/pmap"
)

// tableFrames is how much of the page-frame pool, from its start, holds the
// kernel's page tables and trap areas (kernel.FramePool); the VM system
// manages the rest. 4 MiB is 1024 frames: the identity map of 1 GiB takes
// a handful, each task space a few more.
const tableFrames = 4 << 20

// archChecks returns the self-checks that need this architecture's MMU. The
// first, pmap-kernel, moves the kernel onto page tables built by pmap/amd64
// (machine.Start); the others run on them.
func archChecks() []boot.Check {
	return []boot.Check{
		{Name: "pmap-kernel", Run: startMachine},
		{Name: "pmap-scratch", Run: machine.CheckScratch},
		{Name: "usermode", Run: machine.CheckUserMode},
	}
}

// startMachine splits the pool into table frames and managed frames and
// starts the machine. Start is idempotent, so the selfcheck word can run it
// again.
func startMachine() (string, error) {
	pool := board.Pool
	split := pool.Start + tableFrames
	tables := kernel.NewFramePool(pmap.Identity{}, pmap.PAddr(pool.Start), pmap.PAddr(split))
	managed := boot.Region{Name: "managed frames", Kind: boot.Pool, Start: split, End: pool.End}
	return machine.Start(machine.Config{Memory: board.Memory, Tables: tables, Managed: managed})
}
