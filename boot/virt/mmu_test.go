package virt

import "testing"

func TestBootTables(t *testing.T) {
	l1 := make([]uint64, entriesPerTable)
	l2 := make([]uint64, entriesPerTable)
	const l2PA = 0x4030_1000
	fillBootTables(l1, l2, l2PA)

	if l1[0] != l2PA|descValid|descTable {
		t.Errorf("L1[0] = %#x, want a table at %#x", l1[0], l2PA)
	}
	if l2[0] != 0 {
		t.Errorf("L2[0] = %#x, want invalid (nil page trap)", l2[0])
	}
	uart := l2[uint64(UARTBase)>>l2BlockShift]
	if uart&descAddrMask != uint64(UARTBase)&^(1<<l2BlockShift-1) || uart>>descAttrIdx&7 != attrDevice || uart&(descPXN|descUXN) != descPXN|descUXN {
		t.Errorf("UART block %#x: want device, never executable", uart)
	}
	ram := l1[uint64(RAMBase)>>l1BlockShift]
	if ram != uint64(RAMBase)|normalBlock || ram&descPXN != 0 {
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

func TestBootTablesPanicsOnMisuse(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("fillBootTables accepted an unaligned table")
		}
	}()
	fillBootTables(make([]uint64, entriesPerTable), make([]uint64, entriesPerTable), 0x1234)
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
