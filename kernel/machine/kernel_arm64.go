//go:build tamago

package machine

import (
	"errors"
	"fmt"
	"runtime"

	"github.com/tamach/tamach/boot"
	"github.com/tamach/tamach/pmap"
	arm64pmap "github.com/tamach/tamach/pmap/arm64"
)

// Config is what Start needs to put the kernel on its own translation tables.
type Config struct {
	// Memory is the board's physical memory map (boot.Board.Memory).
	Memory []boot.Region
	// Tables hands out frames outside the managed range: the kernel's
	// translation tables, the TTBR1 table and the per-CPU trap area.
	Tables pmap.Frames
	// Managed is the range of frames the VM system manages (the pool
	// minus the frames Tables hands out).
	Managed boot.Region
}

// machineState is the machine after Start. There is one CPU; the Go code
// that reads it runs with interrupts masked (PSTATE.DAIF, set by the board
// from reset on and by every exception entry).
type machineState struct {
	cpu     *trapCPU
	sys     *arm64pmap.System
	kernel  *arm64pmap.Space // TTBR0: the identity map, pinned ASID
	upper   *arm64pmap.Space // TTBR1: the trampoline and the trap area
	tables  pmap.Frames
	managed boot.Region // frames the VM system will manage
	tramp   trampState
	note    string
}

// mach is set by Start.
var mach *machineState

// errNotStarted is returned by the checks when Start has not run.
var errNotStarted = errors.New("machine: Start has not run")

// Start builds the kernel's translation tables with pmap/arm64 and moves the
// CPU onto them: a TTBR0 space holding the identity map of every RAM and
// device region of the board (Device-nGnRE for devices, the kernel's text the
// only executable range, page 0 unmapped), tagged with a pinned ASID, and a
// TTBR1 space holding the trap trampoline. MAIR_EL1 and TCR_EL1 take the
// values pmap/arm64 requires (switchTables). It also registers nothing with
// the board: cmd/tamach wires the probe fixups (ProbeFixups). It returns a
// one-line summary; a second call does nothing and returns the same summary.
func Start(cfg Config) (string, error) {
	if mach != nil {
		return mach.note, nil
	}
	textStart, textEnd := runtime.TextRegion()
	ranges, err := IdentityRanges(cfg.Memory, textStart, textEnd)
	if err != nil {
		return "", err
	}
	cpu := &trapCPU{}
	sys, err := arm64pmap.New(arm64pmap.Config{
		Memory:      pmap.Identity{},
		Frames:      cfg.Tables,
		ManagedBase: pmap.PAddr(cfg.Managed.Start),
		ManagedSize: cfg.Managed.Size(),
		CPU:         cpu,
	})
	if err != nil {
		return "", err
	}
	m := &machineState{cpu: cpu, sys: sys, tables: cfg.Tables, managed: cfg.Managed}
	if m.kernel, err = buildKernelSpace(sys, ranges); err != nil {
		return "", err
	}
	if m.upper, err = sys.CreateUpper(); err != nil {
		return "", err
	}
	if err := m.tramp.build(m.upper, cfg.Tables); err != nil {
		return "", err
	}
	switchTables(arm64pmap.MAIR, sys.TCR(), m.kernel.TTBR(), m.upper.TTBR(), readSCTLR())
	cpu.started(m.kernel.TTBR())
	m.kernel.Activate()
	if got := readTTBR0(); got != m.kernel.TTBR() {
		return "", fmt.Errorf("machine: TTBR0_EL1 reads %#x after the switch, want %#x", got, m.kernel.TTBR())
	}
	m.tramp.init(m.kernel.TTBR())
	if m.note, err = summary(m, ranges); err != nil {
		return "", err
	}
	mach = m
	return m.note, nil
}

// buildKernelSpace maps every range of the identity map into a new kernel
// (TTBR0) space, with the largest blocks that fit.
func buildKernelSpace(sys *arm64pmap.System, ranges []MapRange) (*arm64pmap.Space, error) {
	p, err := sys.Create(pmap.KindKernel)
	if err != nil {
		return nil, err
	}
	s := p.(*arm64pmap.Space)
	for _, r := range ranges {
		if err := s.MapRange(pmap.VAddr(r.Start), r.Start, r.Size(), r.Prot, r.Flags); err != nil {
			return nil, fmt.Errorf("machine: identity map of [%v, %v): %w", r.Start, r.End, err)
		}
	}
	return s, nil
}

// summary describes the kernel's map in one line, after checking the
// translation tables themselves: the leaves found by walking them must be
// the ones MapRange's largest-fit rule gives for the plan.
func summary(m *machineState, ranges []MapRange) (string, error) {
	st := m.kernel.Stats()
	want := CountPages(ranges, true)
	got := a64CountLeaves(pmap.Identity{}, m.kernel.Root())
	if got != want {
		return "", fmt.Errorf("machine: kernel tables hold %+v leaves, the plan %+v", got, want)
	}
	f := m.sys.Features()
	access, dirty := m.sys.HardwareAccess()
	return fmt.Sprintf("kernel identity map: %d ranges, %d MiB, %d table pages, blocks 4 KiB x%d 2 MiB x%d 1 GiB x%d, "+
		"ASID %d of %d-bit, HAFDBS %s, TTBR0_EL1 %#x, TCR_EL1 %#x, MAIR_EL1 %#x",
		len(ranges), st.Resident*pmap.PageSize>>20, st.TablePages, got.Small, got.Large2M, got.Huge1G,
		m.kernel.ASID(), f.ASIDBits, hafdbsText(f, access, dirty), readTTBR0(), readTCR(), readMAIR()), nil
}

// hafdbsText says what FEAT_HAFDBS gives and what the pmap uses of it.
func hafdbsText(f arm64pmap.Features, access, dirty bool) string {
	switch {
	case !f.HWAccess:
		return "absent (Access flag and dirty state emulated by FastFault)"
	case access && dirty:
		return "access flag + dirty state in use (TCR_EL1.HA, HD)"
	case access:
		return "access flag in use (TCR_EL1.HA), dirty state emulated"
	}
	return "present, not used (emulated by FastFault)"
}

// System returns the machine's pmap System, for the VM system to create task
// address spaces with, or nil before Start.
func System() *arm64pmap.System {
	if mach == nil {
		return nil
	}
	return mach.sys
}

// KernelSpace returns the kernel's address space, or nil before Start.
func KernelSpace() *arm64pmap.Space {
	if mach == nil {
		return nil
	}
	return mach.kernel
}
