package virt

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
)

// The flattened device tree QEMU writes for the machine (at the start of
// RAM when it fits below the image, bootReserve) is where the RAM size
// comes from: QEMU's virt has no fw_cfg RAM-size item. Format: Devicetree
// Specification v0.4, chapter 5 "Flattened Devicetree (DTB) Format".

// FDT header fields (§5.2) and structure tokens (§5.4.1), all big-endian.
const (
	fdtMagic      = 0xd00dfeed
	fdtHeaderSize = 40
	fdtBeginNode  = 0x1
	fdtEndNode    = 0x2
	fdtProp       = 0x3
	fdtNop        = 0x4
	fdtEnd        = 0x9

	// Defaults of #address-cells and #size-cells (§2.3.5).
	fdtDefaultAddressCells = 2
	fdtDefaultSizeCells    = 1
)

// Errors of the device tree reader.
var (
	ErrNoFDT     = errors.New("virt: no flattened device tree (bad magic)")
	ErrBadFDT    = errors.New("virt: malformed flattened device tree")
	ErrNoMemNode = errors.New("virt: device tree has no memory node at the RAM base")
)

// FDTSize returns the total size the header at the start of hdr claims,
// or ErrNoFDT.
func FDTSize(hdr []byte) (uint32, error) {
	if len(hdr) < fdtHeaderSize || binary.BigEndian.Uint32(hdr) != fdtMagic {
		return 0, ErrNoFDT
	}
	return binary.BigEndian.Uint32(hdr[4:]), nil
}

// fdtReader walks the structure block.
type fdtReader struct {
	blob    []byte
	off     int // into the structure block
	structs []byte
	strings []byte
}

func newFDTReader(blob []byte) (*fdtReader, error) {
	size, err := FDTSize(blob)
	if err != nil {
		return nil, err
	}
	if int(size) > len(blob) {
		return nil, fmt.Errorf("%w: size %d beyond the %d bytes given", ErrBadFDT, size, len(blob))
	}
	be := binary.BigEndian
	offStruct, offStrings := be.Uint32(blob[8:]), be.Uint32(blob[12:])
	sizeStrings, sizeStruct := be.Uint32(blob[32:]), be.Uint32(blob[36:])
	if uint64(offStruct)+uint64(sizeStruct) > uint64(size) || uint64(offStrings)+uint64(sizeStrings) > uint64(size) {
		return nil, fmt.Errorf("%w: blocks outside the blob", ErrBadFDT)
	}
	return &fdtReader{
		blob:    blob,
		structs: blob[offStruct : offStruct+sizeStruct],
		strings: blob[offStrings : offStrings+sizeStrings],
	}, nil
}

func (r *fdtReader) u32() (uint32, error) {
	if r.off+4 > len(r.structs) {
		return 0, fmt.Errorf("%w: structure block ends early", ErrBadFDT)
	}
	v := binary.BigEndian.Uint32(r.structs[r.off:])
	r.off += 4
	return v, nil
}

// cstring reads a NUL-terminated string at r.off and aligns to 4 bytes.
func (r *fdtReader) cstring() (string, error) {
	end := r.off
	for end < len(r.structs) && r.structs[end] != 0 {
		end++
	}
	if end >= len(r.structs) {
		return "", fmt.Errorf("%w: unterminated node name", ErrBadFDT)
	}
	s := string(r.structs[r.off:end])
	r.off = (end + 1 + 3) &^ 3
	return s, nil
}

// prop reads a property after its token: name and value.
func (r *fdtReader) prop() (string, []byte, error) {
	n, err := r.u32()
	if err != nil {
		return "", nil, err
	}
	nameOff, err := r.u32()
	if err != nil {
		return "", nil, err
	}
	if r.off+int(n) > len(r.structs) || int(nameOff) >= len(r.strings) {
		return "", nil, fmt.Errorf("%w: property outside its block", ErrBadFDT)
	}
	val := r.structs[r.off : r.off+int(n)]
	r.off = (r.off + int(n) + 3) &^ 3
	name := r.strings[nameOff:]
	if i := strings.IndexByte(string(name), 0); i >= 0 {
		name = name[:i]
	}
	return string(name), val, nil
}

