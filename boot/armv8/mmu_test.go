package armv8

import "testing"

// virtMap is QEMU virt's RAM window (1 GiB to 256 GiB), uartBase its PL011.
var virtMap = BootMap{RAMStart: 1 << 30, RAMEnd: 256 << 30}

const uartBase = 0x0900_0000

func TestBootTables(t *testing.T) {
	l1 := make([]uint64, entriesPerTable)
	l2 := make([]uint64, entriesPerTable)
	const l2PA = 0x4030_1000
	fillBootTables(virtMap, l1, l2, l2PA)

	if l1[0] != l2PA|descValid|descTable {
		t.Errorf("L1[0] = %#x, want a table at %#x", l1[0], l2PA)
	}
	if l2[0] != 0 {
		t.Errorf("L2[0] = %#x, want invalid (nil page trap)", l2[0])
	}
	uart := l2[uint64(uartBase)>>l2BlockShift]
	if uart&descAddrMask != uint64(uartBase)&^(1<<l2BlockShift-1) || uart>>descAttrIdx&7 != attrDevice || uart&(descPXN|descUXN) != descPXN|descUXN {
		t.Errorf("UART block %#x: want device, never executable", uart)
	}
	ram := l1[uint64(virtMap.RAMStart)>>l1BlockShift]
	if ram != uint64(virtMap.RAMStart)|normalBlock || ram&descPXN != 0 {
		t.Errorf("RAM block %#x, want normal memory executable at EL1", ram)
	}
	if l1[255] != 255<<l1BlockShift|normalBlock || l1[256] != 0 || l1[511] != 0 {
		t.Errorf("L1[255..256] = %#x %#x: the RAM window must end at 256 GiB", l1[255], l1[256])
	}
	for i, d := range l1 {
		if d&descValid != 0 && d&descAF == 0 && d&descTable == 0 {
			t.Errorf("L1[%d] lacks AF", i)
		}
	}
}

// TestBootTablesSmallRAM: a board with 1 GiB of RAM (the i.MX 8M Plus
// plan) gets exactly one RAM block; the rest of TTBR0's range faults.
func TestBootTablesSmallRAM(t *testing.T) {
	l1 := make([]uint64, entriesPerTable)
	l2 := make([]uint64, entriesPerTable)
	fillBootTables(BootMap{RAMStart: 1 << 30, RAMEnd: 2 << 30}, l1, l2, 0x4030_1000)
	for i, d := range l1 {
		if want := i <= 1; (d&descValid != 0) != want {
			t.Errorf("L1[%d] = %#x, valid should be %v", i, d, want)
		}
	}
}

func TestBootTablesPanicsOnMisuse(t *testing.T) {
	for _, c := range []struct {
		name string
		m    BootMap
		l2PA uint64
	}{
		{"unaligned table", virtMap, 0x1234},
		{"RAM below 1 GiB", BootMap{RAMStart: 0, RAMEnd: 1 << 30}, 0x4030_1000},
		{"RAM end not on a GiB", BootMap{RAMStart: 1 << 30, RAMEnd: 3 << 29}, 0x4030_1000},
		{"RAM beyond 512 GiB", BootMap{RAMStart: 1 << 30, RAMEnd: 513 << 30}, 0x4030_1000},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("fillBootTables accepted: %s", c.name)
				}
			}()
			fillBootTables(c.m, make([]uint64, entriesPerTable), make([]uint64, entriesPerTable), c.l2PA)
		}()
		if c.l2PA == 0x4030_1000 && c.m.Check() == nil {
			t.Errorf("Check accepted: %s", c.name)
		}
	}
	if err := virtMap.Check(); err != nil {
		t.Error(err)
	}
}

func TestBootTCR(t *testing.T) {
	if got := bootTCR(0x2) >> tcrIPSShift & 7; got != 0x2 {
		t.Errorf("PARange 40 bits: IPS %#x", got)
	}
	if got := bootTCR(0x6) >> tcrIPSShift & 7; got != tcrIPSMax {
		t.Errorf("PARange 52 bits: IPS %#x, want capped at 48 bits", got)
	}
	if tcr := bootTCR(0x5); tcr&0x3f != 25 || tcr&tcrEPD1 == 0 {
		t.Errorf("TCR %#x: want T0SZ 25 and TTBR1 walks disabled", tcr)
	}
	if s := bootSCTLR(0); s&1 == 0 || s&4 == 0 {
		t.Errorf("SCTLR %#x: want M and C", s)
	}
}
