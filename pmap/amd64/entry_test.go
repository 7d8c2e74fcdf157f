package amd64

import (
	"testing"

	"github.com/tamach/tamach/pmap"
)

// TestGoldenEntries checks encodings against values worked out by hand from
// the manual's tables.
func TestGoldenEntries(t *testing.T) {
	nx := func(p pmap.Prot, user bool) leafAttrs { return leafAttrs{prot: p, user: user, nx: true} }
	cases := []struct {
		name string
		got  entry
		want uint64
	}{
		// Table 4-15: PML4E referencing a PDPT at 0x1000, P|R/W|U/S.
		{"pml4e user", tableEntry(0x1000, true), 0x0000_0000_0000_1007},
		// Table 4-19: PDE referencing a PT, supervisor: P|R/W.
		{"pde kernel", tableEntry(0x7654_3000, false), 0x0000_0000_7654_3003},
		// Table 4-20: PTE, user read/write data page, XD (bit 63) set.
		{"pte user rw-", leafEntry(0x20_0000, levelPT, nx(pmap.ProtRead|pmap.ProtWrite, true)), 0x8000_0000_0020_0007},
		// Table 4-20: PTE, user r-x text page: P|U/S, no XD.
		{"pte user r-x", leafEntry(0x40_1000, levelPT, nx(pmap.ProtRead|pmap.ProtExecute, true)), 0x0000_0000_0040_1005},
		// Table 4-20: PTE, supervisor read-only, no-execute.
		{"pte kernel r--", leafEntry(0x3000, levelPT, nx(pmap.ProtRead, false)), 0x8000_0000_0000_3001},
		// §4.9.2: device registers, PCD|PWT (PAT entry 3, UC).
		{"pte device", leafEntry(0xfee0_0000, levelPT, leafAttrs{prot: pmap.ProtRead | pmap.ProtWrite, device: true, nx: true}), 0x8000_0000_fee0_001b},
		// Without NXE, bit 63 is reserved and never set (§4.6).
		{"pte no NX", leafEntry(0x5000, levelPT, leafAttrs{prot: pmap.ProtRead}), 0x0000_0000_0000_5001},
		// Table 4-16: the 1 GiB PDPTE TamaGo's amd64 boot code writes
		// for 0x40000000 (PS|R/W|P).
		{"pdpte 1G", leafEntry(0x4000_0000, levelPDPT, leafAttrs{prot: pmap.ProtAll}), 0x4000_0083},
	}
	for _, c := range cases {
		if uint64(c.got) != c.want {
			t.Errorf("%s: %#x, want %#x", c.name, uint64(c.got), c.want)
		}
	}
}
