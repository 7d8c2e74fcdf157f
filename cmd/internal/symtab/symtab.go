// Package symtab is the function symbol table of a kernel ELF file, for the
// tools that name the functions program counters fall in (cmd/pcprof,
// cmd/icount).
package symtab

import (
	"debug/elf"
	"fmt"
	"sort"
)

// Table holds an ELF file's function symbols, sorted by address.
type Table struct {
	addr []uint64
	size []uint64
	name []string
}

// Load reads the function symbols of the ELF file at path.
func Load(path string) (*Table, error) {
	f, err := elf.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	syms, err := f.Symbols()
	if err != nil {
		return nil, fmt.Errorf("%s: %w (built with -s?)", path, err)
	}
	sort.Slice(syms, func(i, j int) bool { return syms[i].Value < syms[j].Value })
	t := &Table{}
	for _, y := range syms {
		if elf.ST_TYPE(y.Info) != elf.STT_FUNC || y.Value == 0 {
			continue
		}
		t.add(y.Value, y.Size, y.Name)
	}
	return t, nil
}

// New makes a table of the given functions, in address order (for tests).
func New(addr, size []uint64, name []string) *Table {
	return &Table{addr: addr, size: size, name: name}
}

func (t *Table) add(addr, size uint64, name string) {
	t.addr = append(t.addr, addr)
	t.size = append(t.size, size)
	t.name = append(t.name, name)
}

// Lookup names the function holding pc, or "". A symbol without a size
// (assembly's end markers) holds nothing.
func (t *Table) Lookup(pc uint64) string {
	i := sort.Search(len(t.addr), func(i int) bool { return t.addr[i] > pc }) - 1
	if i < 0 || pc >= t.addr[i]+t.size[i] {
		return ""
	}
	return t.name[i]
}

// Addr returns the address of the function named name.
func (t *Table) Addr(name string) (uint64, bool) {
	for i, n := range t.name {
		if n == name {
			return t.addr[i], true
		}
	}
	return 0, false
}
