// Package parts decides which parts of a disk a board may hand to the
// kernel, for boards whose disks can hold someone's data: an SD card or
// eMMC on a real board carries boot firmware, partition tables and file
// systems that the default pager must never overwrite (it writes any page
// of the disk it is given; docs/pager.md).
//
// Select looks at a disk, and at each partition of an MBR partition table
// on it, and offers:
//
//   - the program disk: an area whose first block is a tar header (magic
//     "ustar" at offset 257, POSIX.1-2017 "ustar Interchange Format"),
//     offered whole and read-only; the kernel then reads it as the program
//     disk (kernel/tarfs), damaged or not;
//   - swap: an area whose first page carries the tamach swap label
//     (Label), offered without that page, read-write;
//   - a blank area (its first 64 KiB all zero: no partition table, no boot
//     image, no file system) becomes swap: Select writes the label first,
//     so the area is recognised as tamach's on the next boot;
//   - anything else is left alone, with a note saying why.
//
// Under QEMU the board's swap and DISK images start out blank, so they
// behave as on the virtio boards; on a real board a card must be made
// tamach's on purpose (docs/boards.md). MBR: the partition table of the
// PC's Master Boot Record, four 16-byte entries at offset 446 and the
// signature 0x55 0xAA at 510 (as in the UEFI Specification 2.10, §5.2.1
// "Legacy Master Boot Record"); a GPT's protective MBR (type 0xEE) and
// extended partitions are not followed.
package parts

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/tamach/tamach/boot"
)

// PageSize is the unit of boot.BlockDevice.
const PageSize = 4096

// Label opens the first page of an area that is tamach's swap; the rest of
// the page says what the area is for whoever looks at the card.
const Label = "tamach swap v1\n"

const labelText = Label + "This area of the disk is swap space for the tamach kernel: the pages after\n" +
	"this one hold memory tamach paged out, and any boot may overwrite them.\n" +
	"Overwrite this page to take the area back.\n"

// blankPages is how much of an area must be zero for it to be blank: 64
// KiB, past the i.MX boot image's 32 KiB offset on an SD card or eMMC and
// well past a partition table.
const blankPages = 16

// MBR layout.
const (
	mbrEntries     = 446
	mbrEntrySize   = 16
	mbrSignature   = 510
	mbrTypeGPT     = 0xee
	mbrSectorBytes = 512
)

// Select returns the parts of d the kernel may use and a note per part it
// looked at. An error reading or labelling the disk ends the look at that
// part and becomes a note; Select itself does not fail.
func Select(d boot.BlockDevice) (offered []boot.BlockDevice, notes []string) {
	whole := &View{Disk: d, Start: 0, N: d.Pages(), name: d.Name()}
	return selectArea(whole, true)
}

// selectArea applies the rules to one area; top says whether it is the
// whole disk (where a partition table may sit).
func selectArea(a *View, top bool) ([]boot.BlockDevice, []string) {
	if a.N == 0 {
		return nil, []string{a.name + ": smaller than a page: left alone"}
	}
	first := new([PageSize]byte)
	if err := a.ReadPage(0, first); err != nil {
		return nil, []string{fmt.Sprintf("%s: reading its first page: %v: left alone", a.name, err)}
	}
	switch {
	case isTar(first[:]):
		a.RO = true
		return []boot.BlockDevice{a}, []string{a.name + ": tar archive: offered read-only (program disk)"}
	case bytes.HasPrefix(first[:], []byte(Label)):
		return swap(a, "labelled tamach swap")
	case top && isMBR(first[:]):
		return partitions(a, first[:])
	}
	blank, err := isBlank(a, first)
	if err != nil {
		return nil, []string{fmt.Sprintf("%s: %v: left alone", a.name, err)}
	}
	if !blank {
		return nil, []string{a.name + ": holds data (no tar archive, no swap label, no partition table, not blank): left alone"}
	}
	if a.N < 2 {
		return nil, []string{a.name + ": blank but only one page: left alone"}
	}
	if err := writeLabel(a); err != nil {
		return nil, []string{fmt.Sprintf("%s: blank, but writing the swap label failed: %v: left alone", a.name, err)}
	}
	return swap(a, "blank: swap label written")
}

// swap offers a labelled area without its label page.
func swap(a *View, why string) ([]boot.BlockDevice, []string) {
	if a.N < 2 {
		return nil, []string{a.name + ": " + why + ", but no page after the label: left alone"}
	}
	s := &View{Disk: a.Disk, Start: a.Start + 1, N: a.N - 1, name: a.name + ":swap"}
	return []boot.BlockDevice{s}, []string{fmt.Sprintf("%s: %s: offered as swap (%d pages after the label)", a.name, why, s.N)}
}

