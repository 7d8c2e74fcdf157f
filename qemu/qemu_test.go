//go:build !tamago

package qemu

import "testing"

func TestMatchInOrder(t *testing.T) {
	res := &Result{Console: "tamach v1 amd64/microvm\r\nmemory map:\nselfcheck a: ok\nhalt: powering off\n"}
	if i, ok := res.match([]string{`^tamach \S+ amd64/microvm$`, `^selfcheck a: ok$`, `^halt`}); !ok {
		t.Fatalf("pattern %d did not match", i)
	}
	if _, ok := res.match([]string{`^halt`, `^memory map:`}); ok {
		t.Fatal("patterns must match in order: memory map comes before halt")
	}
	if m := res.Find(`^selfcheck (\w+): ok`); len(m) != 2 || m[1] != "a" {
		t.Fatalf("Find = %q", m)
	}
}

func TestTail(t *testing.T) {
	res := &Result{Console: "1\n2\n3\n4\n"}
	if got := res.Tail(2); got != "3\n4" {
		t.Fatalf("Tail(2) = %q", got)
	}
}
