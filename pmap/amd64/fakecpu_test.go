package amd64

import (
	"fmt"
	"testing"

	"github.com/tamach/tamach/pmap"
)

// fakeCPU is a recording CPU with a simulated TLB tagged by PCID, so tests can
// see stale translations the pmap failed to invalidate. It fills 4 KiB TLB
// entries even for large pages (the processor may, Intel SDM Vol. 3A
// §4.10.2.3) and drops all of them when one address of the large page is
// invalidated (§4.10.4.1).
type fakeCPU struct {
	feat Features
	mem  pmap.Memory

	cr3    CR3
	loaded bool
	tlb    map[tlbKey]tlbEntry

	loads, flushLoads, invlpg, invAddr, invCtx int
	violations                                 []string
}

type tlbKey struct {
	pcid PCID
	vpn  uint64 // linear address >> 12
}

type tlbEntry struct {
	res      mmuResult
	pageBase uint64 // linear address of the page the leaf maps
}

func newFakeCPU(feat Features, mem pmap.Memory) *fakeCPU {
	return &fakeCPU{feat: feat, mem: mem, tlb: map[tlbKey]tlbEntry{}}
}

func (c *fakeCPU) Features() Features { return c.feat }

func (c *fakeCPU) violate(format string, args ...any) {
	c.violations = append(c.violations, fmt.Sprintf(format, args...))
}

func (c *fakeCPU) LoadCR3(v CR3) {
	c.loads++
	if !c.feat.PCID {
		if v.PCID() != 0 || v.NoFlush() {
			c.violate("CR3 %#x has PCID or no-flush bits while CR4.PCIDE = 0", uint64(v))
		}
		clear(c.tlb)
		c.flushLoads++
	} else if !v.NoFlush() {
		c.dropPCID(v.PCID())
		c.flushLoads++
	}
	c.cr3, c.loaded = v, true
}

func (c *fakeCPU) InvalidatePage(va pmap.VAddr) {
	c.invlpg++
	c.dropPage(c.cr3.PCID(), uint64(va))
}

func (c *fakeCPU) InvalidateAddress(pcid PCID, va pmap.VAddr) {
	c.invAddr++
	if !c.feat.INVPCID {
		c.violate("INVPCID type 0 without INVPCID")
	}
	c.dropPage(pcid, uint64(va))
}

func (c *fakeCPU) InvalidateContext(pcid PCID) {
	c.invCtx++
	if !c.feat.INVPCID {
		c.violate("INVPCID type 1 without INVPCID")
	}
	c.dropPCID(pcid)
}

func (c *fakeCPU) dropPCID(pcid PCID) {
	for k := range c.tlb {
		if k.pcid == pcid {
			delete(c.tlb, k)
		}
	}
}

func (c *fakeCPU) dropPage(pcid PCID, la uint64) {
	for k, e := range c.tlb {
		if k.pcid == pcid && la-e.pageBase < e.res.pageSize {
			delete(c.tlb, k)
		}
	}
}

func (c *fakeCPU) config() mmuConfig {
	bits := uint(c.feat.PhysAddrBits)
	if bits == 0 {
		bits = 52
	}
	return mmuConfig{nxe: c.feat.NX, wp: true, physBits: bits}
}

// access performs one access through the TLB and the tables CR3 holds, as
// the processor does: a TLB hit is used without a walk unless a write finds
// D = 0 in the cached entry, which makes the processor set D in memory
// (§4.8); a fault drops the TLB entry (§4.10.4.3).
func (c *fakeCPU) access(va pmap.VAddr, acc mmuAccess) (uint64, error) {
	la := uint64(va)
	key := tlbKey{c.cr3.PCID(), la >> 12}
	if e, ok := c.tlb[key]; ok {
		if err := mmuCheck(e.res, acc, c.config()); err != nil {
			delete(c.tlb, key)
			return 0, err
		}
		if !acc.write || e.res.leaf&mmuD != 0 {
			return e.res.pa&^(e.res.pageSize-1) | la&(e.res.pageSize-1), nil
		}
	}
	r, err := mmuWalk(c.mem, uint64(c.cr3), la, acc, c.config(), true)
	if err != nil {
		delete(c.tlb, key)
		return 0, err
	}
	c.tlb[key] = tlbEntry{res: r, pageBase: la &^ (r.pageSize - 1)}
	return r.pa, nil
}

// checkTLB fails t for every TLB entry that could be used and no longer
// matches the tables: entries of the PCID CR3 holds, and entries of spaces
// whose next load keeps their PCID.
func (c *fakeCPU) checkTLB(t testing.TB, spaces []*Space) {
	t.Helper()
	for _, v := range c.violations {
		t.Errorf("CPU misuse: %s", v)
	}
	c.violations = nil
	if c.loaded {
		c.checkPCID(t, c.cr3.PCID(), uint64(c.cr3.Root()))
	}
	for _, s := range spaces {
		if s.refs > 0 && s.live() && !s.flushOnLoad && (!c.loaded || s.pcid != c.cr3.PCID()) {
			c.checkPCID(t, s.pcid, uint64(s.Root()))
		}
	}
}

func (c *fakeCPU) checkPCID(t testing.TB, pcid PCID, root uint64) {
	t.Helper()
	for k, e := range c.tlb {
		if k.pcid != pcid {
			continue
		}
		la := k.vpn << 12
		r, err := mmuWalk(c.mem, root, la, mmuAccess{}, c.config(), false)
		switch {
		case err != nil:
			t.Errorf("stale TLB entry pcid %d va %#x: now %v", pcid, la, err)
		case r.pa&^0xfff != e.res.pa&^0xfff || r.rw != e.res.rw || r.us != e.res.us || r.xd != e.res.xd:
			t.Errorf("stale TLB entry pcid %d va %#x: cached %+v, tables %+v", pcid, la, e.res, r)
		case e.res.leaf&mmuD != 0 && r.leaf&mmuD == 0:
			t.Errorf("stale TLB entry pcid %d va %#x: cached D = 1, tables D = 0", pcid, la)
		}
	}
}
