package parts

import (
	"archive/tar"
	"bytes"
	"encoding/binary"
	"errors"
	"strings"
	"testing"
)

// memDisk is a disk in memory.
type memDisk struct {
	name    string
	data    []byte
	writes  int
	flushes int
}

func newDisk(pages int) *memDisk { return &memDisk{name: "sd", data: make([]byte, pages*PageSize)} }

func (d *memDisk) Pages() uint64 { return uint64(len(d.data) / PageSize) }
func (d *memDisk) ReadPage(n uint64, p *[PageSize]byte) error {
	if n >= d.Pages() {
		return errors.New("beyond the disk")
	}
	copy(p[:], d.data[n*PageSize:])
	return nil
}
func (d *memDisk) WritePage(n uint64, p *[PageSize]byte) error {
	if n >= d.Pages() {
		return errors.New("beyond the disk")
	}
	d.writes++
	copy(d.data[n*PageSize:], p[:])
	return nil
}
func (d *memDisk) Flush() error { d.flushes++; return nil }
func (d *memDisk) Name() string { return d.name }

// tarAt writes a one-file ustar archive at byte offset off.
func tarAt(t *testing.T, d *memDisk, off int) {
	t.Helper()
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	tw.WriteHeader(&tar.Header{Name: "hello.elf", Size: 5, Mode: 0o644, Format: tar.FormatUSTAR})
	tw.Write([]byte("hello"))
	tw.Close()
	copy(d.data[off:], b.Bytes())
}

// mbr writes a partition table with entries {type, start sector, sectors}.
func mbr(d *memDisk, entries ...[3]uint32) {
	for i, e := range entries {
		at := mbrEntries + i*mbrEntrySize
		d.data[at+4] = byte(e[0])
		binary.LittleEndian.PutUint32(d.data[at+8:], e[1])
		binary.LittleEndian.PutUint32(d.data[at+12:], e[2])
	}
	d.data[510], d.data[511] = 0x55, 0xaa
}

func TestTarIsOfferedReadOnly(t *testing.T) {
	d := newDisk(64)
	tarAt(t, d, 0)
	got, notes := Select(d)
	if len(got) != 1 || got[0].Pages() != 64 || got[0].Name() != "sd" {
		t.Fatalf("offered %v (%q)", got, notes)
	}
	var p [PageSize]byte
	if err := got[0].WritePage(1, &p); !errors.Is(err, ErrReadOnly) {
		t.Errorf("write to the program disk: %v", err)
	}
	if ro, ok := got[0].(interface{ ReadOnly() bool }); !ok || !ro.ReadOnly() {
		t.Error("the program disk does not say it is read-only")
	}
	if d.writes != 0 {
		t.Error("Select wrote to a program disk")
	}
}

func TestBlankBecomesLabelledSwap(t *testing.T) {
	d := newDisk(64)
	got, notes := Select(d)
	if len(got) != 1 || got[0].Pages() != 63 || got[0].Name() != "sd:swap" {
		t.Fatalf("offered %v (%q)", got, notes)
	}
	if !strings.HasPrefix(string(d.data), Label) || d.flushes == 0 {
		t.Error("the label was not written and flushed")
	}
	// Page 0 of the swap view is page 1 of the disk: the label survives.
	var p [PageSize]byte
	p[0] = 0x5a
	if err := got[0].WritePage(0, &p); err != nil || d.data[PageSize] != 0x5a || !strings.HasPrefix(string(d.data), Label) {
		t.Errorf("swap page 0 did not land on disk page 1: %v", err)
	}
	// The next boot finds the label and offers the same pages.
	got2, notes2 := Select(d)
	if len(got2) != 1 || got2[0].Pages() != 63 || !strings.Contains(notes2[0], "labelled") {
		t.Errorf("second look: %v (%q)", got2, notes2)
	}
}

func TestDataIsLeftAlone(t *testing.T) {
	d := newDisk(64)
	d.data[8*PageSize] = 1 // e.g. an i.MX boot image at 32 KiB
	got, notes := Select(d)
	if len(got) != 0 || !strings.Contains(notes[0], "left alone") || d.writes != 0 {
		t.Errorf("offered %v (%q), %d writes", got, notes, d.writes)
	}
	// Beyond the 64 KiB the blank test reads, the area counts as blank.
	e := newDisk(64)
	e.data[blankPages*PageSize] = 1
	if got, _ := Select(e); len(got) != 1 {
		t.Error("data after the first 64 KiB made the disk count as used")
	}
}

func TestPartitions(t *testing.T) {
	d := newDisk(256) // 1 MiB
	// p1: FAT at 8 KiB holding data; p2: tar at 64 KiB; p3: blank at
	// 256 KiB; p4: unaligned.
	mbr(d, [3]uint32{0x0c, 16, 112}, [3]uint32{0xda, 128, 256}, [3]uint32{0xda, 512, 1024}, [3]uint32{0x83, 1537, 100})
	d.data[16*512] = 0xeb // a boot sector's jump
	tarAt(t, d, 128*512)
	got, notes := Select(d)
	names := []string{}
	for _, g := range got {
		names = append(names, g.Name())
	}
	if strings.Join(names, " ") != "sdp2 sdp3:swap" {
		t.Fatalf("offered %q; notes %q", names, notes)
	}
	if got[0].Pages() != 32 || got[1].Pages() != 127 {
		t.Errorf("pages %d and %d, want 32 and 127", got[0].Pages(), got[1].Pages())
	}
	all := strings.Join(notes, "\n")
	for _, want := range []string{"sdp1: holds data", "sdp4: starts at sector 1537, not on a 4 KiB boundary"} {
		if !strings.Contains(all, want) {
			t.Errorf("notes lack %q:\n%s", want, all)
		}
	}
	if !strings.HasPrefix(string(d.data[512*512:]), Label) {
		t.Error("p3's label is not at its first page")
	}
	if d.data[510] != 0x55 {
		t.Error("the partition table was overwritten")
	}
}

func TestGPTIsLeftAlone(t *testing.T) {
	d := newDisk(64)
	mbr(d, [3]uint32{mbrTypeGPT, 1, 127})
	got, notes := Select(d)
	if len(got) != 0 || !strings.Contains(notes[0], "GPT") || d.writes != 0 {
		t.Errorf("offered %v (%q)", got, notes)
	}
}

func TestPartitionPastTheDisk(t *testing.T) {
	d := newDisk(64)
	mbr(d, [3]uint32{0xda, 8, 1 << 20})
	got, notes := Select(d)
	if len(got) != 0 || !strings.Contains(notes[0], "run past the disk") {
		t.Errorf("offered %v (%q)", got, notes)
	}
}
