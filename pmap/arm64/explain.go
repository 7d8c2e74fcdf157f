package arm64

import (
	"fmt"
	"strings"

	"github.com/tamach/tamach/pmap"
)

// Walk implements pmap.Walker: the stage 1 walk of va through the space's
// tables as the MMU makes it (Arm ARM D8.2, "Translation process": four
// lookup levels of the 4KB granule), one step per descriptor read, each
// decoded by the names of D8.3 and D8.4.
func (s *Space) Walk(va pmap.VAddr) []pmap.WalkStep {
	if s.checkVA(va.Trunc()) != nil {
		return nil
	}
	off := s.offset(va)
	var steps []pmap.WalkStep
	table := s.root
	for l := 0; l < levels; l++ {
		i := index(off, l)
		e := loadLeaf(&s.sys.table(table)[i])
		steps = append(steps, pmap.WalkStep{Level: fmt.Sprintf("L%d", l), Index: i, Table: table,
			Entry: uint64(e), Decoded: e.decode(l)})
		if !e.valid() || !e.isTable(l) {
			break
		}
		table = e.tableAddr()
	}
	return steps
}

// decode names the fields of the level-l descriptor e.
func (e entry) decode(l int) string {
	switch {
	case !e.valid():
		return "invalid (bit[0] = 0): a Translation fault"
	case e.isTable(l):
		return fmt.Sprintf("table %v (%d entries in use)", e.tableAddr(), e.count())
	}
	kind := "page"
	if l != leafLevel {
		kind = "block"
	}
	w := []string{fmt.Sprintf("%s %v (%s)", kind, e.frame(l), sizeName(levelSize(l)))}
	if e.device() {
		w = append(w, "AttrIndx=device (nGnRE)")
	} else {
		w = append(w, "AttrIndx=normal (write-back)")
	}
	w = append(w, "AP[2:1]="+apName(e))
	for _, f := range []struct {
		bit  entry
		name string
	}{{entryAF, "AF"}, {entryNG, "nG"}, {entryDBM, "DBM"}, {entryPXN, "PXN"}, {entryUXN, "UXN"}} {
		if e&f.bit != 0 {
			w = append(w, f.name)
		}
	}
	for _, f := range []struct {
		bit  entry
		name string
	}{{swWrite, "writable"}, {swWired, "wired"}, {swTracked, "tracked"}, {swDirect, "direct"}, {swDirty, "dirty"}} {
		if e&f.bit != 0 {
			w = append(w, f.name)
		}
	}
	if e&entryAF == 0 {
		w = append(w, "(first access faults: Access flag)")
	} else if e&swWrite != 0 && e&entryAPRO != 0 {
		w = append(w, "(clean: the first write faults)")
	}
	return strings.Join(w, " ")
}

// apName spells AP[2:1] as D8.4.1 tabulates it.
func apName(e entry) string {
	switch {
	case e&entryAPRO == 0 && e&entryAPEL0 == 0:
		return "00 (EL1 read/write, EL0 none)"
	case e&entryAPRO == 0:
		return "01 (EL1 and EL0 read/write)"
	case e&entryAPEL0 == 0:
		return "10 (EL1 read-only, EL0 none)"
	}
	return "11 (EL1 and EL0 read-only)"
}

// sizeName names a block or page size: "4 KiB", "2 MiB", "1 GiB".
func sizeName(n uint64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20:
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d KiB", n>>10)
}
