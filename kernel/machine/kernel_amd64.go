//go:build tamago

package machine

import (
	"errors"
	"fmt"
	"runtime"

	"github.com/tamach/tamach/boot"
	"github.com/tamach/tamach/pmap"
	amd64pmap "github.com/tamach/tamach/pmap/amd64"
)

// Config is what Start needs to put the kernel on its own page tables.
type Config struct {
	// Memory is the board's physical memory map (boot.Board.Memory).
	Memory []boot.Region
	// Tables hands out frames outside the managed range: the kernel's
	// page tables, the trampoline and the per-CPU trap area.
	Tables pmap.Frames
	// Managed is the range of frames the VM system manages (the pool
	// minus the frames Tables hands out).
	Managed boot.Region
}

// cr0WP (CR0 bit 16, write protect) makes read-only pages read-only for
// ring 0 too (Intel SDM Vol. 3A §2.5, §4.6.1): the kernel's text. TamaGo
// leaves it clear.
const cr0WP = 1 << 16

// machineState is the machine after Start. There is one CPU.
type machineState struct {
	cpu    *amd64pmap.HardwareCPU
	sys    *amd64pmap.System
	kernel *amd64pmap.Space
	tables pmap.Frames
	note   string
}

// mach is set by Start; the Go code that reads it runs with interrupts
// masked on the one CPU.
var mach *machineState

// errNotStarted is returned by the checks when Start has not run.
var errNotStarted = errors.New("machine: Start has not run")

// Start builds the kernel's identity map with pmap/amd64 and loads it: NX and
// PCIDs on (what the CPU has of them), every RAM and device region of the
// board mapped 1:1 with the largest pages that fit, the kernel's text the only
// executable range, then CR3 loaded. It also masks interrupts for good (the
// kernel's Go code runs with IF = 0) and installs the page-fault gate that
// makes probe recoverable. It returns a one-line summary. A second call does
// nothing and returns the same summary.
func Start(cfg Config) (string, error) {
	if mach != nil {
		return mach.note, nil
	}
	cli()
	textStart, textEnd := runtime.TextRegion()
	ranges, err := IdentityRanges(cfg.Memory, textStart, textEnd)
	if err != nil {
		return "", err
	}
	cpu := amd64pmap.NewHardwareCPU()
	feat := cpu.Enable()
	sys, err := amd64pmap.New(amd64pmap.Config{
		Memory:      pmap.Identity{},
		Frames:      cfg.Tables,
		ManagedBase: pmap.PAddr(cfg.Managed.Start),
		ManagedSize: cfg.Managed.Size(),
		CPU:         cpu,
	})
	if err != nil {
		return "", err
	}
	kernel, err := buildKernelSpace(sys, ranges)
	if err != nil {
		return "", err
	}
	installProbe()
	kernel.Activate()
	writeCR0(readCR0() | cr0WP)
	m := &machineState{cpu: cpu, sys: sys, kernel: kernel, tables: cfg.Tables}
	if err := installTrampoline(m); err != nil {
		return "", err
	}
	m.note = summary(kernel, ranges, feat)
	mach = m
	return m.note, nil
}

// buildKernelSpace maps every range of the identity map into a new kernel
// space.
func buildKernelSpace(sys *amd64pmap.System, ranges []MapRange) (*amd64pmap.Space, error) {
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
func summary(s *amd64pmap.Space, ranges []MapRange, feat amd64pmap.Features) string {
	st := s.Stats()
	c := CountPages(ranges, feat.Page1G)
	return fmt.Sprintf("kernel identity map: %d ranges, %d MiB, %d table pages, pages 4 KiB x%d 2 MiB x%d 1 GiB x%d, NX %s, PCID %s, WP %s, CR3 %#x",
		len(ranges), st.Resident*pmap.PageSize>>20, st.TablePages, c.Small, c.Large2M, c.Huge1G,
		onOff(feat.NX), onOff(feat.PCID), onOff(readCR0()&cr0WP != 0), readCR3())
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

// System returns the machine's pmap System, for the VM system to create task
// address spaces with, or nil before Start.
func System() *amd64pmap.System {
	if mach == nil {
		return nil
	}
	return mach.sys
}

// KernelSpace returns the kernel's address space, or nil before Start.
func KernelSpace() *amd64pmap.Space {
	if mach == nil {
		return nil
	}
	return mach.kernel
}
