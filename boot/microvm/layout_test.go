package microvm

import (
	"encoding/binary"
	"errors"
	"strings"
	"testing"

	"github.com/tamach/tamach/boot"
)

// e820 encodes entries as QEMU's etc/e820 does.
func e820(entries ...[3]uint64) []byte {
	var b []byte
	for _, e := range entries {
		var rec [e820EntrySize]byte
		binary.LittleEndian.PutUint64(rec[0:], e[0])
		binary.LittleEndian.PutUint64(rec[8:], e[1])
		binary.LittleEndian.PutUint32(rec[16:], uint32(e[2]))
		b = append(b, rec[:]...)
	}
	return b
}

const (
	testText     = ramStart + imageOffset
	testImageEnd = 0x325f1a0 // end of bss of a real build
)

func TestParseE820(t *testing.T) {
	const reserved = 2
	got, err := parseE820(e820(
		[3]uint64{1 << 32, 1 << 30, e820RAM},
		[3]uint64{0, 0xc0000000, e820RAM},
		[3]uint64{0xfeffc000, 0x4000, reserved},
	))
	if err != nil {
		t.Fatal(err)
	}
	want := []ramRange{{0, 0xc0000000}, {1 << 32, 1<<32 + 1<<30}}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("parseE820 = %v, want %v", got, want)
	}
}

func TestParseE820Malformed(t *testing.T) {
	for name, b := range map[string][]byte{
		"empty":     nil,
		"truncated": e820([3]uint64{0, 1 << 30, e820RAM})[:19],
		"wraps":     e820([3]uint64{^uint64(0) - 10, 100, e820RAM}),
	} {
		if _, err := parseE820(b); !errors.Is(err, errE820) {
			t.Errorf("%s: err = %v, want errE820", name, err)
		}
	}
}

// checkMap verifies the invariants boot.Board states for Memory and Pool.
func checkMap(t *testing.T, regions []boot.Region, pool boot.Region) {
	t.Helper()
	for i, r := range regions {
		if r.Start >= r.End {
			t.Errorf("region %q empty or inverted: %#x-%#x", r.Name, r.Start, r.End)
		}
		if i > 0 && regions[i-1].End > r.Start {
			t.Errorf("regions %q and %q overlap or are unsorted", regions[i-1].Name, r.Name)
		}
	}
	var found bool
	for _, r := range regions {
		if r == pool {
			found = true
		}
		if r.Kind == boot.Heap && r.End > below4G {
			t.Errorf("heap %#x-%#x reaches above 4 GiB", r.Start, r.End)
		}
		if r.Kind != boot.Pool && r.Kind != boot.Device && r.Start < pool.End && pool.Start < r.End {
			t.Errorf("pool overlaps %q", r.Name)
		}
	}
	if !found {
		t.Errorf("pool %v not in the memory map", pool)
	}
	if pool.Start%pageSize != 0 || pool.End%pageSize != 0 {
		t.Errorf("pool %#x-%#x not page aligned", pool.Start, pool.End)
	}
}

func TestMemoryMap1G(t *testing.T) {
	ram := []ramRange{{0, 1 << 30}}
	regions, pool, err := memoryMap(ram, testText, testImageEnd)
	if err != nil {
		t.Fatal(err)
	}
	checkMap(t, regions, pool)
	if pool.Start != poolStart || pool.End != 1<<30 {
		t.Errorf("pool = %#x-%#x, want %#x-%#x", pool.Start, pool.End, poolStart, 1<<30)
	}
	want := []struct {
		kind       boot.RegionKind
		start, end uint64
	}{
		{boot.RAM, 0, 1 << 20},
		{boot.DMA, 1 << 20, 16 << 20},
		{boot.Image, 16 << 20, 0x3260000},
		{boot.Heap, 0x3260000, 272 << 20},
		{boot.Pool, 272 << 20, 1 << 30},
	}
	for i, w := range want {
		r := regions[i]
		if r.Kind != w.kind || r.Start != w.start || r.End != w.end {
			t.Errorf("region %d = %v %#x-%#x, want %v %#x-%#x", i, r.Kind, r.Start, r.End, w.kind, w.start, w.end)
		}
	}
	if n := len(regions) - len(want); n != len(deviceRegions()) {
		t.Errorf("%d regions after the pool, want the %d devices", n, len(deviceRegions()))
	}
}

func TestMemoryMapAbove4G(t *testing.T) {
	// QEMU -m 5G: 3 GiB below 4 GiB, 2 GiB from 4 GiB up.
	ram := []ramRange{{0, 3 << 30}, {1 << 32, 1<<32 + 2<<30}}
	regions, pool, err := memoryMap(ram, testText, testImageEnd)
	if err != nil {
		t.Fatal(err)
	}
	checkMap(t, regions, pool)
	if pool.End != 3<<30 {
		t.Errorf("pool ends at %#x, want 3 GiB", pool.End)
	}
	last := regions[len(regions)-1]
	if last.Kind != boot.RAM || last.Start != 1<<32 || last.End != 1<<32+2<<30 {
		t.Errorf("last region = %+v, want the RAM above 4 GiB", last)
	}
}

func TestMemoryMapErrors(t *testing.T) {
	tests := []struct {
		name      string
		ram       []ramRange
		text, end uint64
		want      string
	}{
		{"too little RAM", []ramRange{{0, 256 << 20}}, testText, testImageEnd, "need at least"},
		{"no RAM at 0", []ramRange{{1 << 20, 1 << 30}}, testText, testImageEnd, "no RAM at address 0"},
		{"no RAM", nil, testText, testImageEnd, "no RAM at address 0"},
		{"wrong -T", []ramRange{{0, 1 << 30}}, 0x10010000, 0x10100000, "build.mk -T"},
		{"image too big", []ramRange{{0, 1 << 30}}, testText, poolStart + 1, "outside runtime RAM"},
	}
	for _, tt := range tests {
		_, _, err := memoryMap(tt.ram, tt.text, tt.end)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want one containing %q", tt.name, err, tt.want)
		}
	}
}
