package tarfs

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
)

// BlockSize is the tar block: headers start on it, data is padded to it
// (IEEE Std 1003.1, pax, "ustar Interchange Format").
const BlockSize = 512

// block is one 512-byte tar block.
type block [BlockSize]byte

// field is a byte range [off, off+len) of a header block.
type field struct{ off, len int }

// Header fields, IEEE Std 1003.1 pax, "ustar Interchange Format", Table
// "ustar Header Block".
var (
	fName     = field{0, 100}
	fSize     = field{124, 12}
	fChksum   = field{148, 8}
	fTypeflag = field{156, 1}
	fMagic    = field{257, 6}
	fVersion  = field{263, 2}
	fPrefix   = field{345, 155}
)

// GNU sparse header fields (GNU tar manual, "Basic Tar Format", struct
// oldgnu_header and struct sparse_header): a flag saying another block of
// sparse map entries follows the header, and the same flag at the end of
// each such block.
var (
	fGNUIsExtended    = field{482, 1}
	fSparseIsExtended = field{504, 1}
)

// Magic and version values: POSIX ustar writes "ustar\x00" "00"; GNU tar's
// own format writes "ustar " " \x00" and uses the prefix field for other
// things (GNU tar manual, "Basic Tar Format").
const (
	magicUSTAR   = "ustar\x00"
	versionUSTAR = "00"
)

// Typeflag values (IEEE Std 1003.1 pax, "ustar Interchange Format";
// 'x' and 'g' from "pax Extended Header"; 'L', 'K', 'S' from the GNU tar
// manual, "Basic Tar Format").
const (
	typeRegular    = '0'
	typeRegularOld = '\x00' // pre-POSIX regular file
	typeLink       = '1'
	typeSymlink    = '2'
	typeChar       = '3'
	typeBlock      = '4'
	typeDir        = '5'
	typeFifo       = '6'
	typeContiguous = '7' // regular file, contiguous where supported
	typePAXLocal   = 'x'
	typePAXGlobal  = 'g'
	typeGNULong    = 'L'
	typeGNULink    = 'K'
	typeGNUSparse  = 'S'
)

// chksumBlank is the value each checksum byte counts as while the checksum
// is computed: "as if [the chksum field] were all <space> characters".
const chksumBlank = ' '

// base256Flag marks a GNU base-256 number in a numeric field's first
// byte; base256Sign is its sign bit (GNU tar manual, "Basic Tar Format").
const (
	base256Flag = 0x80
	base256Sign = 0x40
)

// errNumber is the reason given for an unparsable numeric field.
var errNumber = errors.New("not an octal or base-256 number")

// get returns the bytes of field f.
func (b *block) get(f field) []byte { return b[f.off : f.off+f.len] }

// isZero reports whether b is all zero bytes: an end-of-archive block.
func (b *block) isZero() bool { return *b == block{} }

// checksums returns the unsigned sum of b's bytes with the checksum field
// taken as spaces, and the signed sum some historical tars wrote.
func (b *block) checksums() (unsigned, signed int64) {
	for i, c := range b {
		if i >= fChksum.off && i < fChksum.off+fChksum.len {
			c = chksumBlank
		}
		unsigned += int64(c)
		signed += int64(int8(c))
	}
	return unsigned, signed
}

// checksumOK reports whether b's chksum field matches either sum.
func (b *block) checksumOK() bool {
	want, err := parseNumber(b.get(fChksum))
	if err != nil {
		return false
	}
	u, s := b.checksums()
	return want == u || want == s
}

// hasMagic reports whether b's magic field starts with "ustar", as the
// POSIX and the GNU headers both do: the block was meant as a tar header.
func (b *block) hasMagic() bool {
	return strings.HasPrefix(string(b.get(fMagic)), magicPrefix)
}

// magicPrefix is what the POSIX and GNU magic values share.
const magicPrefix = "ustar"

// isUSTAR reports whether b carries the POSIX ustar magic and version, the
// only format in which the prefix field is part of the name.
func (b *block) isUSTAR() bool {
	return string(b.get(fMagic)) == magicUSTAR && string(b.get(fVersion)) == versionUSTAR
}

// ustarName returns the member name the header block itself holds:
// prefix/name for ustar, the name field otherwise.
func (b *block) ustarName() string {
	name := cString(b.get(fName))
	if b.isUSTAR() {
		if prefix := cString(b.get(fPrefix)); prefix != "" {
			return prefix + "/" + name
		}
	}
	return name
}

// cString returns s up to its first NUL; a field filled to its end has none.
func cString(s []byte) string {
	if i := bytes.IndexByte(s, 0); i >= 0 {
		s = s[:i]
	}
	return string(s)
}

// parseNumber decodes a numeric header field: base-256 if its first byte
// has the high bit set, else octal digits with optional leading spaces and
// NUL or space terminators. An empty field is 0. Negative values are
// errors: tarfs uses numbers only for sizes and checksums.
func parseNumber(f []byte) (int64, error) {
	if len(f) > 0 && f[0]&base256Flag != 0 {
		return parseBase256(f)
	}
	return parseOctal(f)
}

// parseBase256 decodes a GNU base-256 field (see base256Flag).
func parseBase256(f []byte) (int64, error) {
	first := f[0] &^ base256Flag
	if first&base256Sign != 0 {
		return 0, errNumber
	}
	v := int64(first)
	for _, c := range f[1:] {
		if v > (1<<63-1)>>8 {
			return 0, errNumber
		}
		v = v<<8 | int64(c)
	}
	return v, nil
}

// parseOctal decodes an octal field: spaces, digits, then only NULs and
// spaces.
func parseOctal(f []byte) (int64, error) {
	i := 0
	for i < len(f) && f[i] == ' ' {
		i++
	}
	j := i
	for j < len(f) && f[j] >= '0' && f[j] <= '7' {
		j++
	}
	for _, c := range f[j:] {
		if c != 0 && c != ' ' {
			return 0, errNumber
		}
	}
	if i == j {
		return 0, nil
	}
	v, err := strconv.ParseInt(string(f[i:j]), 8, 64)
	if err != nil {
		return 0, errNumber
	}
	return v, nil
}
