package imx8mpevk

import (
	"testing"

	"github.com/tamach/tamach/boot"
)

func TestPlan(t *testing.T) {
	regions, pool, err := Plan(ImageBase + 48<<20)
	if err != nil {
		t.Fatal(err)
	}
	want := boot.Region{Name: "page-frame pool", Kind: boot.Pool, Start: 0x5800_0000, End: 0x8000_0000}
	if pool != want {
		t.Errorf("pool = %+v, want %+v", pool, want)
	}
	var prev boot.Region
	kinds := map[boot.RegionKind]uint64{}
	for i, r := range regions {
		if i > 0 && r.Start < prev.End {
			t.Errorf("%q overlaps %q", r.Name, prev.Name)
		}
		prev = r
		kinds[r.Kind] += r.Size()
		// The Go heap stays below 4 GiB (docs/architecture.md §2).
		if (r.Kind == boot.Heap || r.Kind == boot.Image) && r.End > 1<<32 {
			t.Errorf("%s ends above 4 GiB", r.Name)
		}
	}
	if kinds[boot.Heap]+kinds[boot.Image] != HeapSize-imageReserve {
		t.Errorf("heap+image = %#x, want %#x", kinds[boot.Heap]+kinds[boot.Image], HeapSize-imageReserve)
	}
	if kinds[boot.Pool] != 640<<20 {
		t.Errorf("pool = %d MiB, want 640", kinds[boot.Pool]>>20)
	}
	// RAM regions fill [RAMBase, RAMEnd) without a gap.
	var ram uint64
	for _, r := range regions {
		if r.Kind != boot.Device {
			ram += r.Size()
		}
	}
	if ram != RAMSize {
		t.Errorf("RAM regions cover %#x bytes, want %#x", ram, RAMSize)
	}
}

func TestPlanRejectsHugeImage(t *testing.T) {
	if _, _, err := Plan(HeapBase + HeapSize/2 + pageSize); err == nil {
		t.Error("an image past the first half of the heap window was accepted")
	}
	if _, _, err := Plan(ImageBase); err == nil {
		t.Error("an empty image was accepted")
	}
}

func TestLayoutConstants(t *testing.T) {
	if err := BootMap.Check(); err != nil {
		t.Error(err)
	}
	if TextBase != 0x4020_1000 {
		t.Errorf("TextBase %#x: build.mk links at -T 0x40201000", TextBase)
	}
	if BootFilesBase != 0x5000_0000 || BootFilesSize != 96<<20 {
		t.Errorf("boot files at %#x, %d MiB: qemu.mk, hostfiles.mk and docs/boards.md say 0x50000000, 96 MiB", BootFilesBase, BootFilesSize>>20)
	}
	if RAMEnd > DDRLimit {
		t.Errorf("plan RAM ends at %#x beyond the DDR window %#x", RAMEnd, DDRLimit)
	}
	for _, d := range deviceRegions() {
		if d.End > uint64(RAMBase) || d.Start < 2<<20 {
			t.Errorf("device window %q at %#x outside [2 MiB, 1 GiB), the boot map's device range", d.Name, d.Start)
		}
	}
}
