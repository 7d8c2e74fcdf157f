//go:build tamago

package main

import (
	"github.com/tamach/tamach/boot"
	"github.com/tamach/tamach/boot/virt"
	"github.com/tamach/tamach/kernel"
	"github.com/tamach/tamach/kernel/machine"
	"github.com/tamach/tamach/pmap"
)

// tableFrames is how much of the page-frame pool, from its start, holds the
// kernel's translation tables and the trap area (kernel.FramePool); the VM
// system manages the rest. 4 MiB is 1024 frames: the identity map of 1 GiB
// of RAM and the device windows takes a handful, each task space a few more.
const tableFrames = 4 << 20

// archChecks returns the self-checks that need this architecture's MMU. The
// first, pmap-kernel, moves the kernel onto translation tables built by
// pmap/arm64 (machine.Start) and registers the probes' exception fixups
// with the board; the others run on those tables.
func archChecks() []boot.Check {
	return []boot.Check{
		{Name: "pmap-kernel", Run: startMachine},
		{Name: "pmap-scratch", Run: machine.CheckScratch},
		{Name: "usermode", Run: machine.CheckUserMode},
	}
}

// startMachine splits the pool into table frames and managed frames, starts
// the machine and hands the board the probes' fixups. Start and AddFixup are
// idempotent, so the selfcheck word can run it again.
func startMachine() (string, error) {
	fixups, err := machine.ProbeFixups()
	if err != nil {
		return "", err
	}
	for _, f := range fixups {
		if err := virt.AddFixup(f.PC, f.Resume); err != nil {
			return "", err
		}
	}
	pool := board.Pool
	split := pool.Start + tableFrames
	tables := kernel.NewFramePool(pmap.Identity{}, pmap.PAddr(pool.Start), pmap.PAddr(split))
	managed := boot.Region{Name: "managed frames", Kind: boot.Pool, Start: split, End: pool.End}
	return machine.Start(machine.Config{Memory: board.Memory, Tables: tables, Managed: managed})
}