// partitions applies the rules to each primary partition of an MBR.
func partitions(d *View, mbr []byte) ([]boot.BlockDevice, []string) {
	var offered []boot.BlockDevice
	var notes []string
	for i := 0; i < 4; i++ {
		e := mbr[mbrEntries+i*mbrEntrySize:]
		typ := e[4]
		start := uint64(binary.LittleEndian.Uint32(e[8:]))
		sectors := uint64(binary.LittleEndian.Uint32(e[12:]))
		name := fmt.Sprintf("%sp%d", d.name, i+1)
		switch {
		case typ == 0 || sectors == 0:
			continue
		case typ == mbrTypeGPT:
			notes = append(notes, d.name+": GPT (protective MBR): partitions not read: left alone")
			continue
		case typ == 0x05 || typ == 0x0f || typ == 0x85:
			notes = append(notes, fmt.Sprintf("%s: extended partition: not read", name))
			continue
		case start*mbrSectorBytes%PageSize != 0 || sectors*mbrSectorBytes < PageSize:
			notes = append(notes, fmt.Sprintf("%s: starts at sector %d, not on a 4 KiB boundary (or under a page): left alone", name, start))
			continue
		}
		first := start * mbrSectorBytes / PageSize
		n := sectors * mbrSectorBytes / PageSize
		if first+n > d.N {
			notes = append(notes, fmt.Sprintf("%s: sectors %d+%d run past the disk: left alone", name, start, sectors))
			continue
		}
		o, ns := selectArea(&View{Disk: d.Disk, Start: d.Start + first, N: n, name: name}, false)
		offered = append(offered, o...)
		notes = append(notes, ns...)
	}
	if len(notes) == 0 {
		notes = append(notes, d.name+": partition table with no partitions")
	}
	return offered, notes
}

// isTar: the ustar magic in the first block.
func isTar(b []byte) bool {
	return string(b[257:262]) == "ustar"
}

// isMBR: the boot signature and at least one entry with a type.
func isMBR(b []byte) bool {
	if b[mbrSignature] != 0x55 || b[mbrSignature+1] != 0xaa {
		return false
	}
	for i := 0; i < 4; i++ {
		if b[mbrEntries+i*mbrEntrySize+4] != 0 {
			return true
		}
	}
	return false
}

// isBlank reports whether the area's first blankPages pages are zero.
func isBlank(a *View, first *[PageSize]byte) (bool, error) {
	if !allZero(first[:]) {
		return false, nil
	}
	p := new([PageSize]byte)
	for n := uint64(1); n < blankPages && n < a.N; n++ {
		if err := a.ReadPage(n, p); err != nil {
			return false, fmt.Errorf("reading page %d: %w", n, err)
		}
		if !allZero(p[:]) {
			return false, nil
		}
	}
	return true, nil
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// writeLabel writes the swap label to the area's first page and flushes.
func writeLabel(a *View) error {
	p := new([PageSize]byte)
	copy(p[:], labelText)
	if err := a.WritePage(0, p); err != nil {
		return err
	}
	return a.Disk.Flush()
}

// View is the pages [Start, Start+N) of Disk as a disk of its own.
type View struct {
	Disk     boot.BlockDevice
	Start, N uint64
	// RO makes the view read-only: WritePage fails, ReadOnly says so
	// (the kernel then never pages to it).
	RO   bool
	name string
}

// ErrReadOnly is WritePage's error on a read-only view.
var ErrReadOnly = errors.New("parts: read-only")

// Pages is the view's size.
func (v *View) Pages() uint64 { return v.N }

// ReadPage reads page n of the view.
func (v *View) ReadPage(n uint64, p *[PageSize]byte) error {
	if n >= v.N {
		return fmt.Errorf("%s: page %d beyond its %d pages", v.name, n, v.N)
	}
	return v.Disk.ReadPage(v.Start+n, p)
}

// WritePage writes page n of the view.
func (v *View) WritePage(n uint64, p *[PageSize]byte) error {
	if v.RO {
		return fmt.Errorf("%s: %w", v.name, ErrReadOnly)
	}
	if n >= v.N {
		return fmt.Errorf("%s: page %d beyond its %d pages", v.name, n, v.N)
	}
	return v.Disk.WritePage(v.Start+n, p)
}

// Flush flushes the disk.
func (v *View) Flush() error { return v.Disk.Flush() }

// Name is the view's name: the disk's, a partition number (p1..p4), and
// :swap for the part after a swap label.
func (v *View) Name() string { return v.name }

// ReadOnly reports whether the view refuses writes.
func (v *View) ReadOnly() bool { return v.RO }
