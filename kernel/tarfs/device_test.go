package tarfs

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"math/rand"
	"strconv"
	"sync/atomic"
	"testing"
)

// errInjected is the error memDevice returns for its failing page.
var errInjected = errors.New("injected device error")

// memDevice is a Device over pages in memory. It counts ReadPage calls and
// fails the read of page fail when fail >= 0.
type memDevice struct {
	pages [][PageSize]byte
	reads atomic.Uint64
	fail  int64
}

// newDevice returns a device holding data, the last page padded with zeros.
func newDevice(data []byte) *memDevice {
	d := &memDevice{fail: -1}
	for len(data) > 0 {
		var p [PageSize]byte
		n := copy(p[:], data)
		d.pages = append(d.pages, p)
		data = data[n:]
	}
	return d
}

func (d *memDevice) Pages() uint64 { return uint64(len(d.pages)) }
func (d *memDevice) Name() string  { return "mem" }

func (d *memDevice) ReadPage(n uint64, p *[PageSize]byte) error {
	d.reads.Add(1)
	if n >= d.Pages() {
		return fmt.Errorf("page %d beyond the device's %d", n, d.Pages())
	}
	if int64(n) == d.fail {
		return errInjected
	}
	*p = d.pages[n]
	return nil
}

// member is one entry of a test archive.
type member struct {
	name string
	typ  byte   // tar.TypeReg when zero
	data []byte // contents of a regular file
	link string // link target
}

// randomBytes returns n bytes from rng.
func randomBytes(rng *rand.Rand, n int) []byte {
	b := make([]byte, n)
	rng.Read(b)
	return b
}

// padPages pads b with zeros to a multiple of PageSize.
func padPages(b []byte) []byte {
	if r := len(b) % PageSize; r != 0 {
		b = append(b, make([]byte, PageSize-r)...)
	}
	return b
}

// makeTar writes members with Go's archive/tar in the given format and pads
// the result to whole pages.
func makeTar(t testing.TB, format tar.Format, members []member) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := tar.NewWriter(&buf)
	for _, m := range members {
		h := &tar.Header{Name: m.name, Typeflag: m.typ, Mode: 0o755, Size: int64(len(m.data)), Linkname: m.link, Format: format}
		if m.typ == 0 {
			h.Typeflag = tar.TypeReg
		}
		if h.Typeflag != tar.TypeReg {
			h.Size = 0
		}
		if err := w.WriteHeader(h); err != nil {
			t.Fatalf("WriteHeader %q: %v", m.name, err)
		}
		if _, err := w.Write(m.data); err != nil {
			t.Fatalf("Write %q: %v", m.name, err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatalf("tar Close: %v", err)
	}
	return padPages(buf.Bytes())
}

// rawHeader builds a ustar header block by hand, for inputs archive/tar
// will not write. Its checksum is set.
func rawHeader(name string, typ byte, size int64) block {
	var b block
	copy(b.get(fName), name)
	copy(b[100:108], "0000755\x00")
	copy(b.get(fSize), fmt.Sprintf("%011o\x00", size))
	b[fTypeflag.off] = typ
	copy(b.get(fMagic), magicUSTAR)
	copy(b.get(fVersion), versionUSTAR)
	setChecksum(&b)
	return b
}

// setChecksum stores b's unsigned checksum in its chksum field.
func setChecksum(b *block) {
	u, _ := b.checksums()
	copy(b.get(fChksum), fmt.Sprintf("%06o\x00 ", u))
}

// rawEntry is a header with its data, padded to whole blocks.
func rawEntry(h block, data []byte) []byte {
	out := append(h[:], data...)
	return append(out, make([]byte, roundUp(int64(len(data)))-int64(len(data)))...)
}

// paxData returns a pax extended header's data holding the records kv
// (key, value, key, value, ...), each record's length computed.
func paxData(kv ...string) []byte {
	var out []byte
	for i := 0; i < len(kv); i += 2 {
		rec := " " + kv[i] + "=" + kv[i+1] + "\n"
		n := len(rec) + 1
		for len(strconv.Itoa(n))+len(rec) != n {
			n++
		}
		out = append(out, strconv.Itoa(n)+rec...)
	}
	return out
}

// endBlocks are the two zero blocks that end an archive.
var endBlocks = make([]byte, 2*BlockSize)

// mustOpen opens an archive over data or fails the test.
func mustOpen(t testing.TB, data []byte) (*Archive, *memDevice) {
	t.Helper()
	d := newDevice(data)
	a, err := Open(d)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return a, d
}
