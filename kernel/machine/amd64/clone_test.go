package amd64

import (
	"bytes"
	"encoding/binary"
	"testing"
	"unsafe"
)

// cloneSink keeps TestCloneCopiesFX's sources on the heap.
var cloneSink []*Context

// TestCloneCopiesFX: a clone has the source's FPU/SSE image at its own
// aligned offset, whatever the two offsets are (the sources sit at both
// 8-byte positions modulo 16, so at least one clone moves the image).
func TestCloneCopiesFX(t *testing.T) {
	type padded struct {
		pad [8]byte
		c   Context
	}
	// On the heap (cloneSink), where both are 16-byte aligned.
	plain, shifted := new(Context), new(padded)
	cloneSink = []*Context{plain, &shifted.c}
	offsets := map[uintptr]bool{}
	for _, src := range []*Context{plain, &shifted.c} {
		offsets[fxImage(uintptr(unsafe.Pointer(&src.fx)))] = true
		src.Regs.RIP, src.FSBase = 0x401000, 0x7000
		img := alignedFX(&src.fx)
		initFX(img)
		binary.LittleEndian.PutUint32(img[fxMXCSR:], mxcsrDefault|3<<13) // RC = toward zero (Vol. 1 §10.2.3.3)
		for i := fxXMM0; i < fxAreaSize; i++ {
			img[i] = byte(i*7 + 1)
		}
		src.fxReady = true
		n := src.Clone().(*Context)
		if n == src || n.Regs != src.Regs || n.FSBase != src.FSBase || !n.fxReady {
			t.Fatalf("Clone: registers %+v FS %#x ready %v, want %+v %#x true", n.Regs, n.FSBase, n.fxReady, src.Regs, src.FSBase)
		}
		if !bytes.Equal(alignedFX(&n.fx), img) {
			t.Fatalf("Clone: FXSAVE image differs (source offset %d, clone offset %d)",
				fxImage(uintptr(unsafe.Pointer(&src.fx))), fxImage(uintptr(unsafe.Pointer(&n.fx))))
		}
		if n.xmm0() != src.xmm0() {
			t.Fatalf("Clone: XMM0 %#x, want %#x", n.xmm0(), src.xmm0())
		}
	}
	if len(offsets) != 2 {
		t.Fatalf("the sources' FXSAVE offsets %v: want two different ones", offsets)
	}
	// A context that never ran has no image yet: its clone gets the
	// defaults at its first Run, as a new thread does.
	if n := new(Context).Clone().(*Context); n.fxReady {
		t.Fatal("Clone of a context that never ran has an FXSAVE image")
	}
}
