package amd64

import "github.com/tamach/tamach/pmap"

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
