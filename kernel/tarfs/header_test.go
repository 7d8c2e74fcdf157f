package tarfs

import (
	"bytes"
	"math/rand"
	"strings"
	"testing"
)

func TestParseNumber(t *testing.T) {
	for _, c := range []struct {
		field string
		want  int64
		ok    bool
	}{
		{"00000001750\x00", 1000, true},
		{"0000644\x00", 0o644, true},
		{"   17 \x00\x00", 0o17, true},
		{"017 ", 0o17, true},
		{"\x00\x00\x00\x00", 0, true},
		{"", 0, true},
		{"        ", 0, true},
		{"12 3", 0, false},
		{"0008", 0, false},
		{"-17", 0, false},
		{"777777777777777777777777", 0, false}, // overflows int64
		{"\x80\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00", 256, true},
		{"\x80\x00\x00\x00\x02\x00\x00\x00\x00\x00\x00\x00", 2 << 56, true},
		{"\x80\x00\x00\x02\x00\x00\x00\x00\x00\x00\x00\x00", 0, false}, // 2^65
		{"\x81" + strings.Repeat("\x00", 11), 0, false},                // 2^88 overflows
		{"\xff" + strings.Repeat("\xff", 11), 0, false},                // -1
		{"\xc0" + strings.Repeat("\x00", 11), 0, false},                // negative
	} {
		got, err := parseNumber([]byte(c.field))
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("parseNumber(%q) = %d, %v; want %d, ok %v", c.field, got, err, c.want, c.ok)
		}
	}
}

func TestParsePAX(t *testing.T) {
	var p paxAttrs
	data := paxData("mtime", "1700000000.5", "path", "a/b.elf", "size", "12345", "SCHILY.xattr.x", "v=w\nz")
	if err := parsePAX(data, &p); err != nil {
		t.Fatalf("parsePAX(%q): %v", data, err)
	}
	if !p.hasPath || p.path != "a/b.elf" || !p.hasSize || p.size != 12345 || p.sparse {
		t.Errorf("parsePAX(%q) = %+v", data, p)
	}
	if err := parsePAX(paxData("path", "", "size", ""), &p); err != nil || p.hasPath || p.hasSize {
		t.Errorf("empty values did not cancel: %+v, %v", p, err)
	}
	if err := parsePAX(paxData("GNU.sparse.major", "1"), &p); err != nil || !p.sparse {
		t.Errorf("GNU.sparse record not noticed: %+v, %v", p, err)
	}
	for _, bad := range []string{" path=x\n", "0 \n", "3 x\n", "12 path=x\n", "8 path=x\n", "9 path=x ", "8 =xyz\n", "13 size=0x10\n"} {
		var q paxAttrs
		if err := parsePAX([]byte(bad), &q); err == nil {
			t.Errorf("parsePAX(%q) accepted", bad)
		}
	}
}

func TestSkippedKinds(t *testing.T) {
	var img []byte
	// A symbolic link whose size field is not zero has no data all the same.
	img = append(img, rawEntry(rawHeader("sym", typeSymlink, 5000), nil)...)
	// An old GNU sparse member with one extension block of map entries.
	sp := rawHeader("sparse", typeGNUSparse, 600)
	sp[fGNUIsExtended.off] = 1
	setChecksum(&sp)
	var ext block
	img = append(img, sp[:]...)
	img = append(img, ext[:]...)
	img = append(img, rawEntry(block{}, make([]byte, 600))[BlockSize:]...)
	// A pax 1.0 sparse member: indexed by nobody.
	pax := paxData("GNU.sparse.major", "1", "GNU.sparse.minor", "0", "GNU.sparse.name", "s.elf")
	img = append(img, rawEntry(rawHeader("x", typePAXLocal, int64(len(pax))), pax)...)
	img = append(img, rawEntry(rawHeader("GNUSparseFile.0/s.elf", typeRegular, 3), []byte("map"))...)
	// A volume label and a character device.
	img = append(img, rawEntry(rawHeader("label", 'V', 0), nil)...)
	img = append(img, rawEntry(rawHeader("tty", typeChar, 0), nil)...)
	img = append(img, rawEntry(rawHeader("real.elf", typeRegular, 4), []byte("real"))...)
	img = append(img, endBlocks...)
	a, _ := mustOpen(t, padPages(img))
	checkContents(t, a, map[string][]byte{"real.elf": []byte("real")}, rand.New(rand.NewSource(2)))
}

func TestUSTARPrefixOnlyForUSTAR(t *testing.T) {
	h := rawHeader("name.elf", typeRegular, 0)
	copy(h.get(fPrefix), "dir")
	if got := h.ustarName(); got != "dir/name.elf" {
		t.Errorf("ustar name %q", got)
	}
	copy(h.get(fMagic), "ustar ")
	copy(h.get(fVersion), " \x00")
	if got := h.ustarName(); got != "name.elf" {
		t.Errorf("GNU name %q: prefix field is not a prefix there", got)
	}
	full := bytes.Repeat([]byte{'a'}, fName.len)
	copy(h.get(fName), full)
	if got := h.ustarName(); got != string(full) {
		t.Errorf("unterminated name %q", got)
	}
}
