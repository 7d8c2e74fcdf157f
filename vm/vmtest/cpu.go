package vmtest

import (
	"encoding/binary"
	"errors"

	"github.com/tamach/tamach/pmap"
	"github.com/tamach/tamach/vm"
)

// MMU is the host-simulation hook every pmap the harness runs implements
// (pmap/amd64 and pmap/arm64 in their simulate.go, SoftPmap here): Access
// does what the hardware's table walk does for one access, permission
// checks and referenced/modified (Accessed/Dirty, Access flag/dirty state)
// updates included, and returns the physical address accessed, or false
// where the hardware would fault.
type MMU interface {
	Access(va pmap.VAddr, access pmap.Prot, user bool) (pmap.PAddr, bool)
}

// ErrFaultLoop reports an access that kept faulting although the fault
// handler reported success: a vm or pmap bug.
var ErrFaultLoop = errors.New("vmtest: access still faults after a successful vm fault")

// maxTries bounds the translate-fault-retry loop of one access.
const maxTries = 6

// CPU is a simulated processor running a task (in user mode) in one map: it
// translates every access through the map's pmap with its MMU hook; where
// the hardware would fault it calls Map.Fault and retries, as a kernel's
// trap handler would. Map.Fault resolves the faults a pmap makes to
// emulate referenced and modified bits itself (the vm statistics count
// them as FastFaults).
type CPU struct {
	Mem pmap.Memory
	Map *vm.Map

	// Faults counts the calls this CPU made into Map.Fault.
	Faults int
}

// frame translates va for access and returns the frame and the offset of
// va in it, faulting as needed.
func (c *CPU) frame(va pmap.VAddr, access pmap.Prot) (*[pmap.PageSize]byte, int, error) {
	pm := c.Map.Pmap()
	mmu, ok := pm.(MMU)
	if !ok {
		panic("vmtest: CPU.frame: the pmap has no MMU simulation hook")
	}
	page := va.Trunc()
	for try := 0; try < maxTries; try++ {
		if pa, ok := mmu.Access(page, access, true); ok {
			return c.Mem.Frame(pa.Trunc()), int(va & pmap.PageMask), nil
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
