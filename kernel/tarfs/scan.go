package tarfs

// scanner walks an archive's headers once, from byte 0.
//
// Each header is in one of two roles. An extension header ('x', 'g', 'L',
// 'K') sets pending state (pax, longName) and is otherwise skipped; a
// member header consumes the pending state, is indexed if it is a regular
// file, and clears it. The walk stops at the first zero block or at the
// device's end.
type scanner struct {
	a       *Archive
	off     int64 // byte offset of the next header
	members int   // member headers seen

	pax         paxAttrs // from 'x' headers since the last member
	longName    string   // from an 'L' header since the last member
	hasLongName bool
}

// run scans the whole archive.
func (s *scanner) run() error {
	for s.off+BlockSize <= s.a.size {
		b, err := s.a.readBlock(s.off)
		if err != nil {
			return err
		}
		if b.isZero() {
			return nil
		}
		if !b.checksumOK() {
			return s.a.formatError(s.off, "header checksum %q does not match the block's sums", cString(b.get(fChksum)))
		}
		if err := s.header(&b); err != nil {
			return err
		}
	}
	return nil
}

// header handles the header block b at s.off and advances s.off past the
// member's data.
func (s *scanner) header(b *block) error {
	size, err := parseNumber(b.get(fSize))
	if err != nil {
		return s.a.formatError(s.off, "bad numeric field size %q: %v", b.get(fSize), err)
	}
	dataOff := s.off + BlockSize
	switch b[fTypeflag.off] {
	case typePAXLocal:
		err = s.paxHeader(dataOff, size)
	case typeGNULong:
		err = s.longNameHeader(dataOff, size)
	case typePAXGlobal, typeGNULink:
		err = s.checkData(dataOff, size)
	default:
		size, err = s.member(b, size)
		if err == nil && b[fTypeflag.off] == typeGNUSparse {
			dataOff, err = s.skipSparseMap(b, dataOff)
		}
		if err == nil {
			err = s.checkData(dataOff, size)
		}
	}
	if err != nil {
		return err
	}
	s.off = dataOff + roundUp(size)
	return nil
}

// checkData returns an error unless size bytes at dataOff lie on the device.
func (s *scanner) checkData(dataOff, size int64) error {
	if size > s.a.size-dataOff {
		return s.a.formatError(s.off, "member data [%d, %d) extends beyond the device's last whole 4 KiB page (%d bytes): pad the image to a multiple of 4 KiB, e.g. with tar -b 8",
			dataOff, uint64(dataOff)+uint64(size), s.a.size)
	}
	return nil
}

// paxHeader reads a pax extended header's records into s.pax.
func (s *scanner) paxHeader(dataOff, size int64) error {
	if size > maxPAXSize {
		return s.a.formatError(s.off, "pax extended header of %d bytes is larger than %d", size, maxPAXSize)
	}
	data, err := s.readData(dataOff, size)
	if err != nil {
		return err
	}
	if err := parsePAX(data, &s.pax); err != nil {
		return s.a.formatError(s.off, "malformed pax extended header: %v", err)
	}
	return nil
}

// longNameHeader reads a GNU long name header's data into s.longName.
func (s *scanner) longNameHeader(dataOff, size int64) error {
	if size > MaxNameLen+1 {
		return s.a.formatError(s.off, "GNU long name of %d bytes is longer than %d", size, MaxNameLen)
	}
	data, err := s.readData(dataOff, size)
	if err != nil {
		return err
	}
	s.longName, s.hasLongName = cString(data), true
	return nil
}

// readData reads size bytes of an extension header's data at dataOff.
func (s *scanner) readData(dataOff, size int64) ([]byte, error) {
	if err := s.checkData(dataOff, size); err != nil {
		return nil, err
	}
	data := make([]byte, size)
	if _, err := s.a.readAt(data, dataOff); err != nil {
		return nil, err
	}
	return data, nil
}

// member handles a member header: it applies and clears the pending
// extension state, indexes the member if it is a regular file, and returns
// the size of the data that follows the header.
func (s *scanner) member(b *block, size int64) (int64, error) {
	pax, longName, hasLongName := s.pax, s.longName, s.hasLongName
	s.pax, s.longName, s.hasLongName = paxAttrs{}, "", false
	s.members++
	if s.members > MaxEntries {
		return 0, s.a.formatError(s.off, "more than %d members in the archive", MaxEntries)
	}
	name := b.ustarName()
	switch {
	case pax.hasPath:
		name = pax.path
	case hasLongName:
		name = longName
	}
	if len(name) > MaxNameLen {
		return 0, s.a.formatError(s.off, "member name of %d bytes is longer than %d", len(name), MaxNameLen)
	}
	if pax.hasSize {
		size = pax.size
	}
	typ := b[fTypeflag.off]
	if isHeaderOnly(typ) {
		return 0, nil
	}
	if isRegular(typ, name) && !pax.sparse {
		s.addFile(name, size)
	}
	return size, nil
}

// isHeaderOnly reports whether members of type typ have no data whatever
// their size field says (IEEE Std 1003.1 pax, "ustar Interchange Format":
// links, devices, directories and FIFOs store no data).
func isHeaderOnly(typ byte) bool {
	switch typ {
	case typeLink, typeSymlink, typeChar, typeBlock, typeDir, typeFifo:
		return true
	}
	return false
}

// isRegular reports whether a member is a regular file. A pre-POSIX
// header with typeflag NUL and a name ending in "/" is a directory.
func isRegular(typ byte, name string) bool {
	switch typ {
	case typeRegular, typeContiguous:
		return true
	case typeRegularOld:
		return len(name) == 0 || name[len(name)-1] != '/'
	}
	return false
}

// addFile indexes a regular file whose data starts after the header at
// s.off; a later member of the same name replaces an earlier one.
func (s *scanner) addFile(name string, size int64) {
	clean, ok := cleanName(name)
	if !ok {
		return
	}
	s.a.byName[clean] = &File{Name: clean, Size: size, off: s.off + BlockSize, a: s.a}
}

// skipSparseMap returns the offset of an old GNU sparse member's data:
// after the header, the header's isextended flag says whether blocks of
// further sparse map entries follow, each with its own flag (GNU tar
// manual, "Basic Tar Format"). The member itself is not indexed.
func (s *scanner) skipSparseMap(b *block, dataOff int64) (int64, error) {
	more := b[fGNUIsExtended.off] != 0
	for more {
		if dataOff+BlockSize > s.a.size {
			return 0, s.a.formatError(s.off, "GNU sparse map extends beyond the device")
		}
		ext, err := s.a.readBlock(dataOff)
		if err != nil {
			return 0, err
		}
		more = ext[fSparseIsExtended.off] != 0
		dataOff += BlockSize
	}
	return dataOff, nil
}

// roundUp rounds a data size up to whole blocks.
// Precondition: size <= maxDeviceBytes.
func roundUp(size int64) int64 {
	return (size + BlockSize - 1) &^ (BlockSize - 1)
}
