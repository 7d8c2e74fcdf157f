package vm

import (
	"errors"

	"github.com/tamach/tamach/pmap"
)

// The route of a page fault, from the instruction that faults in a task to
// the page-table entry that lets it run again (docs/tour.md draws it):
//
//	amd64                                       arm64
//	CPU raises #PF (vector 14), pushes the      CPU takes a synchronous exception
//	error code, loads CR2 (Intel SDM Vol. 3A    from EL0: ESR_EL1, FAR_EL1 (Arm ARM
//	§6.15, §4.7)                                D1, "Exception entry")
//	  kernel/machine/amd64/trampoline_amd64.s     kernel/machine/arm64/trampoline_arm64.s
//	    trampStubs → trampCommon → trampUserTrap    VECTOR(8) → trapEntry: registers into
//	    (registers into the trap frame, CR2,        the Context, ESR/FAR into the trap
//	    kernel CR3) → trapReturn (run_amd64.s)      area, kernel TTBR0, back to Go
//	  kernel/machine/amd64/run.go run             kernel/machine/arm64/run.go run
//	  kernel/machine/amd64/trap.go decodeTrap     kernel/machine/arm64/trap.go decodeTrap
//	        └──────────── machine.Trap{Kind: TrapPageFault, Addr, Access} ────────────┘
//	kernel/task/sched.go   (*Kernel).runThread: the trap's kind
//	kernel/task/fault.go   (*Kernel).pageFault: address in the task's range?
//	vm/fault.go            (*Map).Fault: pmap FastFault (referenced/modified emulation), or
//	vm/fault.go              (*Map).fault
//	vm/fault.go                lookupFault: entry, protection, needs-copy, new object
//	vm/copy_delay.go           pushCopy: save data into a copy object first
//	vm/fault.go                faultPage: the page, from the shadow chain
//	vm/resident.go               chainPage, pageIn (the pager), zeroFill
//	vm/fault.go                  copyOnWrite: a write to a page of a backing object
//	vm/fault.go                install: the protection the page may have
//	pmap/amd64/space.go      (*Space).Enter       pmap/arm64/space.go (*Space).Enter
//	pmap/amd64/entry.go      leafEntry: the PTE   pmap/arm64/entry.go leafEntry: the
//	                         (SDM Table 4-19)                         descriptor (D8.3)
//	back up: runThread enters user mode again (Machine.Run) and the access retries.
//
// A fault the vm refuses (no entry, the protection forbids the access, the
// pager fails) comes back as a KERN_* code and pageFault kills the task with
// a report (kernel/task/fault.go killFault).
//
// The fault handler itself (Mach's vm_fault), in small steps:
//
//  1. lookupFault: find the entry (descending into submaps), check the
//     access against its protection, resolve needs-copy by pushing a
//     shadow object when the access is a write, create the object of an
//     untouched anonymous entry;
//  2. faultPage: find the page in the shadow chain (chainPage, which pages
//     it in from the pager of the object that holds it), or zero-fill it
//     in the first object when no object has it;
//  3. copy-on-write: a write to a page found below the first object
//     copies it into the first object; a write to an object that has a
//     copy object first pushes the old data into the copy (pushCopy);
//  4. install: enter the page in the pmap, read-only when a write would
//     still have to copy.
//
// The chain walk, page-in, zero-fill and page copy are the resident-page
// helpers of resident.go, shared with the copy code; fault.go calls down
// into them and into copy_delay.go, and nothing below calls back up.

// protCopy is a fault access bit of the vm's own, beside the pmap
// protections: bring the page into the entry's first object as a write
// would (resolving a pending copy), without asking for write access.
// Wiring uses it, so that a wired page is always in the first object of its
// entry and no copy-on-write fault can ever replace it.
const protCopy pmap.Prot = 1 << 7

// copyIntent reports whether access must copy into the first object.
func copyIntent(access pmap.Prot) bool { return access&(ProtWrite|protCopy) != 0 }

