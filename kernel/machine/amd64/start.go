//go:build tamago && amd64

package amd64

import (
	"errors"
	"fmt"
	"runtime"

	"github.com/tamach/tamach/boot"
	"github.com/tamach/tamach/pmap"
	amd64pmap "github.com/tamach/tamach/pmap/amd64"

	cpu "github.com/tamach/tamach/cpu/amd64"

	"github.com/tamach/tamach/kernel/machine"
)

// Machine is the x86-64 machine after Start: the kernel on pmap/amd64
// tables, the trampoline, GDT, IDT, TSS and SYSCALL MSRs loaded. There is
// one CPU. It implements machine.Machine.
type Machine struct {
	hw      *amd64pmap.HardwareCPU
	sys     *amd64pmap.System
	kernel  *amd64pmap.Space
	tables  pmap.Frames
	managed boot.Region
	note    string
}

var _ machine.Machine = (*Machine)(nil)

// mach is set by Start; the Go code that reads it runs with interrupts
// masked on the one CPU.
var mach *Machine

// errNotStarted is returned by the checks when Start has not run.
var errNotStarted = errors.New("machine: Start has not run")

// Start builds the kernel's identity map with pmap/amd64 and loads it: NX and
// PCIDs on (what the CPU has of them), every RAM and device region of the
// board mapped 1:1 with the largest pages that fit, the kernel's text the only
// executable range, then CR3 loaded and CR0.WP set. It installs the trap
// machinery: the page-fault gate that makes probe recoverable, then the
// trampoline with its GDT, TSS, IDT, SYSCALL MSRs and LAPIC timer. From here
// on the kernel's Go code runs with interrupts masked (IF = 0). A second
// call returns the first Machine.
func Start(cfg machine.Config) (*Machine, error) {
	if mach != nil {
		return mach, nil
	}
	cpu.CLI()
	textStart, textEnd := runtime.TextRegion()
	ranges, err := machine.IdentityRanges(cfg.Memory, textStart, textEnd)
	if err != nil {
		return nil, err
	}
	hw := amd64pmap.NewHardwareCPU()
	feat := hw.Enable()
	sys, err := amd64pmap.New(amd64pmap.Config{
		Memory:      pmap.Identity{},
		Frames:      cfg.Tables,
		ManagedBase: pmap.PAddr(cfg.Managed.Start),
		ManagedSize: cfg.Managed.Size(),
		CPU:         hw,
	})
	if err != nil {
		return nil, err
	}
	kernel, err := buildKernelSpace(sys, ranges)
	if err != nil {
		return nil, err
	}
	installProbe()
	kernel.Activate()
	cpu.WriteCR0(cpu.ReadCR0() | cpu.CR0WP)
	m := &Machine{hw: hw, sys: sys, kernel: kernel, tables: cfg.Tables, managed: cfg.Managed}
	if err := installTrampoline(m); err != nil {
		return nil, err
	}
	m.note = summary(kernel, ranges, feat)
	mach = m
	return m, nil
}

// buildKernelSpace maps every range of the identity map into a new kernel
// space.
func buildKernelSpace(sys *amd64pmap.System, ranges []machine.MapRange) (*amd64pmap.Space, error) {
	s, err := sys.NewSpace(pmap.KindKernel)
	if err != nil {
		return nil, err
	}
	for _, r := range ranges {
		if err := s.MapRange(pmap.VAddr(r.Start), r.Start, r.Size(), r.Prot, r.Flags); err != nil {
			return nil, fmt.Errorf("machine: identity map of [%v, %v): %w", r.Start, r.End, err)
		}
	}
	return s, nil
}

// summary describes the kernel's map in one line.
func summary(s *amd64pmap.Space, ranges []machine.MapRange, feat amd64pmap.Features) string {
	st := s.Stats()
	c := machine.CountPages(ranges, feat.Page1G)
	return fmt.Sprintf("kernel identity map: %d ranges, %d MiB, %d table pages, pages 4 KiB x%d 2 MiB x%d 1 GiB x%d, NX %s, PCID %s, WP %s, CR3 %#x",
		len(ranges), st.Resident*pmap.PageSize>>20, st.TablePages, c.Small, c.Large2M, c.Huge1G,
		onOff(feat.NX), onOff(feat.PCID), onOff(cpu.ReadCR0()&cpu.CR0WP != 0), cpu.ReadCR3())
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

// Arch implements machine.Machine.
func (m *Machine) Arch() string { return "amd64" }

// Summary implements machine.Machine.
func (m *Machine) Summary() string { return m.note }

// System implements machine.Machine: the pmap System that makes task spaces.
func (m *Machine) System() pmap.System { return m.sys }

// A task owns the lower canonical half (Intel SDM Vol. 1 §3.3.7.1) but page
// 0, and the last page below 2^47 (SYSRET to a non-canonical RIP would fault
// in ring 0: Intel SDM Vol. 2B "SYSRET").
const (
	userMin pmap.VAddr = pmap.PageSize
	userMax pmap.VAddr = lowerHalfEnd - pmap.PageSize
)

// VMFrames implements machine.Machine: all the managed frames (the
// usermode check takes its frames from Config.Tables).
func (m *Machine) VMFrames() boot.Region { return m.managed }

// UserRange implements machine.Machine.
func (m *Machine) UserRange() (min, max pmap.VAddr) { return userMin, userMax }

// NewContext implements machine.Machine.
func (m *Machine) NewContext() machine.Context { return new(Context) }

// Checks implements machine.Machine.
func (m *Machine) Checks() []boot.Check {
	return []boot.Check{
		{Name: "pmap-scratch", Run: CheckScratch},
		{Name: "usermode", Run: CheckUserMode},
	}
}
