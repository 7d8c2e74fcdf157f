package vmtest

import (
	"encoding/binary"
	"errors"

	"github.com/tamach/tamach/pmap"
	"github.com/tamach/tamach/vm"
)

// AccessBits is implemented by a pmap whose page-table format has
// hardware-managed referenced and modified bits (x86-64 A/D, SDM Vol. 3A
// §4.8; Arm FEAT_HAFDBS, Arm ARM D8.5): the simulated CPU calls Touch after
// every access it makes through such a pmap, as the MMU would set the bits.
type AccessBits interface {
	Touch(va pmap.VAddr, access pmap.Prot)
}

// ErrFaultLoop reports an access that kept faulting although the fault
// handler reported success: a vm or pmap bug.
var ErrFaultLoop = errors.New("vmtest: access still faults after a successful vm fault")

// maxTries bounds the translate-fault-retry loop of one access.
const maxTries = 6

// CPU is a simulated processor running a task in one map: it translates
// every access through the map's pmap (Extract); on a miss or a protection
// mismatch it first asks the pmap (FastFault, the referenced/modified
// emulation trap) and then the vm fault handler, and retries, as hardware
// and a kernel's trap handler would.
type CPU struct {
	Mem pmap.Memory
	Map *vm.Map

	// Faults counts calls into the vm fault handler; FastFaults the
	// faults the pmap resolved itself.
	Faults, FastFaults int
}

// frame translates va for access and returns the frame and the offset of
// va in it, faulting as needed.
func (c *CPU) frame(va pmap.VAddr, access pmap.Prot) (*[pmap.PageSize]byte, int, error) {
	pm := c.Map.Pmap()
	page := va.Trunc()
	for try := 0; try < maxTries; try++ {
		pa, prot, ok := pm.Extract(page)
		if ok && prot.Allows(access) {
			if hw, isHW := pm.(AccessBits); isHW {
				hw.Touch(page, access)
			}
			return c.Mem.Frame(pa.Trunc()), int(va & pmap.PageMask), nil
		}
		if pm.FastFault(page, access) {
			c.FastFaults++
			continue
		}
		c.Faults++
		if err := c.Map.Fault(page, access); err != nil {
			return nil, 0, err
		}
	}
	return nil, 0, ErrFaultLoop
}

// Load8 loads the byte at va.
func (c *CPU) Load8(va pmap.VAddr) (byte, error) {
	f, off, err := c.frame(va, pmap.ProtRead)
	if err != nil {
		return 0, err
	}
	return f[off], nil
}

// Store8 stores b at va.
func (c *CPU) Store8(va pmap.VAddr, b byte) error {
	f, off, err := c.frame(va, pmap.ProtWrite)
	if err != nil {
		return err
	}
	f[off] = b
	return nil
}

// Load64 loads the little-endian word at va, which may cross a page.
func (c *CPU) Load64(va pmap.VAddr) (uint64, error) {
	var b [8]byte
	if err := c.Read(va, b[:]); err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint64(b[:]), nil
}

// Store64 stores the little-endian word w at va.
func (c *CPU) Store64(va pmap.VAddr, w uint64) error {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], w)
	return c.Write(va, b[:])
}

// Read loads len(buf) bytes from va, a page at a time.
func (c *CPU) Read(va pmap.VAddr, buf []byte) error {
	for len(buf) > 0 {
		f, off, err := c.frame(va, pmap.ProtRead)
		if err != nil {
			return err
		}
		n := copy(buf, f[off:])
		buf, va = buf[n:], va+pmap.VAddr(n)
	}
	return nil
}

// Write stores buf at va, a page at a time.
func (c *CPU) Write(va pmap.VAddr, buf []byte) error {
	for len(buf) > 0 {
		f, off, err := c.frame(va, pmap.ProtWrite)
		if err != nil {
			return err
		}
		n := copy(f[off:], buf)
		buf, va = buf[n:], va+pmap.VAddr(n)
	}
	return nil
}
