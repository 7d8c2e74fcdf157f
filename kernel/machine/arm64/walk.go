package arm64

import (
	"github.com/tamach/tamach/pmap"

	"github.com/tamach/tamach/kernel/machine"
)

// VMSAv8-64 descriptor bits the leaf count reads (Arm ARM D8.3,
// "Translation table descriptor formats"): bit [0] valid, bit [1] table
// (levels 0-2) or page (level 3).
const (
	a64DescValid = 1 << 0
	a64DescTable = 1 << 1
	a64DescAddr  = (1<<48 - 1) &^ pmap.PageMask
	a64Levels    = 4
)

// a64CountLeaves walks the 4 KiB-granule, 4-level tables rooted at root and
// counts their leaves: 1 GiB blocks (level 1), 2 MiB blocks (level 2) and
// 4 KiB pages (level 3). It reads the tables directly, so it checks the pmap
// against the architecture's format rather than against itself.
func a64CountLeaves(mem pmap.Memory, root pmap.PAddr) machine.PageCounts {
	var c machine.PageCounts
	a64CountLevel(mem, root, 0, &c)
	return c
}

func a64CountLevel(mem pmap.Memory, table pmap.PAddr, level int, c *machine.PageCounts) {
	for _, d := range pmap.Table(mem, table) {
		switch {
		case d&a64DescValid == 0:
		case level < a64Levels-1 && d&a64DescTable != 0:
			a64CountLevel(mem, pmap.PAddr(d&a64DescAddr), level+1, c)
		case level == 1:
			c.Huge1G++
		case level == 2:
			c.Large2M++
		case level == 3:
			c.Small++
		}
	}
}
