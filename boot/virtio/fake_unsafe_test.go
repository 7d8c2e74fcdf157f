package virtio

import "unsafe"

// unsafeBytes views words as bytes, so a test arena starts 8-byte aligned.
func unsafeBytes(words []uint64) []byte {
	return unsafe.Slice((*byte)(unsafe.Pointer(&words[0])), len(words)*8)
}
