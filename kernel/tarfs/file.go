package tarfs

import (
	"errors"
	"io"
)

// File is a regular file in an archive. Its data is read from the device on
// demand, by ReadAt.
type File struct {
	Name string // normalized: no leading "/" or "./", no ".." elements
	Size int64  // bytes

	off int64 // byte offset of the data on the device
	a   *Archive
}

// errNegativeOffset is ReadAt's error for off < 0.
var errNegativeOffset = errors.New("tarfs: ReadAt: negative offset")

// Archive returns the archive f is in.
func (f *File) Archive() *Archive { return f.a }

// ReadAt reads len(p) bytes of f from byte off, following io.ReaderAt: it
// returns io.EOF with fewer than len(p) bytes when f ends first (and with 0
// bytes when off >= f.Size), and an error for a negative off or a failed
// device read. It is safe for concurrent use.
//
// A whole page read at a page-aligned device offset goes straight into p;
// an unaligned page reads at most two device pages.
func (f *File) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errNegativeOffset
	}
	if off >= f.Size {
		return 0, io.EOF
	}
	want := p
	if int64(len(want)) > f.Size-off {
		want = want[:f.Size-off]
	}
	n, err := f.a.readAt(want, f.off+off)
	if err != nil {
		return n, err
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// readBlock returns the 512-byte block at device offset off.
// Precondition: off+BlockSize <= a.size.
func (a *Archive) readBlock(off int64) (block, error) {
	var b block
	_, err := a.readAt(b[:], off)
	return b, err
}

// readAt fills p from device offset off, page by page, and returns the
// bytes filled before any device error.
// Precondition: 0 <= off and off+len(p) <= a.size.
func (a *Archive) readAt(p []byte, off int64) (int, error) {
	if off < 0 || int64(len(p)) > a.size-off {
		panic("tarfs: Archive.readAt: range outside the device")
	}
	done := 0
	for done < len(p) {
		page, in := uint64(off/PageSize), int(off%PageSize)
		rest := p[done:]
		var n int
		var err error
		if in == 0 && len(rest) >= PageSize {
			n, err = PageSize, a.readPage(page, (*[PageSize]byte)(rest))
		} else {
			n, err = a.copyFromPage(page, in, rest)
		}
		if err != nil {
			return done, err
		}
		done += n
		off += int64(n)
	}
	return done, nil
}

// copyFromPage copies page's bytes from in onward into p, through the
// one-page cache, and returns the count copied.
func (a *Archive) copyFromPage(page uint64, in int, p []byte) (int, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if !a.valid || a.cached != page {
		a.valid = false
		if err := a.readPage(page, &a.cache); err != nil {
			return 0, err
		}
		a.cached, a.valid = page, true
	}
	return copy(p, a.cache[in:]), nil
}

// readPage reads one device page into buf and counts it.
func (a *Archive) readPage(page uint64, buf *[PageSize]byte) error {
	a.pagesRead.Add(1)
	if err := a.dev.ReadPage(page, buf); err != nil {
		return &DeviceError{Device: a.dev.Name(), Page: page, Err: err}
	}
	return nil
}