// faultInfo is what lookupFault finds for one address.
type faultInfo struct {
	entry     *Entry    // entry mapping the address (in a submap, maybe)
	object    *Object   // first object of the chain
	offset    uint64    // offset of the page in object
	prot      pmap.Prot // most the mapping may allow
	timestamp uint64    // version of the map the entry was found in
	nested    bool      // found in a submap: other maps may map its pages
}

// Fault resolves a fault at va for access (vm_fault): it makes the page
// resident and enters it in the map's pmap. It returns nil
// (KERN_SUCCESS), KERN_INVALID_ADDRESS (nothing mapped at va),
// KERN_PROTECTION_FAILURE (the entry forbids access), KERN_MEMORY_ERROR
// (the pager could not supply the data) or KERN_RESOURCE_SHORTAGE (no free
// frame even after pageout).
//
// Fault is the one place a fault the MMU raised goes. It first offers the
// fault to the pmap's FastFault: a pmap that emulates referenced and
// modified bits (Arm without FEAT_HAFDBS) maps pages so that their first
// access or first write faults, and resolves those faults itself, with no
// vm work. Only a fault FastFault declines runs the fault handler.
// Callers (trap handlers, the kernel's copy to and from user memory) must
// therefore not call FastFault themselves. Each call adds one to
// Statistics.Faults; one that FastFault resolved adds one to FastFaults
// too.
func (m *Map) Fault(va VAddr, access pmap.Prot) error {
	if access&^ProtAll != 0 {
		return KernInvalidArgument
	}
	m.sys.mu.Lock()
	defer m.sys.mu.Unlock()
	m.sys.stats.Faults++
	if m.pmap != nil && m.pmap.FastFault(va.Trunc(), access) {
		m.sys.stats.FastFaults++
		return nil
	}
	_, err := m.fault(va.Trunc(), access, false)
	return err
}

// fault is Fault with the lock held; wire also wires the page.
func (m *Map) fault(va VAddr, access pmap.Prot, wire bool) (*Page, error) {
	fi, err := m.lookupFault(va, access)
	if err != nil {
		return nil, err
	}
	if fi.object.copy != nil && copyIntent(access) {
		if err := m.sys.pushCopy(fi.object, fi.offset); err != nil {
			return nil, err
		}
	}
	p, err := m.sys.faultPage(fi.object, fi.offset, access, fi.nested)
	if err != nil {
		return nil, err
	}
	if fi.timestamp != fi.entry.mapTimestamp(m, va) {
		panic("vm: Map.fault: map changed under a fault")
	}
	return p, m.install(va, p, fi, access, wire)
}

// mapTimestamp returns the timestamp of the map that holds e for va; with
// the vm lock held throughout a fault it never differs from the one seen
// by lookupFault, and fault asserts so. A pager answering asynchronously
// would drop the lock and redo the lookup when it differs.
func (e *Entry) mapTimestamp(m *Map, va VAddr) uint64 {
	for {
		f, ok := m.lookup(va)
		if !ok || f.submap == nil {
			return m.timestamp
		}
		va = VAddr(f.offset) + (va - f.start)
		m = f.submap
	}
}

// lookupFault is step 1 (vm_map_lookup).
func (m *Map) lookupFault(va VAddr, access pmap.Prot) (faultInfo, error) {
	prot, nested := pmap.Prot(ProtAll), false
	for {
		e, ok := m.lookup(va)
		if !ok {
			return faultInfo{}, KernInvalidAddress
		}
		prot &= e.prot
		if !prot.Allows(access &^ protCopy) {
			return faultInfo{}, KernProtectionFailure
		}
		if e.submap != nil {
			va = VAddr(e.offset) + (va - e.start)
			m, nested = e.submap, true
			continue
		}
		m.prepareEntry(e, access)
		if e.needsCopy {
			prot &^= ProtWrite
		}
		return faultInfo{entry: e, object: e.object, prot: prot, timestamp: m.timestamp, nested: nested,
			offset: e.offset + uint64(va-e.start)}, nil
	}
}

