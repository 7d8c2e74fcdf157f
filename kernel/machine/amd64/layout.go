package amd64

import "github.com/tamach/tamach/pmap"

// Kernel virtual layout outside the identity map, in the upper canonical half
// (Intel SDM Vol. 1 §3.3.7.1 "Canonical Addressing"), which no task can map
// (pmap.ErrKernelRange). docs/trap-amd64.md draws it.
//
//	0xffff_ff80_0000_0000  trap trampoline (PML4 slot 511), in every space:
//	                         +0x0000 code   (read/execute, supervisor)
//	                         +0x1000 IDT    (read-only, supervisor, NX)
//	                         +0x2000 per-CPU page: GDT, TSS, trap frame,
//	                                 interrupt stack (read/write, NX)
//	0xffff_c000_0000_0000  pmap-scratch self-check page (PML4 slot 384),
//	                         kernel space only, mapped during the check
const (
	// ScratchVA is where the pmap-scratch check maps its frame.
	ScratchVA pmap.VAddr = 0xffff_c000_0000_0000

	// TrampolineVA is the trampoline's base address, the same in the
	// kernel's space and in every task's.
	TrampolineVA pmap.VAddr = 0xffff_ff80_0000_0000
)

// Trampoline pages, at TrampolineVA + n*PageSize.
const (
	trampCodePage   = 0 // trampoline code, copied from trampStubs..trampEnd
	trampIDTPage    = 1 // the IDT: 256 gates of 16 bytes fill the page
	trampPerCPUPage = 2 // GDT, TSS, trampVars, trapFrame, chain table
	trampPages      = 3
)

// Offsets in the per-CPU page. The trap frame sits right below the stack top
// that TSS.RSP0 names, so that the CPU's interrupt frame lands in its last
// five words (Intel SDM Vol. 3A §6.14.2 "64-Bit Mode Stack Frame": the stack
// top is aligned to 16 bytes, then SS, RSP, RFLAGS, CS, RIP and the error
// code are pushed).
const (
	pcpuGDT      = 0x000 // gdtEntries descriptors
	pcpuTSS      = 0x080 // the 104-byte TSS
	pcpuVars     = 0x100 // trampVars
	pcpuFrame    = 0x700 // trapFrame, 176 bytes
	pcpuStackTop = pcpuFrame + trapFrameSize
	pcpuChain    = 0x800 // 256 previous gate handlers, 8 bytes each

	trapFrameSize = 22 * 8
)

// Addresses of the per-CPU page's parts in the trampoline mapping, as the
// trampoline code uses them.
const (
	perCPUVA     = uint64(TrampolineVA) + trampPerCPUPage*pmap.PageSize
	trampVarsVA  = perCPUVA + pcpuVars
	trapFrameVA  = perCPUVA + pcpuFrame
	trapStackTop = perCPUVA + pcpuStackTop
	chainVA      = perCPUVA + pcpuChain
	idtVA        = uint64(TrampolineVA) + trampIDTPage*pmap.PageSize
)
