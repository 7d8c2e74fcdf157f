package amd64

import (
	"fmt"
	"strings"

	"github.com/tamach/tamach/pmap"
)

// Walk implements pmap.Walker: the 4-level walk of va as the processor
// makes it (Intel SDM Vol. 3A §4.5, Figure 4-8), one step per entry read,
// each decoded by the names of Tables 4-15 to 4-20.
func (s *Space) Walk(va pmap.VAddr) []pmap.WalkStep {
	if !canonical(va) {
		return nil
	}
	var steps []pmap.WalkStep
	table := s.top.tableAddr()
	for level := levelPML4; level >= levelPT; level-- {
		i := index(va, level)
		e := s.sys.table(table)[i]
		steps = append(steps, pmap.WalkStep{Level: levelNames[level], Index: i, Table: table,
			Entry: uint64(e), Decoded: e.decode(level)})
		if !e.valid() || e.leaf(level) {
			break
		}
		table = e.tableAddr()
	}
	return steps
}

// levelNames are the SDM's names of the entries of each level.
var levelNames = [...]string{levelPT: "PTE", levelPD: "PDE", levelPDPT: "PDPTE", levelPML4: "PML4E"}

// decode names the fields of e, an entry at level: the flags that are set,
// the address and what it points to, and the pmap's software bits.
func (e entry) decode(level int) string {
	if !e.valid() {
		return "not present (P=0): a #PF for any access"
	}
	var w []string
	for _, f := range []struct {
		bit  entry
		name string
	}{{entryP, "P"}, {entryRW, "RW"}, {entryUS, "US"}, {entryPWT, "PWT"}, {entryPCD, "PCD"}, {entryA, "A"}} {
		if e&f.bit != 0 {
			w = append(w, f.name)
		}
	}
	if e.leaf(level) {
		if e&entryD != 0 {
			w = append(w, "D")
		}
		if level != levelPT {
			w = append(w, "PS")
		}
		if e&entryG != 0 {
			w = append(w, "G")
		}
	}
	if e&entryXD != 0 {
		w = append(w, "XD")
	}
	if e.leaf(level) {
		w = append(w, fmt.Sprintf("page %v (%s)", e.frame(level), sizeName(levelSize(level))))
		if e&swWired != 0 {
			w = append(w, "wired")
		}
		if e&swManaged != 0 {
			w = append(w, "managed")
		}
		w = append(w, "rights "+e.prot().String())
	} else {
		w = append(w, fmt.Sprintf("table %v (%d entries in use)", e.tableAddr(), e.count()))
	}
	return strings.Join(w, " ")
}

// sizeName names a page size: "4 KiB", "2 MiB", "1 GiB".
func sizeName(n uint64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20:
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d KiB", n>>10)
}
