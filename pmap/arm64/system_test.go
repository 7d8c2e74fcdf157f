package arm64

import (
	"testing"

	"github.com/tamach/tamach/pmap"
)

// TestHardwareReferencedModified: with FEAT_HAFDBS the hardware sets AF and
// clears AP[2] (DBM) itself; no fault reaches FastFault and the pmap reads
// the state from the descriptors.
func TestHardwareReferencedModified(t *testing.T) {
	h := newHarness(t, modeHardware)
	if h.sys.TCR()&(tcrHA|tcrHD) != tcrHA|tcrHD {
		t.Fatalf("TCR %#x lacks HA/HD", h.sys.TCR())
	}
	s := h.create(pmap.KindUser)
	const va = pmap.VAddr(0x40_0000)
	pa := frame(4)
	must(t, s.Enter(va, pa, rw, 0), "Enter")
	h.activate(s)
	if _, f := h.cpu.access(uint64(va), wAccess{el0: true}, true, true); f != wOK {
		t.Fatalf("read: %v", f)
	}
	if !h.sys.IsReferenced(pa) || h.sys.IsModified(pa) {
		t.Fatal("after a hardware-tracked read")
	}
	if _, f := h.cpu.access(uint64(va), wAccess{el0: true, write: true}, true, true); f != wOK {
		t.Fatalf("write: %v", f)
	}
	if !h.sys.IsModified(pa) {
		t.Fatal("hardware dirty state not seen")
	}
	h.sys.ClearModify(pa)
	h.sys.ClearReference(pa)
	h.checkTLB()
	if h.sys.IsModified(pa) || h.sys.IsReferenced(pa) {
		t.Fatal("Clear* did not clear")
	}
	if _, f := h.cpu.access(uint64(va), wAccess{el0: true, write: true}, true, true); f != wOK || !h.sys.IsModified(pa) {
		t.Fatalf("second write not recorded: %v", f)
	}
	// Write access removed: the dirty state moves to the reverse map.
	h.sys.PageProtect(pa, pmap.ProtRead)
	if !h.sys.IsModified(pa) {
		t.Fatal("dirty state lost by PageProtect")
	}
	if _, f := h.cpu.access(uint64(va), wAccess{el0: true, write: true}, true, true); f != wPermission {
		t.Fatalf("write after PageProtect(r): %v", f)
	}
}

// TestKernelMappingsAlwaysReportState: untracked mappings (kernel spaces,
// the Kernel flag) cannot be observed; they report referenced, and
// modified while writable, and Clear* leaves them alone.
func TestKernelMappingsAlwaysReportState(t *testing.T) {
	h := newHarness(t, modeSoftware)
	k := h.create(pmap.KindKernel)
	pa := frame(5)
	must(t, k.Enter(0x8000_0000, pa, rw, 0), "Enter")
	h.sys.ClearModify(pa)
	h.sys.ClearReference(pa)
	if !h.sys.IsReferenced(pa) || !h.sys.IsModified(pa) {
		t.Fatal("writable kernel mapping must report referenced and modified")
	}
	if _, f := h.touch(k, 0x8000_0000, wAccess{write: true}); f != wOK {
		t.Fatalf("kernel write after Clear*: %v", f)
	}
	h.sys.PageProtect(pa, pmap.ProtNone)
	if _, _, ok := k.Extract(0x8000_0000); ok {
		t.Fatal("PageProtect(none) left the kernel mapping")
	}
}

// TestSyncCache: each cache operation reaches the CPU as the maintenance
// it names, for the range asked, data cache first for CacheFlushAll; a
// zero size does nothing.
func TestSyncCache(t *testing.T) {
	h := newHarness(t, modeHardware)
	pa := frame(7)
	cases := []struct {
		op   pmap.CacheOp
		want []cacheCall
	}{
		{pmap.CacheFlushData, []cacheCall{{data: true, pa: pa, size: pmap.PageSize}}},
		{pmap.CacheSyncInstructions, []cacheCall{{pa: pa, size: pmap.PageSize}}},
		{pmap.CacheFlushAll, []cacheCall{{data: true, pa: pa, size: pmap.PageSize}, {pa: pa, size: pmap.PageSize}}},
	}
	for _, c := range cases {
		h.cpu.caches = nil
		h.sys.SyncCache(pa, pmap.PageSize, c.op)
		if len(h.cpu.caches) != len(c.want) {
			t.Fatalf("%v: calls %+v, want %+v", c.op, h.cpu.caches, c.want)
		}
		for i := range c.want {
			if h.cpu.caches[i] != c.want[i] {
				t.Fatalf("%v: calls %+v, want %+v", c.op, h.cpu.caches, c.want)
			}
		}
	}
	h.cpu.caches = nil
	h.sys.SyncCache(pa, 0, pmap.CacheFlushAll)
	if len(h.cpu.caches) != 0 {
		t.Fatalf("size 0 made calls %+v", h.cpu.caches)
	}
}
