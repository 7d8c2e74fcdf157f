package virt

import (
	"encoding/binary"
	"errors"
	"testing"
)

// fdtBuilder writes a flattened device tree (Devicetree Specification
// v0.4, chapter 5) for the tests.
type fdtBuilder struct {
	structs []byte
	strs    []byte
}

func (b *fdtBuilder) u32(v uint32) {
	b.structs = binary.BigEndian.AppendUint32(b.structs, v)
}

func (b *fdtBuilder) pad() {
	for len(b.structs)%4 != 0 {
		b.structs = append(b.structs, 0)
	}
}

func (b *fdtBuilder) begin(name string) {
	b.u32(fdtBeginNode)
	b.structs = append(append(b.structs, name...), 0)
	b.pad()
}

func (b *fdtBuilder) end() { b.u32(fdtEndNode) }

func (b *fdtBuilder) prop(name string, val []byte) {
	b.u32(fdtProp)
	b.u32(uint32(len(val)))
	b.u32(uint32(len(b.strs)))
	b.strs = append(append(b.strs, name...), 0)
	b.structs = append(b.structs, val...)
	b.pad()
}

func cellsOf(vs ...uint32) []byte {
	var out []byte
	for _, v := range vs {
		out = binary.BigEndian.AppendUint32(out, v)
	}
	return out
}

func (b *fdtBuilder) blob() []byte {
	b.u32(fdtEnd)
	hdr := make([]byte, fdtHeaderSize)
	offStruct := uint32(fdtHeaderSize + 16) // an empty memory reservation block
	offStrings := offStruct + uint32(len(b.structs))
	total := offStrings + uint32(len(b.strs))
	be := binary.BigEndian
	be.PutUint32(hdr[0:], fdtMagic)
	be.PutUint32(hdr[4:], total)
	be.PutUint32(hdr[8:], offStruct)
	be.PutUint32(hdr[12:], offStrings)
	be.PutUint32(hdr[16:], fdtHeaderSize)
	be.PutUint32(hdr[20:], 17)
	be.PutUint32(hdr[24:], 16)
	be.PutUint32(hdr[32:], uint32(len(b.strs)))
	be.PutUint32(hdr[36:], uint32(len(b.structs)))
	out := append(hdr, make([]byte, 16)...)
	out = append(out, b.structs...)
	return append(out, b.strs...)
}

// virtTree is shaped like QEMU virt's tree: 2/2 cells at the root, a
// memory node, and other nodes with reg properties that must be ignored.
func virtTree(memBase, memSize uint64) []byte {
	var b fdtBuilder
	b.begin("")
	b.prop("#address-cells", cellsOf(2))
	b.prop("#size-cells", cellsOf(2))
	b.u32(fdtNop)
	b.begin("pl011@9000000")
	b.prop("reg", cellsOf(0, 0x09000000, 0, 0x1000))
	b.end()
	b.begin("memory@40000000")
	b.prop("reg", cellsOf(uint32(memBase>>32), uint32(memBase), uint32(memSize>>32), uint32(memSize)))
	b.prop("device_type", []byte("memory\x00"))
	b.end()
	b.begin("chosen")
	b.begin("nested")
	b.prop("device_type", []byte("memory\x00"))
	b.prop("reg", cellsOf(0, 0, 0, 0x1000))
	b.end()
	b.end()
	b.end()
	return b.blob()
}

func TestFDTMemoryVirt(t *testing.T) {
	blob := virtTree(uint64(RAMBase), 1<<30)
	if size, err := FDTSize(blob); err != nil || int(size) != len(blob) {
		t.Fatalf("FDTSize = %d, %v; want %d", size, err, len(blob))
	}
	ranges, err := FDTMemory(blob)
	if err != nil {
		t.Fatal(err)
	}
	if len(ranges) != 1 || ranges[0] != (MemoryRange{uint64(RAMBase), 1 << 30}) {
		t.Fatalf("ranges = %+v", ranges)
	}
	end, err := RAMEndFrom(ranges)
	if err != nil || end != RAMBase+1<<30 {
		t.Fatalf("RAMEndFrom = %#x, %v", end, err)
	}
}

func TestFDTLargeRAM(t *testing.T) {
	ranges, err := FDTMemory(virtTree(uint64(RAMBase), 8<<30))
	if err != nil {
		t.Fatal(err)
	}
	if end, _ := RAMEndFrom(ranges); end != RAMBase+8<<30 {
		t.Errorf("end %#x", end)
	}
}

func TestRAMEndJoinsRanges(t *testing.T) {
	ranges := []MemoryRange{{0x8000_0000, 1 << 30}, {uint64(RAMBase), 1 << 30}, {0x1_0000_0000, 1 << 30}}
	end, err := RAMEndFrom(ranges)
	if err != nil || end != 0xc000_0000 {
		t.Errorf("RAMEndFrom = %#x, %v; want 0xc0000000 (the gap ends it)", end, err)
	}
	if _, err := RAMEndFrom([]MemoryRange{{0x8000_0000, 1 << 30}}); !errors.Is(err, ErrNoMemNode) {
		t.Errorf("no range at the RAM base: err %v", err)
	}
}

func TestFDTBad(t *testing.T) {
	good := virtTree(uint64(RAMBase), 1<<30)
	if _, err := FDTMemory(good[:10]); !errors.Is(err, ErrNoFDT) {
		t.Errorf("short blob: %v", err)
	}
	if _, err := FDTMemory(good[:len(good)-8]); !errors.Is(err, ErrBadFDT) {
		t.Errorf("truncated blob: %v", err)
	}
	bad := append([]byte(nil), good...)
	binary.BigEndian.PutUint32(bad[fdtHeaderSize+16:], 0x77) // first token
	if _, err := FDTMemory(bad); !errors.Is(err, ErrBadFDT) {
		t.Errorf("bad token: %v", err)
	}
	zero := append([]byte(nil), good...)
	zero[0] = 0
	if _, err := FDTMemory(zero); !errors.Is(err, ErrNoFDT) {
		t.Errorf("bad magic: %v", err)
	}
}

// FuzzFDTMemory checks that no input makes the reader panic or hang.
func FuzzFDTMemory(f *testing.F) {
	f.Add(virtTree(uint64(RAMBase), 1<<30))
	f.Add([]byte{0xd0, 0x0d, 0xfe, 0xed})
	f.Fuzz(func(t *testing.T, blob []byte) {
		ranges, err := FDTMemory(blob)
		if err == nil {
			_, _ = RAMEndFrom(ranges)
		}
	})
}
