package vm

import "testing"

// insert panics on a page that already has an object and on an offset that
// already has a page (either is a kernel bug), and gives a refused page no
// object.
func TestObjectInsertRefusesOccupiedOffset(t *testing.T) {
	o := &Object{pages: map[uint64]*Page{}}
	first, second := &Page{}, &Page{}
	o.insert(first, 0x3000)
	if o.lookup(0x3000) != first || first.object != o || first.offset != 0x3000 {
		t.Fatalf("insert: lookup %p, page's object %p offset %#x", o.lookup(0x3000), first.object, first.offset)
	}
	mustPanic(t, "insert at an occupied offset", func() { o.insert(second, 0x3000) })
	if second.object != nil {
		t.Error("a page refused for an occupied offset was given the object")
	}
	mustPanic(t, "insert of a page another object owns", func() { (&Object{pages: map[uint64]*Page{}}).insert(first, 0) })
	o.insert(second, 0x4000)
	if len(o.pages) != 2 || o.lookup(0x4000) != second {
		t.Errorf("second insert: %d pages, lookup %p", len(o.pages), o.lookup(0x4000))
	}
}

func mustPanic(t *testing.T, what string, f func()) {
	t.Helper()
	defer func() {
		if recover() == nil {
			t.Errorf("%s: no panic", what)
		}
	}()
	f()
}
