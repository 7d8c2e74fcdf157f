package vmtest

import (
	"github.com/tamach/tamach/pmap"
	"github.com/tamach/tamach/pmap/amd64"
	"github.com/tamach/tamach/pmap/arm64"
)

// The pmaps the harness can run the vm system over. Each real format runs
// on the arena with a CPU that has no TLB to maintain: the simulated CPU
// (cpu.go) walks the tables on every access through the format's Access
// hook, so the instructions that load translation bases and invalidate TLB
// entries have nothing to do here (each format's own tests check them
// against a model TLB).

// Pmap is one pmap the harness can run the vm system over: how to build
// its System over a Machine, and the protection its MMU really enforces
// for a mapping entered with prot. x86-64 has no write-only or
// execute-only pages (Intel SDM Vol. 3A §4.6: Present implies read); Arm
// has no write-only pages at EL0 (Arm ARM D8.4.1, AP[2:1] = 0b01 is
// read/write). An access Mach forbids but the MMU allows may therefore
// succeed once the page is mapped, as it does on the real machines.
type Pmap struct {
	Name  string
	New   func(Machine) (pmap.System, error)
	Widen func(prot pmap.Prot) pmap.Prot
}

// The pmaps there are; a test picks one with Options{Pmap: vmtest.AMD64}.
var (
	// Software is the software pmap (SoftSystem).
	Software = &Pmap{Name: "soft", New: newSoftware, Widen: exact}

	// AMD64 is the x86-64 4-level format of pmap/amd64, on a CPU with
	// PCID, INVPCID, execute-disable, 1 GiB pages and 46 physical
	// address bits.
	AMD64 = &Pmap{Name: "amd64", New: newAMD64, Widen: widenX86}

	// ARM64Hardware is the VMSAv8-64 format of pmap/arm64 on a CPU with
	// FEAT_HAFDBS: the (simulated) hardware sets the Access flag and
	// manages the dirty state.
	ARM64Hardware = &Pmap{Name: "arm64-hafdbs", New: newARM64Hardware, Widen: widenArm}

	// ARM64Software is the VMSAv8-64 format of pmap/arm64 on a CPU
	// without FEAT_HAFDBS: the pmap emulates the Access flag and the
	// dirty state with faults that FastFault resolves.
	ARM64Software = &Pmap{Name: "arm64-swaf", New: newARM64Software, Widen: widenArm}
)

// Pmaps lists every pmap, for tests that run over all of them.
var Pmaps = []*Pmap{Software, AMD64, ARM64Hardware, ARM64Software}

func exact(prot pmap.Prot) pmap.Prot { return prot }

func widenX86(prot pmap.Prot) pmap.Prot {
	if prot != pmap.ProtNone {
		prot |= pmap.ProtRead
	}
	return prot
}

func widenArm(prot pmap.Prot) pmap.Prot {
	if prot&pmap.ProtWrite != 0 {
		prot |= pmap.ProtRead
	}
	return prot
}

func newSoftware(m Machine) (pmap.System, error) { return NewSoftSystem(m.Memory, m.Frames), nil }

func newAMD64(m Machine) (pmap.System, error) {
	return amd64.New(amd64.Config{Memory: m.Memory, Frames: m.Frames,
		ManagedBase: m.PoolBase, ManagedSize: m.PoolSize, CPU: amd64HostCPU{}})
}

func newARM64Hardware(m Machine) (pmap.System, error) {
	return arm64.New(arm64.Config{Memory: m.Memory, Frames: m.Frames,
		ManagedBase: m.PoolBase, ManagedSize: m.PoolSize, CPU: &ARM64HostCPU{mmfr1: mmfr1HAFDBSDirty}})
}

func newARM64Software(m Machine) (pmap.System, error) {
	return arm64.New(arm64.Config{Memory: m.Memory, Frames: m.Frames,
		ManagedBase: m.PoolBase, ManagedSize: m.PoolSize, CPU: &ARM64HostCPU{}})
}

// amd64HostCPU is an x86-64 processor without a TLB (amd64.CPU).
type amd64HostCPU struct{}

func (amd64HostCPU) Features() amd64.Features {
	return amd64.Features{PCID: true, INVPCID: true, NX: true, Page1G: true, PhysAddrBits: 46}
}
func (amd64HostCPU) LoadCR3(amd64.CR3)                        {}
func (amd64HostCPU) InvalidatePage(pmap.VAddr)                {}
func (amd64HostCPU) InvalidateAddress(amd64.PCID, pmap.VAddr) {}
func (amd64HostCPU) InvalidateContext(amd64.PCID)             {}

// ID_AA64MMFR0_EL1 and ID_AA64MMFR1_EL1 of the simulated Arm core (Arm ARM
// D24.2, "ID_AA64MMFR0_EL1" and "ID_AA64MMFR1_EL1"): 48-bit physical
// addresses (PARange, bits[3:0] = 0b0101), 16-bit ASIDs (ASIDBits,
// bits[7:4] = 0b0010), the 4KB granule (TGran4, bits[31:28] = 0b0000); and,
// for FEAT_HAFDBS, HAFDBS (bits[3:0]) = 0b0010: hardware update of the
// Access flag and of the dirty state.
const (
	mmfr0PARange48   = 0b0101 << 0
	mmfr0ASIDBits16  = 0b0010 << 4
	mmfr0TGran4      = 0b0000 << 28
	mmfr0            = mmfr0PARange48 | mmfr0ASIDBits16 | mmfr0TGran4
	mmfr1HAFDBSDirty = 0b0010 << 0
)

// ARM64HostCPU is an Armv8-A core without a TLB (arm64.CPU). It has no
// cache either: it records the cache maintenance it is asked for in
// CacheCalls (Op CacheFlushData for CleanInvalidateDataCache,
// CacheSyncInstructions for SyncInstructionCache).
type ARM64HostCPU struct {
	mmfr1      uint64
	CacheCalls []CacheCall
}

func (*ARM64HostCPU) MMFR0() uint64                         { return mmfr0 }
func (c *ARM64HostCPU) MMFR1() uint64                       { return c.mmfr1 }
func (*ARM64HostCPU) SetTTBR0(uint64)                       {}
func (*ARM64HostCPU) SetTTBR1(uint64)                       {}
func (*ARM64HostCPU) InvalidatePage(arm64.ASID, pmap.VAddr) {}
func (*ARM64HostCPU) InvalidateASID(arm64.ASID)             {}
func (*ARM64HostCPU) InvalidateAll()                        {}
func (*ARM64HostCPU) Sync()                                 {}

// ZeroFrame clears f.
func (*ARM64HostCPU) ZeroFrame(f *[pmap.PageSize]byte) { clear(f[:]) }

// CleanInvalidateDataCache records the call.
func (c *ARM64HostCPU) CleanInvalidateDataCache(pa pmap.PAddr, size uint64) {
	c.CacheCalls = append(c.CacheCalls, CacheCall{PA: pa, Size: size, Op: pmap.CacheFlushData})
}

// SyncInstructionCache records the call.
func (c *ARM64HostCPU) SyncInstructionCache(pa pmap.PAddr, size uint64) {
	c.CacheCalls = append(c.CacheCalls, CacheCall{PA: pa, Size: size, Op: pmap.CacheSyncInstructions})
}
