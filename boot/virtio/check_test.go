package virtio

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckDiskLeavesTheDiskAsItWas(t *testing.T) {
	d := newTestDisk(t, nil)
	last := d.b.Pages() - 1
	for i := range d.dev.disk {
		d.dev.disk[i] = byte(i * 13)
	}
	before := append([]byte(nil), d.dev.disk...)
	note, err := CheckDisk(d.b, d.clock.now, 4)
	if err != nil {
		t.Fatal(err)
	}
	if string(d.dev.disk) != string(before) {
		t.Error("disk image changed by the check")
	}
	for _, want := range []string{"virtio-blk@0xfeb00000", "64 pages", "read ", "write ", "restored"} {
		if !strings.Contains(note, want) {
			t.Errorf("note %q lacks %q", note, want)
		}
	}
	var wrotePattern, flushed bool
	for _, r := range d.dev.requests {
		wrotePattern = wrotePattern || (r.typ == reqTypeOut && r.sector == last*sectorsPerPage)
		flushed = flushed || r.typ == reqTypeFlush
	}
	if !wrotePattern || !flushed {
		t.Errorf("check wrote the last page %v, flushed %v", wrotePattern, flushed)
	}
}

// lossyDisk drops every write: the check must notice.
type lossyDisk struct{ *Block }

func (l lossyDisk) WritePage(uint64, *[PageSize]byte) error { return nil }

func TestCheckDiskCatchesLostWrites(t *testing.T) {
	d := newTestDisk(t, nil)
	if _, err := CheckDisk(lossyDisk{d.b}, d.clock.now, 2); err == nil || !strings.Contains(err.Error(), "differs") {
		t.Fatalf("CheckDisk on a disk that loses writes = %v, want a mismatch", err)
	}
}

func TestCheckDiskReportsIOErrors(t *testing.T) {
	d := newTestDisk(t, nil)
	d.dev.ioErrorSector[(d.b.Pages()-1)*sectorsPerPage] = true
	if _, err := CheckDisk(d.b, d.clock.now, 2); !errors.Is(err, ErrIO) {
		t.Fatalf("CheckDisk = %v, want ErrIO", err)
	}
}

func TestCheckReadOnlyDiskOnlyReads(t *testing.T) {
	d := newTestDisk(t, func(f *fakeBlock) { f.offered |= blkFeatureRO })
	note, err := CheckDisk(d.b, d.clock.now, 2)
	if err != nil || !strings.Contains(note, "read-only") {
		t.Fatalf("CheckDisk = %q, %v", note, err)
	}
}

func TestDisksCheck(t *testing.T) {
	mem := newFakeMem(1 << 20)
	clock := &fakeClock{step: 10}
	empty := newFakeBlock(mem, 0)
	empty.deviceID = deviceIDNone
	none := Disks{Config: func() Config {
		return Config{Windows: []Window{{0x1000, empty}}, DMA: mem, Nanotime: clock.now}
	}}
	if note, err := none.Check(); note != "no disk" || err != nil || len(none.List()) != 0 {
		t.Errorf("no disk: Check = %q, %v; %d disks", note, err, len(none.List()))
	}

	good := newFakeBlock(mem, testSectors)
	legacy := newFakeBlock(mem, testSectors)
	legacy.version = mmioVersionLegacy
	mixed := Disks{Config: func() Config {
		return Config{Windows: []Window{{0x1000, good}, {0x1200, legacy}}, DMA: mem, Nanotime: clock.now}
	}}
	if len(mixed.List()) != 1 || !errors.Is(mixed.Err(), ErrLegacy) {
		t.Errorf("mixed: %d disks, err %v", len(mixed.List()), mixed.Err())
	}
	if _, err := mixed.Check(); !errors.Is(err, ErrLegacy) {
		t.Errorf("mixed: Check = %v, want ErrLegacy", err)
	}
}
