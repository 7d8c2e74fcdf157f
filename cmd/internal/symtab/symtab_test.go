package symtab

import "testing"

func testTable() *Table {
	return New([]uint64{0x1000, 0x1100, 0x2000}, []uint64{0x100, 0x80, 0}, []string{"a", "b", "runtime.etext"})
}

func TestLookup(t *testing.T) {
	s := testTable()
	for pc, want := range map[uint64]string{
		0x0fff: "", 0x1000: "a", 0x10ff: "a", 0x1100: "b", 0x117f: "b",
		0x1180: "", 0x2000: "", 0x9999: "",
	} {
		if got := s.Lookup(pc); got != want {
			t.Errorf("Lookup(%#x) = %q, want %q", pc, got, want)
		}
	}
}

func TestAddr(t *testing.T) {
	s := testTable()
	if a, ok := s.Addr("b"); !ok || a != 0x1100 {
		t.Errorf("Addr(b) = %#x %v", a, ok)
	}
	if _, ok := s.Addr("c"); ok {
		t.Error("Addr found a function the table does not have")
	}
}
