package machine

import (
	"reflect"
	"testing"

	"github.com/tamach/tamach/boot"
	"github.com/tamach/tamach/pmap"
)

// microvmMap is boot/microvm's memory map with -m 1G (docs/boot-amd64.md).
var microvmMap = []boot.Region{
	{Name: "low", Kind: boot.RAM, Start: 0, End: 0x100000},
	{Name: "dma", Kind: boot.DMA, Start: 0x100000, End: 0x1000000},
	{Name: "image", Kind: boot.Image, Start: 0x1000000, End: 0x3272000},
	{Name: "heap", Kind: boot.Heap, Start: 0x3272000, End: 0x11000000},
	{Name: "pool", Kind: boot.Pool, Start: 0x11000000, End: 0x40000000},
	{Name: "ged", Kind: boot.Device, Start: 0xfea00000, End: 0xfea01000},
	{Name: "virtio", Kind: boot.Device, Start: 0xfeb00000, End: 0xfeb03000},
	{Name: "lapic", Kind: boot.Device, Start: 0xfee00000, End: 0xfee00800},
}

func TestIdentityRanges(t *testing.T) {
	got, err := IdentityRanges(microvmMap, 0x1010000, 0x1800123)
	if err != nil {
		t.Fatal(err)
	}
	dev := pmap.Wired | pmap.Device
	want := []MapRange{
		{0x1000, 0x1010000, protData, pmap.Wired},     // page 0 left out
		{0x1010000, 0x1801000, protText, pmap.Wired},  // text, rounded up
		{0x1801000, 0x40000000, protData, pmap.Wired}, // rodata..pool merged
		{0xfea00000, 0xfea01000, protDevice, dev},
		{0xfeb00000, 0xfeb03000, protDevice, dev},
		{0xfee00000, 0xfee01000, protDevice, dev}, // rounded to a page
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("IdentityRanges:\n got %x\nwant %x", got, want)
	}
}

func TestIdentityRangesRejectsOverlap(t *testing.T) {
	bad := append([]boot.Region{{Name: "x", Kind: boot.Device, Start: 0x2000000, End: 0x2001000}}, microvmMap...)
	if _, err := IdentityRanges(bad, 0x1010000, 0x1800000); err == nil {
		t.Error("overlapping device and RAM accepted")
	}
	if _, err := IdentityRanges(microvmMap, 0x1010000, 0x1010000); err == nil {
		t.Error("empty text accepted")
	}
}

func TestCountPages(t *testing.T) {
	rs := []MapRange{{Start: 0x1000, End: 0x40000000}}
	// [4K, 2M): 511 small pages; [2M, 1G): 511 large ones.
	if c := CountPages(rs, true); c != (PageCounts{Small: 511, Large2M: 511}) {
		t.Errorf("CountPages = %+v", c)
	}
	rs = []MapRange{{Start: 0, End: 0x80000000}}
	if c := CountPages(rs, true); c != (PageCounts{Huge1G: 2}) {
		t.Errorf("with 1 GiB pages: %+v", c)
	}
	if c := CountPages(rs, false); c != (PageCounts{Large2M: 1024}) {
		t.Errorf("without 1 GiB pages: %+v", c)
	}
}
