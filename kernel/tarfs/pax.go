package tarfs

import (
	"errors"
	"strconv"
	"strings"
)

// Pax record keywords tarfs honours (IEEE Std 1003.1 pax, "pax Extended
// Header Keyword Descriptions"), and the prefix of the GNU sparse-file
// keywords, whose members tarfs skips (GNU tar manual, "Storing Sparse
// Files").
const (
	paxPath         = "path"
	paxSize         = "size"
	paxSparsePrefix = "GNU.sparse."
)

// paxAttrs are the pax records that change the next member.
type paxAttrs struct {
	path    string
	hasPath bool
	size    int64
	hasSize bool
	sparse  bool
}

// parsePAX decodes the data of an extended header, a sequence of records
//
//	"%d %s=%s\n", <length>, <keyword>, <value>
//
// where length is the decimal byte count of the whole record, itself
// included (IEEE Std 1003.1 pax, "pax Extended Header File Format"). A
// record with an empty value cancels the keyword. Later records win.
func parsePAX(data []byte, into *paxAttrs) error {
	s := string(data)
	for s != "" {
		key, value, rest, err := paxRecord(s)
		if err != nil {
			return err
		}
		if err := into.set(key, value); err != nil {
			return err
		}
		s = rest
	}
	return nil
}

// paxRecord splits the first record off s.
func paxRecord(s string) (key, value, rest string, err error) {
	sp := strings.IndexByte(s, ' ')
	if sp <= 0 {
		return "", "", "", errors.New("pax record without a length")
	}
	n, perr := strconv.Atoi(s[:sp])
	if perr != nil || n <= sp+1 || n > len(s) {
		return "", "", "", errors.New("pax record length " + strconv.Quote(s[:sp]) + " is bad")
	}
	rec := s[sp+1 : n]
	if rec[len(rec)-1] != '\n' {
		return "", "", "", errors.New("pax record does not end in a newline")
	}
	key, value, ok := strings.Cut(rec[:len(rec)-1], "=")
	if !ok || key == "" {
		return "", "", "", errors.New("pax record without keyword=value")
	}
	return key, value, s[n:], nil
}

// set applies one record.
func (p *paxAttrs) set(key, value string) error {
	switch {
	case key == paxPath:
		p.path, p.hasPath = value, value != ""
	case key == paxSize:
		if value == "" {
			p.hasSize = false
			return nil
		}
		n, err := strconv.ParseInt(value, 10, 64)
		if err != nil || n < 0 {
			return errors.New("pax size " + strconv.Quote(value) + " is not a decimal byte count")
		}
		p.size, p.hasSize = n, true
	case strings.HasPrefix(key, paxSparsePrefix):
		p.sparse = true
	}
	return nil
}
