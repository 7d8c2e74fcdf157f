package fwcfg

import (
	"encoding/binary"
	"errors"
	"testing"
)

// fakeDevice models the fw_cfg device as fw_cfg.rst describes it: items
// keyed by selector, a data offset rewound by every Select.
type fakeDevice struct {
	items map[uint16][]byte
	cur   []byte
	off   int
}

func (d *fakeDevice) Select(key uint16) { d.cur, d.off = d.items[key], 0 }

func (d *fakeDevice) Read(p []byte) {
	for i := range p {
		p[i] = 0 // reads past the end of an item return 0 (fw_cfg.rst)
		if d.off < len(d.cur) {
			p[i] = d.cur[d.off]
		}
		d.off++
	}
}

func newFake(files map[string]string) *fakeDevice {
	d := &fakeDevice{items: map[uint16][]byte{KeySignature: []byte("QEMU")}}
	dir := binary.BigEndian.AppendUint32(nil, uint32(len(files)))
	sel := uint16(0x20) // FW_CFG_FILE_FIRST
	for name, body := range files {
		var e [dirEntrySize]byte
		binary.BigEndian.PutUint32(e[0:], uint32(len(body)))
		binary.BigEndian.PutUint16(e[4:], sel)
		copy(e[8:], name)
		dir = append(dir, e[:]...)
		d.items[sel] = []byte(body)
		sel++
	}
	d.items[KeyFileDir] = dir
	return d
}

func TestReadFile(t *testing.T) {
	d := newFake(map[string]string{
		"etc/boot-fail-wait": "x",
		"opt/tamach/cmdline": "selfcheck halt",
	})
	got, err := ReadFile(d, "opt/tamach/cmdline")
	if err != nil || string(got) != "selfcheck halt" {
		t.Fatalf("ReadFile = %q, %v", got, err)
	}
	if _, err := ReadFile(d, "opt/tamach/none"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing file: err = %v, want ErrNotFound", err)
	}
}

func TestNoDevice(t *testing.T) {
	d := &fakeDevice{items: map[uint16][]byte{}}
	if _, err := ReadFile(d, "opt/tamach/cmdline"); !errors.Is(err, ErrNoDevice) {
		t.Fatalf("err = %v, want ErrNoDevice", err)
	}
}

func TestCorruptCount(t *testing.T) {
	d := newFake(nil)
	d.items[KeyFileDir] = binary.BigEndian.AppendUint32(nil, 1<<31)
	if _, err := Lookup(d, "x"); err == nil || errors.Is(err, ErrNotFound) {
		t.Fatalf("a corrupt directory count must be reported, got %v", err)
	}
}
