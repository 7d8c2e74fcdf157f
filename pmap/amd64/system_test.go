package amd64

import (
	"testing"

	"github.com/tamach/tamach/pmap"
)

// TestHardwareReferencedModified sets D through the simulated MMU and checks
// IsModified, ClearModify and the TLB invalidation §4.8 requires.
func TestHardwareReferencedModified(t *testing.T) {
	for name, feat := range featureSets {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, feat)
			u := e.space(pmap.KindUser)
			pa := managedBase + 0x5000
			e.must(u.Enter(0x40_0000, pa, pmap.ProtRead|pmap.ProtWrite, 0))
			u.Activate()
			if e.sys.IsModified(pa) || e.sys.IsReferenced(pa) {
				t.Fatal("fresh page modified or referenced")
			}
			write := mmuAccess{write: true, user: true}
			if _, err := e.cpu.access(0x40_0000, write); err != nil {
				t.Fatal(err)
			}
			if !e.sys.IsModified(pa) || !e.sys.IsReferenced(pa) {
				t.Fatal("write not seen")
			}
			e.sys.ClearModify(pa)
			if e.sys.IsModified(pa) {
				t.Fatal("ClearModify did not clear")
			}
			if _, err := e.cpu.access(0x40_0008, write); err != nil {
				t.Fatal(err)
			}
			if !e.sys.IsModified(pa) {
				t.Fatal("second write lost: D cached in the TLB was not invalidated")
			}
			e.must(u.Enter(0x40_0000, pa, pmap.ProtRead, 0)) // same frame, fewer rights
			if !e.sys.IsModified(pa) {
				t.Fatal("re-entering the same frame lost its modified bit")
			}
			e.must(u.Remove(0x40_0000, 0x40_1000))
			if !e.sys.IsModified(pa) || !e.sys.IsReferenced(pa) {
				t.Fatal("removal lost the modified/referenced bits")
			}
			e.sys.ClearReference(pa)
			if e.sys.IsReferenced(pa) {
				t.Fatal("ClearReference did not clear")
			}
			e.cpu.checkTLB(t, []*Space{u})
		})
	}
}

func TestZeroCopyPage(t *testing.T) {
	e := newEnv(t, allFeatures)
	src, _ := e.arena.AllocFrame()
	dst, _ := e.arena.AllocFrame()
	e.arena.Frame(src)[100] = 7
	e.sys.CopyPage(src, dst)
	if e.arena.Frame(dst)[100] != 7 {
		t.Error("CopyPage")
	}
	e.sys.ZeroPage(dst)
	if e.arena.Frame(dst)[100] != 0 {
		t.Error("ZeroPage")
	}
}

// TestSyncCacheIsCoherent: x86-64 caches need no maintenance for any
// operation, so SyncCache asks nothing of the CPU and changes no memory.
func TestSyncCacheIsCoherent(t *testing.T) {
	e := newEnv(t, allFeatures)
	pa, _ := e.arena.AllocFrame()
	e.arena.Frame(pa)[9] = 0x5a
	before := *e.cpu
	for _, op := range []pmap.CacheOp{pmap.CacheFlushData, pmap.CacheSyncInstructions, pmap.CacheFlushAll} {
		e.sys.SyncCache(pa, pmap.PageSize, op)
	}
	c := e.cpu
	if c.loads != before.loads || c.invlpg != before.invlpg || c.invAddr != before.invAddr || c.invCtx != before.invCtx {
		t.Error("SyncCache used the CPU")
	}
	if e.arena.Frame(pa)[9] != 0x5a {
		t.Error("SyncCache changed memory")
	}
}
