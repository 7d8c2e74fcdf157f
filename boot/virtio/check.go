package virtio

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/tamach/tamach/boot"
)

// Disks is a board's set of virtio block devices, probed on first use
// (after the board has set up its DMA region). Its methods are what the
// board puts in boot.Board: List as Disks, Check as the "virtio-blk" boot
// self-check.
type Disks struct {
	// Config returns where to probe; called once.
	Config func() Config

	once     sync.Once
	blocks   []*Block
	err      error
	nanotime func() int64
}

func (d *Disks) probe() {
	d.once.Do(func() {
		c := d.Config()
		d.nanotime = c.Nanotime
		d.blocks, d.err = Probe(c)
	})
}

// List returns the disks that came up, in slot order.
func (d *Disks) List() []boot.BlockDevice {
	d.probe()
	list := make([]boot.BlockDevice, len(d.blocks))
	for i, b := range d.blocks {
		list[i] = b
	}
	return list
}

// Err says why devices the probe found did not come up, nil if all did.
func (d *Disks) Err() error {
	d.probe()
	return d.err
}

// CheckRounds is how many page reads and writes the self-check times.
const CheckRounds = 32

// Check is the "virtio-blk" boot self-check: every disk passes CheckDisk.
// With no disk attached it passes with the note "no disk"; a device the
// probe found but could not bring up fails it.
func (d *Disks) Check() (string, error) {
	d.probe()
	var notes []string
	errs := []error{d.err}
	for _, b := range d.blocks {
		note, err := CheckDisk(b, d.nanotime, CheckRounds)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", b.Name(), err))
			continue
		}
		notes = append(notes, note)
	}
	if err := errors.Join(errs...); err != nil {
		return "", err
	}
	if len(notes) == 0 {
		return "no disk", nil
	}
	return strings.Join(notes, "; "), nil
}

// CheckDisk proves a disk end to end on its last page and leaves the disk
// as it found it: it saves the page, writes a pattern, flushes, reads it
// back and compares, then times rounds reads of the page and rounds writes
// of the saved contents (the last of which restores it), flushes, and reads
// the page once more to check the restore. A read-only disk gets the reads
// only (a disk is read-only when it has a ReadOnly method that says so:
// *Block, or another board's disks). The note gives the size and the time
// per page in nanotime units: guest instructions under QEMU -icount
// shift=0.
func CheckDisk(d boot.BlockDevice, nanotime func() int64, rounds int) (string, error) {
	pages := d.Pages()
	if pages == 0 {
		return d.Name() + ": smaller than one page, nothing to check", nil
	}
	last := pages - 1
	saved := new([PageSize]byte)
	if err := d.ReadPage(last, saved); err != nil {
		return "", err
	}
	writable := true
	if ro, ok := d.(interface{ ReadOnly() bool }); ok {
		writable = !ro.ReadOnly()
	}
	if writable {
		if err := roundTrip(d, last, saved, nanotime()); err != nil {
			return "", err
		}
	}
	scratch := new([PageSize]byte)
	read, err := timePages(d, rounds, nanotime, func() error { return d.ReadPage(last, scratch) })
	if err != nil {
		return "", err
	}
	note := fmt.Sprintf("%s: %d pages (%d MiB); read %s", d.Name(), pages, pages*PageSize>>20, read)
	if !writable {
		return note + " (read-only disk)", nil
	}
	write, err := timePages(d, rounds, nanotime, func() error { return d.WritePage(last, saved) })
	if err != nil {
		return "", err
	}
	if err := expectPage(d, last, saved, "restored"); err != nil {
		return "", err
	}
	return fmt.Sprintf("%s, write %s, %d rounds; last page written, flushed, read back, restored", note, write, rounds), nil
}

// roundTrip writes a pattern that differs from saved to page n, flushes,
// and reads it back.
func roundTrip(d boot.BlockDevice, n uint64, saved *[PageSize]byte, seed int64) error {
	pattern := new([PageSize]byte)
	for {
		fillPattern(pattern, n, seed)
		if *pattern != *saved {
			break
		}
		seed++
	}
	if err := d.WritePage(n, pattern); err != nil {
		return err
	}
	if err := d.Flush(); err != nil {
		return err
	}
	return expectPage(d, n, pattern, "written")
}

// fillPattern fills p with bytes that depend on the page number and seed,
// so stale or misplaced data does not match.
func fillPattern(p *[PageSize]byte, n uint64, seed int64) {
	for i := 0; i < PageSize; i += 8 {
		binary.LittleEndian.PutUint64(p[i:], n*0x9e3779b97f4a7c15^uint64(seed)+uint64(i))
	}
}

// expectPage flushes, reads page n and compares it with want.
func expectPage(d boot.BlockDevice, n uint64, want *[PageSize]byte, what string) error {
	if err := d.Flush(); err != nil {
		return err
	}
	got := new([PageSize]byte)
	if err := d.ReadPage(n, got); err != nil {
		return err
	}
	if i := firstDiff(got[:], want[:]); i >= 0 {
		return fmt.Errorf("page %d as %s differs at byte %d: read %#x, want %#x", n, what, i, got[i], want[i])
	}
	return nil
}

// firstDiff returns the index of the first byte where a and b differ, -1
// if they are equal.
func firstDiff(a, b []byte) int {
	for i := range a {
		if a[i] != b[i] {
			return i
		}
	}
	return -1
}

// pageTiming is the mean cost of one page operation.
type pageTiming struct {
	total int64 // ns per page
	wait  int64 // of which waiting for the device (Block only), -1 if unknown
}

func (p pageTiming) String() string {
	if p.wait < 0 {
		return fmt.Sprintf("%d ns/page", p.total)
	}
	return fmt.Sprintf("%d ns/page (%d waiting on the device)", p.total, p.wait)
}

// timePages runs op rounds times on d and returns the mean time per call,
// and for a *Block the part of it spent waiting for completions.
func timePages(d boot.BlockDevice, rounds int, nanotime func() int64, op func() error) (pageTiming, error) {
	if rounds < 1 {
		rounds = 1
	}
	b, isBlock := d.(*Block)
	var before Stats
	if isBlock {
		before = b.Stats()
	}
	start := nanotime()
	for range rounds {
		if err := op(); err != nil {
			return pageTiming{}, err
		}
	}
	t := pageTiming{total: (nanotime() - start) / int64(rounds), wait: -1}
	if isBlock {
		t.wait = (b.Stats().WaitNs - before.WaitNs) / int64(rounds)
	}
	return t, nil
}
