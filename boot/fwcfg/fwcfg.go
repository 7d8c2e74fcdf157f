// Package fwcfg reads files from QEMU's firmware configuration device
// (fw_cfg), the channel through which the kernel command line reaches the
// kernel on both boards without rebuilding the image (QEMU option
// `-fw_cfg name=opt/tamach/cmdline,string=...`).
//
// The protocol is described in QEMU's docs/specs/fw_cfg.rst: a 16-bit
// selector register chooses an item, and successive reads of the data
// register return the item's bytes in order. Item FW_CFG_SIGNATURE holds
// "QEMU"; item FW_CFG_FILE_DIR holds a directory of named files. Only the
// register access differs per machine (I/O ports on x86, MMIO on Arm), so a
// board supplies it as a Transport.
package fwcfg

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Selector keys (QEMU docs/specs/fw_cfg.rst, "Selector Register").
const (
	KeySignature = 0x0000 // FW_CFG_SIGNATURE: the 4 bytes "QEMU"
	KeyFileDir   = 0x0019 // FW_CFG_FILE_DIR: the file directory
)

// signature is the content of item KeySignature.
const signature = "QEMU"

// File directory layout (fw_cfg.rst, "FW_CFG_FILE_DIR"): a big-endian 32-bit
// count, then count entries of: size (BE32), select (BE16), reserved (BE16),
// name (56 bytes, NUL-terminated).
const (
	dirCountSize = 4
	dirEntrySize = 64
	dirNameSize  = 56
)

// maxFiles bounds the directory walk so a corrupt count cannot make the
// kernel spin; QEMU's own limit (FW_CFG_FILE_SLOTS_DFLT) is 32.
const maxFiles = 4096

// Transport is the machine's access to the two fw_cfg registers.
type Transport interface {
	// Select writes key to the selector register, which also rewinds
	// the data offset to zero.
	Select(key uint16)

	// Read fills p from successive reads of the data register.
	Read(p []byte)
}

// Errors returned by ReadFile.
var (
	ErrNoDevice = errors.New("fwcfg: no QEMU fw_cfg device (bad signature)")
	ErrNotFound = errors.New("fwcfg: no such file")
)

// Present reports whether a fw_cfg device answers with QEMU's signature.
func Present(t Transport) bool {
	var sig [len(signature)]byte
	t.Select(KeySignature)
	t.Read(sig[:])
	return string(sig[:]) == signature
}

// File is one entry of the fw_cfg file directory.
type File struct {
	Name   string
	Size   uint32
	Select uint16
}

// Lookup finds the named file in the directory.
func Lookup(t Transport, name string) (File, error) {
	if !Present(t) {
		return File{}, ErrNoDevice
	}
	var hdr [dirCountSize]byte
	t.Select(KeyFileDir)
	t.Read(hdr[:])
	n := binary.BigEndian.Uint32(hdr[:])
	if n > maxFiles {
		return File{}, fmt.Errorf("fwcfg: directory claims %d files", n)
	}
	var e [dirEntrySize]byte
	for i := uint32(0); i < n; i++ {
		t.Read(e[:])
		f := parseEntry(e[:])
		if f.Name == name {
			return f, nil
		}
	}
	return File{}, fmt.Errorf("%w: %s", ErrNotFound, name)
}

// parseEntry decodes one directory entry.
func parseEntry(e []byte) File {
	raw := e[8 : 8+dirNameSize]
	end := 0
	for end < len(raw) && raw[end] != 0 {
		end++
	}
	return File{
		Size:   binary.BigEndian.Uint32(e[0:4]),
		Select: binary.BigEndian.Uint16(e[4:6]),
		Name:   string(raw[:end]),
	}
}

// ReadFile returns the contents of the named file.
func ReadFile(t Transport, name string) ([]byte, error) {
	f, err := Lookup(t, name)
	if err != nil {
		return nil, err
	}
	buf := make([]byte, f.Size)
	t.Select(f.Select)
	t.Read(buf)
	return buf, nil
}
