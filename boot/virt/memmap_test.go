package virt

import (
	"strings"
	"testing"

	"github.com/tamach/tamach/boot"
)

func TestPlan1GiB(t *testing.T) {
	l := Layout{RAMEnd: RAMBase + 1<<30, ImageStart: ImageBase, ImageEnd: ImageBase + 2<<20}
	regions, pool, err := Plan(l, 3)
	if err != nil {
		t.Fatal(err)
	}
	if err := checkSorted(regions); err != nil {
		t.Fatal(err)
	}
	wantPool := boot.Region{Name: "page-frame pool", Kind: boot.Pool, Start: 0x5100_0000, End: 0x8000_0000}
	if pool != wantPool {
		t.Errorf("pool = %+v, want %+v", pool, wantPool)
	}
	kinds := map[boot.RegionKind]uint64{}
	for _, r := range regions {
		kinds[r.Kind] += r.Size()
	}
	if kinds[boot.Heap]+kinds[boot.Image] != HeapSize-bootReserve {
		t.Errorf("heap+image = %#x, want %#x", kinds[boot.Heap]+kinds[boot.Image], HeapSize-bootReserve)
	}
	if kinds[boot.DMA] != DMASize || kinds[boot.Pool] != 752<<20 {
		t.Errorf("dma %#x pool %#x", kinds[boot.DMA], kinds[boot.Pool])
	}
	// The Go heap must stay below 4 GiB (docs/architecture.md §2).
	for _, r := range regions {
		if (r.Kind == boot.Heap || r.Kind == boot.Image) && r.End > 1<<32 {
			t.Errorf("%s ends above 4 GiB", r.Name)
		}
	}
}

func TestPlanDevicesPerGICVersion(t *testing.T) {
	l := Layout{RAMEnd: RAMBase + 512<<20, ImageStart: ImageBase, ImageEnd: ImageBase + 1<<20}
	v3, _, err := Plan(l, 3)
	if err != nil {
		t.Fatal(err)
	}
	v2, _, err := Plan(l, 2)
	if err != nil {
		t.Fatal(err)
	}
	has := func(rs []boot.Region, name string) bool {
		for _, r := range rs {
			if strings.Contains(r.Name, name) {
				return true
			}
		}
		return false
	}
	if !has(v3, "redistributors") || has(v3, "gicv2") {
		t.Error("GICv3 map lacks the redistributors or lists a GICv2 CPU interface")
	}
	if has(v2, "redistributors") || !has(v2, "gicv2") {
		t.Error("GICv2 map lists redistributors or lacks the CPU interface")
	}
}

func TestPlanUnalignedRAMEnd(t *testing.T) {
	l := Layout{RAMEnd: RAMBase + 1<<30 + 100, ImageStart: ImageBase, ImageEnd: ImageBase + 1<<20}
	regions, pool, err := Plan(l, 3)
	if err != nil {
		t.Fatal(err)
	}
	if pool.End != uint64(RAMBase)+1<<30 {
		t.Errorf("pool end %#x not page-rounded", pool.End)
	}
	last := regions[len(regions)-1]
	if last.End != uint64(l.RAMEnd) || last.Kind != boot.RAM {
		t.Errorf("last region %+v, want the sub-page tail", last)
	}
}

func TestPlanErrors(t *testing.T) {
	for _, l := range []Layout{
		{RAMEnd: RAMBase + 256<<20, ImageStart: ImageBase, ImageEnd: ImageBase + 1<<20},
		{RAMEnd: RAMLimit + pageSize, ImageStart: ImageBase, ImageEnd: ImageBase + 1<<20},
		{RAMEnd: RAMBase + 1<<30, ImageStart: RAMBase, ImageEnd: ImageBase},
		{RAMEnd: RAMBase + 1<<30, ImageStart: ImageBase, ImageEnd: HeapBase + HeapSize},
	} {
		if _, _, err := Plan(l, 3); err == nil {
			t.Errorf("Plan(%+v) succeeded, want an error", l)
		}
	}
}

func TestDeviceRegionsBelowRAM(t *testing.T) {
	for _, r := range deviceRegions(3) {
		if r.End > uint64(RAMBase) {
			t.Errorf("%s ends at %#x, inside RAM", r.Name, r.End)
		}
	}
}
