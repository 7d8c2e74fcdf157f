package task

import (
	"encoding/binary"

	"github.com/tamach/tamach/pmap"
	"github.com/tamach/tamach/vm"
)

// Access to a task's memory from the kernel (Linux's copy_from_user and
// copy_to_user). The kernel never dereferences a user address: it
// translates each page through the task's pmap and, when the page is not
// mapped with the access needed, asks the vm fault handler to make it so,
// exactly as the MMU and the page-fault trap would; then it copies through
// its own view of physical memory (pmap.Memory). An address outside the
// task's map, or a fault the vm cannot resolve, is EFAULT.
//
// vm.Map.Read (vm_read) would also do, but it takes a copy-on-write
// snapshot of the whole entry, write-protecting the task's pages: far too
// heavy for the one-byte writes the Go runtime's print makes.

// maxAccessTries bounds the translate-fault-retry loop for one page.
const maxAccessTries = 4

// userFrame returns the frame holding va in t's map for access, faulting it
// in if needed.
func (k *Kernel) userFrame(t *Task, va vm.VAddr, access pmap.Prot) (*[pmap.PageSize]byte, bool) {
	if va < k.cfg.UserMin || va >= k.cfg.UserMax {
		return nil, false
	}
	pm := t.Map.Pmap()
	page := va.Trunc()
	for try := 0; try < maxAccessTries; try++ {
		pa, prot, ok := pm.Extract(page)
		if ok && prot.Allows(access) {
			return k.cfg.Memory.Frame(pa.Trunc()), true
		}
		if t.Map.Fault(page, access) != nil {
			return nil, false
		}
	}
	return nil, false
}

// copyIn reads len(buf) bytes at va of t's memory. It returns how many it
// read before the first page it could not read.
func (k *Kernel) copyIn(t *Task, va uint64, buf []byte) (int, bool) {
	done := 0
	for done < len(buf) {
		a := va + uint64(done)
		if a < va {
			return done, false
		}
		f, ok := k.userFrame(t, vm.VAddr(a), pmap.ProtRead)
		if !ok {
			return done, false
		}
		done += copy(buf[done:], f[a&pmap.PageMask:])
	}
	return done, true
}

// copyOut writes buf at va of t's memory, reporting whether all of it was
// written.
func (k *Kernel) copyOut(t *Task, va uint64, buf []byte) bool {
	done := 0
	for done < len(buf) {
		a := va + uint64(done)
		if a < va {
			return false
		}
		f, ok := k.userFrame(t, vm.VAddr(a), pmap.ProtWrite)
		if !ok {
			return false
		}
		done += copy(f[a&pmap.PageMask:], buf[done:])
	}
	return true
}

// putUint64s writes little-endian words at va (both architectures run
// little-endian: Intel SDM Vol. 1 §1.3.1; Arm ARM B2.6.2, SCTLR_EL1.E0E 0).
func (k *Kernel) putUint64s(t *Task, va uint64, words ...uint64) bool {
	buf := make([]byte, 8*len(words))
	for i, w := range words {
		binary.LittleEndian.PutUint64(buf[8*i:], w)
	}
	return k.copyOut(t, va, buf)
}

// getUint64s reads n little-endian words at va.
func (k *Kernel) getUint64s(t *Task, va uint64, n int) ([]uint64, bool) {
	buf := make([]byte, 8*n)
	if _, ok := k.copyIn(t, va, buf); !ok {
		return nil, false
	}
	w := make([]uint64, n)
	for i := range w {
		w[i] = binary.LittleEndian.Uint64(buf[8*i:])
	}
	return w, true
}