// MemoryRange is one (address, size) pair of a memory node's reg.
type MemoryRange struct {
	Base, Size uint64
}

// FDTMemory returns the reg ranges of the device tree's memory nodes
// (top-level nodes with device_type "memory", §3.4), decoded with the root
// node's #address-cells and #size-cells.
func FDTMemory(blob []byte) ([]MemoryRange, error) {
	r, err := newFDTReader(blob)
	if err != nil {
		return nil, err
	}
	addrCells, sizeCells := uint32(fdtDefaultAddressCells), uint32(fdtDefaultSizeCells)
	var ranges []MemoryRange
	depth := 0
	var isMemory bool
	var reg []byte
	for {
		tok, err := r.u32()
		if err != nil {
			return nil, err
		}
		switch tok {
		case fdtBeginNode:
			if _, err := r.cstring(); err != nil {
				return nil, err
			}
			depth++
			isMemory, reg = false, nil
		case fdtEndNode:
			if depth == 2 && isMemory {
				rs, err := decodeReg(reg, addrCells, sizeCells)
				if err != nil {
					return nil, err
				}
				ranges = append(ranges, rs...)
			}
			depth--
			isMemory = false
		case fdtProp:
			name, val, err := r.prop()
			if err != nil {
				return nil, err
			}
			switch {
			case depth == 1 && name == "#address-cells" && len(val) == 4:
				addrCells = binary.BigEndian.Uint32(val)
			case depth == 1 && name == "#size-cells" && len(val) == 4:
				sizeCells = binary.BigEndian.Uint32(val)
			case depth == 2 && name == "device_type":
				isMemory = strings.TrimRight(string(val), "\x00") == "memory"
			case depth == 2 && name == "reg":
				reg = val
			}
		case fdtNop:
		case fdtEnd:
			return ranges, nil
		default:
			return nil, fmt.Errorf("%w: token %#x", ErrBadFDT, tok)
		}
	}
}

// decodeReg splits a reg property into ranges.
func decodeReg(reg []byte, addrCells, sizeCells uint32) ([]MemoryRange, error) {
	if addrCells == 0 || addrCells > 2 || sizeCells == 0 || sizeCells > 2 {
		return nil, fmt.Errorf("%w: #address-cells %d, #size-cells %d", ErrBadFDT, addrCells, sizeCells)
	}
	stride := int(4 * (addrCells + sizeCells))
	if len(reg)%stride != 0 {
		return nil, fmt.Errorf("%w: reg of %d bytes", ErrBadFDT, len(reg))
	}
	var out []MemoryRange
	for len(reg) > 0 {
		base := cells(reg[:4*addrCells])
		size := cells(reg[4*addrCells : stride])
		out = append(out, MemoryRange{Base: base, Size: size})
		reg = reg[stride:]
	}
	return out, nil
}

func cells(b []byte) uint64 {
	var v uint64
	for len(b) >= 4 {
		v = v<<32 | uint64(binary.BigEndian.Uint32(b))
		b = b[4:]
	}
	return v
}

// RAMEndFrom returns the end of the RAM that starts at RAMBase, from the
// memory ranges of a device tree (joining ranges that touch).
func RAMEndFrom(ranges []MemoryRange) (PAddr, error) {
	end := uint64(RAMBase)
	found := false
	for grew := true; grew; {
		grew = false
		for _, m := range ranges {
			if m.Base <= end && m.Base+m.Size > end && (found || m.Base == uint64(RAMBase)) {
				end, found, grew = m.Base+m.Size, true, true
			}
		}
	}
	if !found {
		return 0, ErrNoMemNode
	}
	return PAddr(end), nil
}
