//go:build tamago && arm64

package arm64

import (
	"errors"
	"fmt"
	"runtime"

	"github.com/tamach/tamach/boot"
	"github.com/tamach/tamach/pmap"
	arm64pmap "github.com/tamach/tamach/pmap/arm64"

	"github.com/tamach/tamach/kernel/machine"

	cpu "github.com/tamach/tamach/cpu/arm64"
)

// Machine is the AArch64 machine after Start: the kernel on pmap/arm64
// tables, the trampoline in the TTBR1 half. There is one CPU; the Go code
// that reads it runs with interrupts masked (PSTATE.DAIF, set by the board
// from reset on and by every exception entry). It implements
// machine.Machine.
type Machine struct {
	cpu     *trapCPU
	sys     *arm64pmap.System
	kernel  *arm64pmap.Space // TTBR0: the identity map, pinned ASID
	upper   *arm64pmap.Space // TTBR1: the trampoline and the trap area
	tables  pmap.Frames
	managed boot.Region // frames the VM system will manage
	tramp   trampState
	note    string
}

var _ machine.Machine = (*Machine)(nil)

// mach is set by Start.
var mach *Machine

// errNotStarted is returned by the checks when Start has not run.
var errNotStarted = errors.New("machine: Start has not run")

// Start builds the kernel's translation tables with pmap/arm64 and moves the
// CPU onto them: a TTBR0 space holding the identity map of every RAM and
// device region of the board (Device-nGnRE for devices, the kernel's text the
// only executable range, page 0 unmapped), tagged with a pinned ASID, and a
// TTBR1 space holding the trap trampoline. MAIR_EL1 and TCR_EL1 take the
// values pmap/arm64 requires (switchTables). First it registers the probes'
// exception fixups with the board (cfg.AddFixup), which the pmap-scratch
// check needs. A second call returns the first Machine.
func Start(cfg machine.Config) (*Machine, error) {
	if mach != nil {
		return mach, nil
	}
	if err := addProbeFixups(cfg.AddFixup); err != nil {
		return nil, err
	}
	textStart, textEnd := runtime.TextRegion()
	ranges, err := machine.IdentityRanges(cfg.Memory, textStart, textEnd)
	if err != nil {
		return nil, err
	}
	tc := &trapCPU{}
	sys, err := arm64pmap.New(arm64pmap.Config{
		Memory:      pmap.Identity{},
		Frames:      cfg.Tables,
		ManagedBase: pmap.PAddr(cfg.Managed.Start),
		ManagedSize: cfg.Managed.Size(),
		CPU:         tc,
	})
	if err != nil {
		return nil, err
	}
	m := &Machine{cpu: tc, sys: sys, tables: cfg.Tables, managed: cfg.Managed}
	if m.kernel, err = buildKernelSpace(sys, ranges); err != nil {
		return nil, err
	}
	if m.upper, err = sys.CreateUpper(); err != nil {
		return nil, err
	}
	if err := m.tramp.build(m.upper, cfg.Tables); err != nil {
		return nil, err
	}
	switchTables(arm64pmap.MAIR, sys.TCR(), m.kernel.TTBR(), m.upper.TTBR(), cpu.ReadSCTLR())
	tc.started(m.kernel.TTBR())
	m.kernel.Activate()
	if got := cpu.ReadTTBR0(); got != m.kernel.TTBR() {
		return nil, fmt.Errorf("machine: TTBR0_EL1 reads %#x after the switch, want %#x", got, m.kernel.TTBR())
	}
	m.tramp.init(m.kernel.TTBR())
	if m.note, err = summary(m, ranges); err != nil {
		return nil, err
	}
	mach = m
	return m, nil
}

// buildKernelSpace maps every range of the identity map into a new kernel
// (TTBR0) space, with the largest blocks that fit.
func buildKernelSpace(sys *arm64pmap.System, ranges []machine.MapRange) (*arm64pmap.Space, error) {
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
func summary(m *Machine, ranges []machine.MapRange) (string, error) {
	st := m.kernel.Stats()
	want := machine.CountPages(ranges, true)
	got := a64CountLeaves(pmap.Identity{}, m.kernel.Root())
	if got != want {
		return "", fmt.Errorf("machine: kernel tables hold %+v leaves, the plan %+v", got, want)
	}
	f := m.sys.Features()
	access, dirty := m.sys.HardwareAccess()
	return fmt.Sprintf("kernel identity map: %d ranges, %d MiB, %d table pages, blocks 4 KiB x%d 2 MiB x%d 1 GiB x%d, "+
		"ASID %d of %d-bit, HAFDBS %s, TTBR0_EL1 %#x, TCR_EL1 %#x, MAIR_EL1 %#x",
		len(ranges), st.Resident*pmap.PageSize>>20, st.TablePages, got.Small, got.Large2M, got.Huge1G,
		m.kernel.ASID(), f.ASIDBits, hafdbsText(f, access, dirty), cpu.ReadTTBR0(), cpu.ReadTCR(), cpu.ReadMAIR()), nil
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

// Arch implements machine.Machine.
func (m *Machine) Arch() string { return "arm64" }

// Summary implements machine.Machine.
func (m *Machine) Summary() string { return m.note }

// System implements machine.Machine: the pmap System that makes task spaces.
func (m *Machine) System() pmap.System { return m.sys }

// A task owns the TTBR0 range [0, 2^48) (Arm ARM D8.2, with TCR_EL1.T0SZ =
// 16) but page 0.
const (
	userMin pmap.VAddr = pmap.PageSize
	userMax pmap.VAddr = 1 << 48
)

// VMFrames implements machine.Machine: the managed frames but the top
// umFrames, which the usermode check maps.
func (m *Machine) VMFrames() boot.Region {
	r := m.managed
	r.End -= umFrames * pmap.PageSize
	return r
}

// UserRange implements machine.Machine.
func (m *Machine) UserRange() (min, max pmap.VAddr) { return userMin, userMax }

// NewContext implements machine.Machine.
func (m *Machine) NewContext() machine.Context { return new(Context) }

// PrepareSpace implements machine.Machine. There is nothing to do on arm64:
// the trampoline lives in the TTBR1 half, shared by every space.
func (m *Machine) PrepareSpace(pmap.Pmap) error { return nil }

// Checks implements machine.Machine.
func (m *Machine) Checks() []boot.Check {
	return []boot.Check{
		{Name: "pmap-scratch", Run: CheckScratch},
		{Name: "usermode", Run: CheckUserMode},
	}
}