// prepareEntry gives an untouched entry its object and, for a write,
// resolves needs-copy: the entry.needsCopy → plain transition.
func (m *Map) prepareEntry(e *Entry, access pmap.Prot) {
	if e.object == nil {
		// LAB zero-fill: begin
		e.object = m.sys.newObject(e.size(), nil)
		e.offset, e.needsCopy = 0, false
		m.timestamp++
		// LAB zero-fill: stub
		// panic("lab zero-fill: not implemented: the first object of an untouched entry")
		// LAB zero-fill: end
	}
	if e.needsCopy && copyIntent(access) {
		m.shadowEntry(e)
	}
}

// shadowEntry pushes a shadow object in front of e's object.
func (m *Map) shadowEntry(e *Entry) {
	// LAB cow: begin
	e.object = e.object.newShadow(e.offset, e.size())
	e.offset, e.needsCopy = 0, false
	m.timestamp++
	// LAB cow: stub
	// panic("lab cow: not implemented: shadowEntry")
	// LAB cow: end
}

// faultPage is steps 2 and 3 (vm_fault_page): it returns the page that
// holds the data at offset of first, resident, and in first itself when
// access includes a write. With nested (the object belongs to a submap),
// or when first is shared, a page copied for copy-on-write is unmapped
// from every map, since other maps may still map the original.
func (s *System) faultPage(first *Object, offset uint64, access pmap.Prot, nested bool) (*Page, error) {
	p, err := s.chainPage(first, offset)
	if err != nil {
		return nil, err
	}
	if p == nil {
		// LAB zero-fill: begin
		return s.zeroFill(first, offset)
		// LAB zero-fill: stub
		// panic("lab zero-fill: not implemented: a page no object of the chain holds")
		// LAB zero-fill: end
	}
	return s.copyOnWrite(first, offset, p, access, nested)
}

// copyOnWrite is step 3: p was found for offset of first; a write to a page
// of a backing object copies it into first.
func (s *System) copyOnWrite(first *Object, offset uint64, p *Page, access pmap.Prot, nested bool) (*Page, error) {
	// LAB cow: begin
	if p.object == first || !copyIntent(access) {
		return p, nil
	}
	np, err := s.copyPage(p, first, offset)
	if err != nil {
		return nil, err
	}
	s.stats.CowFaults++
	if nested || first.refs > 1 {
		// Others sharing first may map the original page at this
		// offset: they must fault again and find the copy (Mach's
		// vm_fault_page flushes the original the same way).
		s.pmap.PageProtect(p.pa, pmap.ProtNone)
	}
	s.touch(p)
	return np, nil
	// LAB cow: stub
	// panic("lab cow: not implemented: copyOnWrite")
	// LAB cow: end
}

// touch records a reference to p, reactivating it if it was inactive; a
// reusable page is in use again (XNU's vm_fault reuses it the same way).
func (s *System) touch(p *Page) {
	s.reusePage(p)
	p.reference = true
	if p.queue == queueInactive {
		s.pool.activate(p)
		s.stats.Reactivations++
	}
}

// install is step 4 (pmap_enter from vm_fault): the page is entered
// read-only when it belongs to a backing object, since a write must still
// copy it, and when a write must first push its data into the copy object
// of its object (installProt).
func (m *Map) install(va VAddr, p *Page, fi faultInfo, access pmap.Prot, wire bool) error {
	prot := fi.prot
	if p.object != fi.object {
		prot &^= ProtWrite
	} else {
		prot = installProt(fi.object, fi.offset, prot, copyIntent(access))
	}
	var flags pmap.Flags
	if wire {
		m.sys.pool.wire(p)
	}
	if fi.entry.wired() || wire {
		flags |= pmap.Wired
	}
	m.sys.touch(p)
	if m.pmap == nil {
		return nil
	}
	if err := m.pmap.Enter(va, p.pa, prot, flags); err != nil {
		if wire {
			m.sys.pool.unwire(p)
		}
		return pmapError(err)
	}
	return nil
}

// pmapError maps a pmap error to a Mach code.
func pmapError(err error) error {
	if errors.Is(err, pmap.ErrNoFrames) {
		return KernResourceShortage
	}
	return KernInvalidAddress
}
