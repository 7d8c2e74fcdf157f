package virtio

import (
	"sync/atomic"
	"unsafe"
)

// Ring index accesses. The device reads the available ring's idx and
// writes the used ring's idx concurrently with the driver, so these words
// are accessed atomically: the Go compiler neither caches nor reorders
// them, and the memory model orders them against the plain accesses to
// descriptors and buffers (virtio spec §2.7.13.3, §2.7.14):
//
//   - storeRingWord is a release store (arm64 STLR; amd64 XCHG, a full
//     barrier): descriptor and ring-entry writes are visible first;
//   - loadRingWord is an acquire load (arm64 LDAR; amd64 MOV under TSO):
//     used-element and buffer reads happen after it.
//
// These order the CPU against other CPUs in the inner-shareable domain,
// which is where QEMU's device model runs (on a host thread, coherent).
// docs/virtio.md says what a non-coherent real device would need.

// wordAt returns the aligned 32-bit word of mem at byte offset off.
func wordAt(mem []byte, off int) *uint32 {
	p := unsafe.Pointer(&mem[off : off+4][0])
	if uintptr(p)%4 != 0 {
		panic("virtio.wordAt: ring word not 4-byte aligned")
	}
	return (*uint32)(p)
}

// loadRingWord atomically loads the little-endian word at mem[off:].
func loadRingWord(mem []byte, off int) uint32 {
	return atomic.LoadUint32(wordAt(mem, off))
}

// storeRingWord atomically stores v as the little-endian word at mem[off:].
func storeRingWord(mem []byte, off int, v uint32) {
	atomic.StoreUint32(wordAt(mem, off), v)
}
