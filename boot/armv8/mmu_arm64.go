//go:build tamago

package armv8

import cpu "github.com/tamach/tamach/cpu/arm64"

// bootTables holds the boot map's level 1 and level 2 tables, plus one
// page of slack to align them to 4 KiB.
var bootTables [3 * entriesPerTable]uint64

// initMMU builds the boot identity map m and turns on the MMU and caches.
// Precondition: MMU off, no heap allocation possible yet (Hwinit0).
func initMMU(m BootMap) {
	base := addressOf(&bootTables[0])
	skip := (pageSize - base%pageSize) % pageSize / 8
	l1 := bootTables[skip : skip+entriesPerTable]
	l2 := bootTables[skip+entriesPerTable : skip+2*entriesPerTable]
	l1PA := base + skip*8
	fillBootTables(m, l1, l2, l1PA+pageSize)
	enableMMU(mairValue, bootTCR(cpu.ReadMMFR0()), l1PA, bootSCTLR(cpu.ReadSCTLR()))
}
