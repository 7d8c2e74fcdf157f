package tarfs

import (
	"errors"
	"fmt"
)

// ErrNotArchive is returned (wrapped) by Open when the device's first
// 512-byte block is not a tar header: all zeros, or a checksum that does not
// match and no "ustar" magic. The disk does not hold a program archive. (A
// first block with the magic but a wrong checksum is a damaged archive: a
// *FormatError.)
var ErrNotArchive = errors.New("tarfs: not a tar archive")

// FormatError reports an archive that breaks the tar format or one of
// tarfs's limits: Offset is the device byte offset of the block at fault.
type FormatError struct {
	Device string // the device's name
	Offset int64  // byte offset on the device
	Reason string
}

func (e *FormatError) Error() string {
	return fmt.Sprintf("tarfs: %s: offset %d: %s", e.Device, e.Offset, e.Reason)
}

// DeviceError reports a page read the device failed.
type DeviceError struct {
	Device string
	Page   uint64 // the page number passed to ReadPage
	Err    error  // what ReadPage returned
}

func (e *DeviceError) Error() string {
	return fmt.Sprintf("tarfs: %s: reading page %d: %v", e.Device, e.Page, e.Err)
}

// Unwrap returns the device's error.
func (e *DeviceError) Unwrap() error { return e.Err }
