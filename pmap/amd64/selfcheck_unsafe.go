//go:build tamago && amd64

package amd64

import (
	"errors"
	"fmt"
	"unsafe"

	"github.com/tamach/tamach/pmap"
)

// Range is one physical range [Start, End) of the kernel's identity map;
// Device ranges are mapped uncached.
type Range struct {
	Start, End pmap.PAddr
	Device     bool
}

// selfCheckVA is where SelfCheck maps its test page: the first page of the
// upper half, which no identity map reaches.
const selfCheckVA = upperStart

// Test patterns SelfCheck writes into its two frames.
const (
	patternF = 0x5a5a_0f0f_1234_5678
	patternG = 0xa5a5_f0f0_8765_4321
	patternW = 0x0123_4567_89ab_cdef
)

// errSelfCheck reports what SelfCheck saw through the MMU.
var errSelfCheck = errors.New("amd64: MMU self-check")

// SelfCheck runs the pmap through the real MMU: it turns on NX and PCIDs,
// builds two kernel spaces that identity-map identity and map a test page at
// selfCheckVA to two different frames, and checks by loads and stores through
// that address that Activate (MOV to CR3, with PCID and INVPCID when
// present), Enter's INVLPG, and the processor's Dirty bit behave as the pmap
// expects. It loads the CR3 it found before it returns and gives back every
// frame it took.
//
// Precondition: identity covers everything the running kernel touches (its
// image, heap, stacks, page-table frames and devices); interrupts are masked.
func SelfCheck(frames pmap.Frames, identity []Range) (note string, err error) {
	cpu := NewHardwareCPU()
	feat := cpu.Enable()
	sys, err := New(Config{Memory: pmap.Identity{}, Frames: frames, CPU: cpu})
	if err != nil {
		return "", err
	}
	f, okF := frames.AllocFrame()
	g, okG := frames.AllocFrame()
	if !okF || !okG {
		return "", pmap.ErrNoFrames
	}
	k1, k2, err := selfCheckSpaces(sys, identity, f, g)
	if err != nil {
		return "", err
	}
	old := readCR3()
	defer func() {
		writeCR3(old)
		sys.active = nil
		k1.Destroy()
		k2.Destroy()
		frames.FreeFrame(f)
		frames.FreeFrame(g)
	}()
	if err := selfCheckRun(k1, k2, f, g); err != nil {
		return "", err
	}
	return fmt.Sprintf("PCID %v, INVPCID %v, NX %v, 1 GiB pages %v, MAXPHYADDR %d",
		feat.PCID, feat.INVPCID, feat.NX, feat.Page1G, sys.physBits), nil
}

// selfCheckSpaces builds the two kernel spaces of SelfCheck and fills the
// test frames.
func selfCheckSpaces(sys *System, identity []Range, f, g pmap.PAddr) (*Space, *Space, error) {
	wordAt(pmap.Identity{}.Frame(f), 0).store(patternF)
	wordAt(pmap.Identity{}.Frame(g), 0).store(patternG)
	var spaces [2]*Space
	for i, pa := range [2]pmap.PAddr{f, g} {
		s, err := sys.NewSpace(pmap.KindKernel)
		if err != nil {
			return nil, nil, err
		}
		spaces[i] = s
		for _, r := range identity {
			flags := pmap.Wired
			if r.Device {
				flags |= pmap.Device
			}
			if err := s.MapRange(pmap.VAddr(r.Start), r.Start, uint64(r.End-r.Start), pmap.ProtAll, flags); err != nil {
				return nil, nil, err
			}
		}
		if err := s.Enter(selfCheckVA, pa, pmap.ProtRead|pmap.ProtWrite, 0); err != nil {
			return nil, nil, err
		}
	}
	return spaces[0], spaces[1], nil
}

// selfCheckRun is the sequence of loads and stores SelfCheck makes.
func selfCheckRun(k1, k2 *Space, f, g pmap.PAddr) error {
	va := uintptr(selfCheckVA)
	test := wordAt((*[pmap.PageSize]byte)(unsafe.Add(unsafe.Pointer(nil), va)), 0)
	k1.Activate()
	if v := test.load(); v != patternF {
		return fmt.Errorf("%w: after Activate, %v reads %#x, want %#x", errSelfCheck, selfCheckVA, v, uint64(patternF))
	}
	test.store(patternW)
	if v := wordAt(pmap.Identity{}.Frame(f), 0).load(); v != patternW {
		return fmt.Errorf("%w: store through %v did not reach %v", errSelfCheck, selfCheckVA, f)
	}
	if leaf, _ := k1.lookup(selfCheckVA); leaf == nil || *leaf&(entryA|entryD) != entryA|entryD {
		return fmt.Errorf("%w: the MMU did not set Accessed and Dirty (§4.8)", errSelfCheck)
	}
	test.store(patternF)
	if err := k1.Enter(selfCheckVA, g, pmap.ProtRead|pmap.ProtWrite, 0); err != nil {
		return err
	}
	if v := test.load(); v != patternG {
		return fmt.Errorf("%w: after Enter of another frame, %#x: INVLPG did not drop the old translation", errSelfCheck, v)
	}
	if err := k1.Enter(selfCheckVA, f, pmap.ProtRead|pmap.ProtWrite, 0); err != nil {
		return err
	}
	k2.Activate()
	if v := test.load(); v != patternG {
		return fmt.Errorf("%w: after switching spaces, %#x, want %#x", errSelfCheck, v, uint64(patternG))
	}
	k1.Activate()
	if v := test.load(); v != patternF {
		return fmt.Errorf("%w: after switching back, %#x, want %#x", errSelfCheck, v, uint64(patternF))
	}
	return nil
}

// word is one 8-byte word of memory, read and written with volatile-like
// single accesses.
type word struct{ p *uint64 }

// wordAt returns the i-th word of frame.
func wordAt(frame *[pmap.PageSize]byte, i int) word {
	return word{(*uint64)(unsafe.Pointer(&frame[i*8]))}
}

func (w word) load() uint64   { return *w.p }
func (w word) store(v uint64) { *w.p = v }
