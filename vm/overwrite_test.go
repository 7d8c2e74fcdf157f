package vm_test

import (
	"bytes"
	"testing"

	"github.com/tamach/tamach/vm"
	"github.com/tamach/tamach/vm/vmtest"
)

// fill stores a byte pattern (seed+i) over [addr, addr+n).
func fill(t *testing.T, cpu *vmtest.CPU, addr vm.VAddr, n int, seed byte) []byte {
	t.Helper()
	b := make([]byte, n)
	for i := range b {
		b[i] = seed + byte(i*7)
	}
	if err := cpu.Write(addr, b); err != nil {
		t.Fatal(err)
	}
	return b
}

func readBack(t *testing.T, cpu *vmtest.CPU, addr vm.VAddr, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	if err := cpu.Read(addr, b); err != nil {
		t.Fatal(err)
	}
	return b
}

// TestPartialPageOverwrite: vm_write, vm_copy and vm_read_overwrite into a
// destination range that does not start or end on a page boundary change
// the requested bytes only. XNU copies the unaligned head and tail of the
// destination separately (osfmk/vm/vm_map.c vm_map_copy_overwrite, which
// splits off head and tail copies before vm_map_copy_overwrite_nested);
// only whole pages in the middle may have their entries replaced.
// Regression test for issue 11 (1a): whole destination pages were replaced,
// zeroing the rest of a page after a short vm_write and writing source
// bytes past the ends of an unaligned vm_copy.
func TestPartialPageOverwrite(t *testing.T) {
	type call func(m, other *vm.Map, src, dst vm.VAddr, n uint64) error
	calls := map[string]call{
		"vm_copy": func(m, _ *vm.Map, src, dst vm.VAddr, n uint64) error { return m.Copy(src, n, dst) },
		"vm_read_overwrite": func(m, other *vm.Map, src, dst vm.VAddr, n uint64) error {
			_, err := other.ReadOverwrite(src, n, m, dst)
			return err
		},
		"vm_write": func(m, other *vm.Map, src, dst vm.VAddr, n uint64) error {
			c, err := other.Read(src, n)
			if err != nil {
				return err
			}
			return m.Write(dst, c)
		},
	}
	// Ranges: the destination offset within its page equals the
	// source's, so that whole middle pages may be replaced, or differs.
	ranges := []struct {
		name           string
		srcOff, dstOff vm.VAddr
		n              uint64
	}{
		{"100 bytes at a page start", 0, 0, 100},
		{"100 bytes mid-page", 0x300, 0x300, 100},
		{"page and a half from a page start", 0, 0, page + page/2},
		{"unaligned both ends, 3 pages", 0x10, 0x10, 3*page - 0x30},
		{"unaligned both ends, offsets differ", 0x20, 0x810, 2*page + 5},
		{"tail unaligned", page / 2, page / 2, page / 2 * 5},
	}
	for name, do := range calls {
		for _, r := range ranges {
			t.Run(name+"/"+r.name, func(t *testing.T) {
				env := newEnv(t, vmtest.Options{})
				m, other := newMap(t, env), newMap(t, env)
				cpu, ocpu := env.CPU(m), env.CPU(other)
				const span = 8 * page
				dstBase, _ := m.Allocate(0, span, vm.FlagsAnywhere)
				var srcBase vm.VAddr
				var srcCPU *vmtest.CPU
				if name == "vm_copy" {
					srcBase, srcCPU = dstBase+4*page, cpu
				} else {
					srcBase, _ = other.Allocate(0, span, vm.FlagsAnywhere)
					srcCPU = ocpu
				}
				srcData := fill(t, srcCPU, srcBase, 4*page, 0x11)
				before := fill(t, cpu, dstBase, 4*page, 0x80)
				src, dst := srcBase+r.srcOff, dstBase+page+r.dstOff
				if err := do(m, other, src, dst, r.n); err != nil {
					t.Fatal(err)
				}
				want := append([]byte(nil), before...)
				copy(want[page+r.dstOff:], srcData[r.srcOff:r.srcOff+vm.VAddr(r.n)])
				got := readBack(t, cpu, dstBase, 4*page)
				if !bytes.Equal(got, want) {
					for i := range got {
						if got[i] != want[i] {
							t.Fatalf("byte %#x of the destination is %#x, want %#x (range [%#x, %#x))",
								i, got[i], want[i], uint64(page+r.dstOff), uint64(page+r.dstOff)+r.n)
						}
					}
				}
				check(t, env)
				m.Destroy()
				other.Destroy()
				if err := env.CheckEmpty(); err != nil {
					t.Fatal(err)
				}
			})
		}
	}
}

// TestPartialPageWriteFromBytes: a vm_write of 100 bytes made from kernel
// data (CopyFromBytes, Mach's kernel-buffer copy) keeps the rest of the
// destination page.
func TestPartialPageWriteFromBytes(t *testing.T) {
	env := newEnv(t, vmtest.Options{})
	m := newMap(t, env)
	cpu := env.CPU(m)
	addr, _ := m.Allocate(0, 2*page, vm.FlagsAnywhere)
	before := fill(t, cpu, addr, 2*page, 0x40)
	data := bytes.Repeat([]byte{0xEE}, 100)
	c, err := env.VM.CopyFromBytes(data)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Write(addr, c); err != nil {
		t.Fatal(err)
	}
	want := append([]byte(nil), before...)
	copy(want, data)
	if got := readBack(t, cpu, addr, 2*page); !bytes.Equal(got, want) {
		t.Fatalf("vm_write of 100 bytes changed bytes past them: byte 100 is %#x, want %#x", got[100], want[100])
	}
	check(t, env)
	m.Destroy()
	if err := env.CheckEmpty(); err != nil {
		t.Fatal(err)
	}
}
