package amd64

import "github.com/tamach/tamach/pmap"

// PCID is a process-context identifier: the 12-bit tag the processor attaches
// to TLB and paging-structure-cache entries when CR4.PCIDE = 1 (Intel SDM
// Vol. 3A §4.10.1).
type PCID uint16

// Process-context identifiers.
const (
	// KernelPCID tags the kernel's own tables; it is also the PCID every
	// space uses when the CPU has no PCIDs (with CR4.PCIDE = 0 the
	// processor behaves as if PCID 000H is current, §4.10.1).
	KernelPCID PCID = 0
	// maxPCID is the largest PCID: CR3 bits 11:0 (§4.10.1).
	maxPCID PCID = 1<<12 - 1
)

// CR3 is a value for MOV to CR3 in 4-level paging (Intel SDM Vol. 3A §4.5,
// Tables 4-12 and 4-13).
//
//	 63   62     52 51          12 11        0
//	+----+---------+--------------+-----------+
//	| NF | 0       | PML4 address | PCID      |   CR4.PCIDE = 1 (Table 4-13)
//	+----+---------+--------------+-----------+
//	                               bit 4 PCD, bit 3 PWT when PCIDE = 0 (Table 4-12)
type CR3 uint64

// CR3 fields.
const (
	// CR3NoFlush (bit 63): with CR4.PCIDE = 1, a MOV to CR3 with this bit
	// set keeps the TLB and paging-structure-cache entries of the new
	// PCID; with it clear, it invalidates them (§4.10.4.1). It is never
	// set when CR4.PCIDE = 0.
	CR3NoFlush CR3 = 1 << 63
	// cr3PCIDMask selects the PCID, bits 11:0 (Table 4-13).
	cr3PCIDMask CR3 = CR3(maxPCID)
	// cr3AddrMask selects the PML4 table address (Tables 4-12, 4-13).
	cr3AddrMask CR3 = CR3(entryAddrMask)
)

// Root returns the PML4 table address v loads.
func (v CR3) Root() pmap.PAddr { return pmap.PAddr(v & cr3AddrMask) }

// PCID returns the PCID v loads (0 when CR4.PCIDE = 0).
func (v CR3) PCID() PCID { return PCID(v & cr3PCIDMask) }

// NoFlush reports whether loading v keeps the new PCID's cached entries.
func (v CR3) NoFlush() bool { return v&CR3NoFlush != 0 }

// Features are the paging features the processor has, as CPUID reports them.
type Features struct {
	// PCID: CPUID.01H:ECX.PCID[bit 17]; the kernel has set CR4.PCIDE
	// (Intel SDM Vol. 3A §4.10.1).
	PCID bool
	// INVPCID: CPUID.(EAX=07H,ECX=0H):EBX.INVPCID[bit 10] (§4.10.4.1).
	INVPCID bool
	// NX: CPUID.80000001H:EDX.NX[bit 20]; the kernel has set
	// IA32_EFER.NXE, so bit 63 of an entry is XD (§4.1.4, §4.6).
	NX bool
	// Page1G: CPUID.80000001H:EDX.Page1GB[bit 26]: PDPTEs may map
	// 1 GiB pages (§4.1.4).
	Page1G bool
	// PhysAddrBits is MAXPHYADDR, CPUID.80000008H:EAX[7:0] (§4.1.4);
	// 0 means the architectural maximum, 52.
	PhysAddrBits uint8
}

// CPU is what only the processor can do for the pmap: load CR3 and invalidate
// TLB entries. The bare-metal implementation is HardwareCPU (GOOS=tamago);
// host tests use a recording fake. Only one CPU is supported: these act on
// the calling processor.
type CPU interface {
	// Features reports the processor's paging features.
	Features() Features

	// LoadCR3 executes MOV to CR3 with v (Intel SDM Vol. 3A §4.10.4.1).
	LoadCR3(v CR3)

	// InvalidatePage executes INVLPG va: it drops the translations of the
	// page holding va for the current PCID (and global ones), and every
	// paging-structure-cache entry of the current PCID (§4.10.4.1).
	InvalidatePage(va pmap.VAddr)

	// InvalidateAddress executes INVPCID type 0 (individual-address) for
	// pcid and va. Only called when Features().INVPCID.
	InvalidateAddress(pcid PCID, va pmap.VAddr)

	// InvalidateContext executes INVPCID type 1 (single-context): it
	// drops every non-global translation and paging-structure-cache entry
	// tagged with pcid. Only called when Features().INVPCID.
	InvalidateContext(pcid PCID)
}
