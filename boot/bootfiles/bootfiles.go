// Package bootfiles is how a board without QEMU's fw_cfg gets the kernel
// command line and the files `make qemu RUN=file` passes (Board.Cmdline,
// Board.ReadFile): the host puts a small tar archive, the boot-files
// archive, at a fixed address in RAM before the kernel runs, and the board
// reads it in place.
//
// Under QEMU the Makefile loads the archive with the generic loader
// (-device loader,file=...,addr=...,force-raw=on; QEMU
// docs/system/generic-loader.rst); on a real board U-Boot's load, fatload
// or tftpboot puts the same file at the same address (docs/boards.md). The
// members are named like the fw_cfg files on the other boards:
//
//	opt/tamach/cmdline   the kernel command line (text)
//	opt/tamach/run       the ELF of make qemu RUN=path
//
// The archive is POSIX ustar (POSIX.1-2017, pax "ustar Interchange
// Format"): 512-byte headers with octal sizes and a checksum, each file's
// data padded to 512 bytes, two zero blocks at the end; cmd/mkimage
// -bootfiles writes one with Go's archive/tar. Parse reads one from memory
// and checks every header's checksum, so RAM that holds anything else
// (garbage, zeroes) reads as no archive, or a damaged one, and never as
// files.
package bootfiles

import (
	"bytes"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Names of the members the kernel asks for.
const (
	CmdlineFile = "opt/tamach/cmdline"
	RunFile     = "opt/tamach/run"
)

// Errors of Parse and ReadFile.
var (
	// ErrNone: the memory does not start with a ustar header (empty RAM,
	// or anything else): no boot files were loaded.
	ErrNone = errors.New("bootfiles: no boot-files archive")
	// ErrNotFound: the archive has no member of that name.
	ErrNotFound = errors.New("bootfiles: no such file")
	// ErrDamaged: the archive starts like one but a header is wrong.
	ErrDamaged = errors.New("bootfiles: damaged boot-files archive")
)

// ustar header fields (POSIX.1-2017, "ustar Interchange Format": name
// [0,100), size [124,136) octal, chksum [148,156) octal, typeflag 156,
// magic "ustar" at 257, prefix [345,500)).
const (
	blockSize   = 512
	offName     = 0
	lenName     = 100
	offSize     = 124
	lenSize     = 12
	offChksum   = 148
	lenChksum   = 8
	offTypeflag = 156
	offMagic    = 257
	offPrefix   = 345
	lenPrefix   = 155
	typeReg     = '0'
	typeRegOld  = 0 // a NUL typeflag is a regular file too
)

// Files is a parsed boot-files archive: each member's data, in the memory
// it was parsed from.
type Files struct {
	files map[string][]byte
	size  int // bytes of the archive up to its end blocks
}

// IsHeader reports whether block starts like a ustar header: the magic
// "ustar" at offset 257 (the checksum is not checked).
func IsHeader(block []byte) bool {
	return len(block) >= offMagic+5 && string(block[offMagic:offMagic+5]) == "ustar"
}

// Parse reads the archive at the start of mem. It returns ErrNone when mem
// does not start with a ustar header, and an error wrapping ErrDamaged when
// a header's checksum or size is wrong or the archive runs past mem. The
// files' data are not copied: they stay slices of mem.
func Parse(mem []byte) (*Files, error) {
	if len(mem) < blockSize || !IsHeader(mem) {
		return nil, ErrNone
	}
	f := &Files{files: map[string][]byte{}}
	off := 0
	for {
		if off+blockSize > len(mem) {
			return nil, fmt.Errorf("%w: no end blocks within %d bytes", ErrDamaged, len(mem))
		}
		h := mem[off : off+blockSize]
		if allZero(h) {
			f.size = off
			return f, nil
		}
		if err := checkSum(h); err != nil {
			return nil, fmt.Errorf("%w: header at offset %d: %v", ErrDamaged, off, err)
		}
		size, err := octal(h[offSize : offSize+lenSize])
		if err != nil {
			return nil, fmt.Errorf("%w: header at offset %d: size: %v", ErrDamaged, off, err)
		}
		data := off + blockSize
		if size > uint64(len(mem)-data) {
			return nil, fmt.Errorf("%w: %q of %d bytes runs past the %d-byte region", ErrDamaged, name(h), size, len(mem))
		}
		if t := h[offTypeflag]; t == typeReg || t == typeRegOld {
			f.files[name(h)] = mem[data : data+int(size)]
		}
		off = data + int((size+blockSize-1)/blockSize*blockSize)
	}
}

// ReadFile returns the data of member name (ErrNotFound if there is none).
func (f *Files) ReadFile(name string) ([]byte, error) {
	b, ok := f.files[name]
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, name)
	}
	return b, nil
}

// Names lists the members, sorted.
func (f *Files) Names() []string {
	var ns []string
	for n := range f.files {
		ns = append(ns, n)
	}
	sort.Strings(ns)
	return ns
}

// Size is the archive's length in bytes, without its end blocks.
func (f *Files) Size() int { return f.size }

// Cmdline returns the command line member without trailing newlines and
// NULs, or "" when the archive has none.
func (f *Files) Cmdline() string {
	return strings.TrimRight(string(f.files[CmdlineFile]), "\x00\n")
}

// name joins a header's prefix and name fields.
func name(h []byte) string {
	n := cstring(h[offName : offName+lenName])
	if p := cstring(h[offPrefix : offPrefix+lenPrefix]); p != "" {
		return p + "/" + n
	}
	return n
}

func cstring(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return string(b)
}

// octal parses a NUL- or space-terminated octal field.
func octal(b []byte) (uint64, error) {
	s := strings.TrimRight(strings.TrimLeft(cstring(b), " "), " ")
	if s == "" {
		return 0, nil
	}
	return strconv.ParseUint(s, 8, 63)
}

// checkSum verifies the header checksum: the sum of the header's bytes as
// unsigned values, the checksum field counted as eight spaces.
func checkSum(h []byte) error {
	want, err := octal(h[offChksum : offChksum+lenChksum])
	if err != nil {
		return fmt.Errorf("checksum field: %v", err)
	}
	var sum uint64
	for i, c := range h {
		if i >= offChksum && i < offChksum+lenChksum {
			c = ' '
		}
		sum += uint64(c)
	}
	if sum != want {
		return fmt.Errorf("checksum %d, header sums to %d", want, sum)
	}
	return nil
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// File is one member of an archive a host tool writes (cmd/mkimage).
type File struct {
	Name string
	Data []byte
}
