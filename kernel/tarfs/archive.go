package tarfs

import (
	"fmt"
	"path"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// PageSize is the unit the device is addressed in.
const PageSize = 4096

// Limits that bound the memory and time Open spends on a hostile disk.
const (
	MaxEntries = 4096    // members (files, directories, links, ...) in an archive
	MaxNameLen = 4096    // bytes in a member's name
	maxPAXSize = 1 << 16 // bytes of data in one pax extended header
)

// maxDeviceBytes is the largest device size, in bytes, a byte offset of
// type int64 can address, rounded down to a page.
const maxDeviceBytes = (1<<63 - 1) &^ (PageSize - 1)

// Device is the part of boot.BlockDevice an archive reads (a
// boot.BlockDevice satisfies it). Its methods may be called from several
// goroutines.
type Device interface {
	// Pages is the device's size in whole 4 KiB pages.
	Pages() uint64
	// ReadPage reads page n (bytes [n*4096, (n+1)*4096)) into p.
	ReadPage(n uint64, p *[PageSize]byte) error
	// Name identifies the device in messages.
	Name() string
}

// Stats counts the device pages an archive read.
type Stats struct {
	PagesRead   uint64 // pages read since Open, the scan's included
	HeaderPages uint64 // pages Open read while scanning the headers
}

// Archive is the index of a tar archive on a device. Its methods are safe
// for concurrent use.
//
// Fields above mu are set by Open and not changed after it returns.
type Archive struct {
	dev         Device
	size        int64   // device bytes addressed: whole pages only
	files       []*File // regular files, sorted by Name
	byName      map[string]*File
	headerPages uint64

	pagesRead atomic.Uint64 // pages passed to dev.ReadPage, failed reads included

	mu sync.Mutex
	// The page cache, guarded by mu: cache holds page cached when valid.
	cache  [PageSize]byte
	cached uint64
	valid  bool
}

// Open checks that d holds a tar archive and indexes its regular files. It
// reads only the pages holding headers (and the data of pax and GNU long
// name headers), each once. It returns an error wrapping ErrNotArchive when
// d's first block is not a tar header, a *FormatError naming the byte
// offset when the archive is bad (its first header included, when that
// carries the ustar magic), and a *DeviceError when a page read fails.
func Open(d Device) (*Archive, error) {
	a := &Archive{dev: d, byName: map[string]*File{}}
	a.size = maxDeviceBytes
	if pages := d.Pages(); pages <= maxDeviceBytes/PageSize {
		a.size = int64(pages) * PageSize
	}
	if err := a.checkFirstBlock(); err != nil {
		return nil, err
	}
	s := scanner{a: a}
	if err := s.run(); err != nil {
		return nil, err
	}
	for _, f := range a.byName {
		a.files = append(a.files, f)
	}
	slices.SortFunc(a.files, func(x, y *File) int { return strings.Compare(x.Name, y.Name) })
	a.headerPages = a.pagesRead.Load()
	return a, nil
}

// checkFirstBlock returns an error wrapping ErrNotArchive unless the
// device begins with a tar header block. A first block that carries the
// ustar magic but a wrong checksum is a damaged archive, not "no
// archive": a FormatError, so that the kernel does not take the disk for
// an empty one and write over it.
func (a *Archive) checkFirstBlock() error {
	if a.size < BlockSize {
		return fmt.Errorf("%w: %s: device is empty", ErrNotArchive, a.dev.Name())
	}
	b, err := a.readBlock(0)
	if err != nil {
		return err
	}
	switch {
	case b.isZero():
		return fmt.Errorf("%w: %s: first block is all zeros", ErrNotArchive, a.dev.Name())
	case !b.checksumOK() && b.hasMagic():
		return a.formatError(0, "header checksum %q does not match the block's sums (a damaged archive)", cString(b.get(fChksum)))
	case !b.checksumOK():
		return fmt.Errorf("%w: %s: first block has no valid header checksum", ErrNotArchive, a.dev.Name())
	}
	return nil
}

// Name returns the device's name.
func (a *Archive) Name() string { return a.dev.Name() }

// Files returns the regular files, sorted by name. The caller must not
// change the slice.
func (a *Archive) Files() []*File { return a.files }

// Lookup finds the file called name, or else name+".elf". Leading "/" and
// "./" are ignored, as they are in the archive's names.
func (a *Archive) Lookup(name string) (*File, bool) {
	name, ok := cleanName(name)
	if !ok {
		return nil, false
	}
	if f, ok := a.byName[name]; ok {
		return f, true
	}
	f, ok := a.byName[name+".elf"]
	return f, ok
}

// Stats returns the page counts.
func (a *Archive) Stats() Stats {
	return Stats{PagesRead: a.pagesRead.Load(), HeaderPages: a.headerPages}
}

// cleanName normalizes a member name: leading "/" and "./" removed, then
// path.Clean. It reports false for names that are empty or climb out of
// the archive with "..".
func cleanName(name string) (string, bool) {
	for {
		trimmed := strings.TrimPrefix(strings.TrimPrefix(name, "/"), "./")
		if trimmed == name {
			break
		}
		name = trimmed
	}
	if name == "" || name == "." {
		return "", false
	}
	for elem := range strings.SplitSeq(name, "/") {
		if elem == ".." {
			return "", false
		}
	}
	return path.Clean(name), true
}

// formatError returns a *FormatError at byte offset off of a's device.
func (a *Archive) formatError(off int64, format string, args ...any) error {
	return &FormatError{Device: a.dev.Name(), Offset: off, Reason: fmt.Sprintf(format, args...)}
}
