package machine

import (
	"testing"

	"github.com/tamach/tamach/pmap"
)

// Syndromes below are ESR_EL1 values composed as the Arm ARM (D19.2,
// ESR_EL1) lays them out: EC << 26 | IL (1 << 25) | ISS.
const il = 1 << 25

func TestA64DecodeTrap(t *testing.T) {
	const far = 0x60_0008
	cases := []struct {
		name string
		kind a64VectorKind
		esr  uint64
		want Trap
	}{
		{"svc #0", a64Sync, ecSVC64<<26 | il, Trap{Kind: TrapSyscall, Vector: ecSVC64, Code: ecSVC64<<26 | il, User: true}},
		{"write, translation L3", a64Sync, ecDataAbortLow<<26 | il | issWnR | 0b000111,
			Trap{Kind: TrapPageFault, Addr: far, Access: pmap.ProtWrite, Present: false, Vector: ecDataAbortLow, Code: ecDataAbortLow<<26 | il | issWnR | 0b000111, User: true}},
		{"read, permission L3", a64Sync, ecDataAbortLow<<26 | il | 0b001111,
			Trap{Kind: TrapPageFault, Addr: far, Access: pmap.ProtRead, Present: true, Vector: ecDataAbortLow, Code: ecDataAbortLow<<26 | il | 0b001111, User: true}},
		{"dc civac: CM reads", a64Sync, ecDataAbortLow<<26 | il | issCM | issWnR | 0b000101,
			Trap{Kind: TrapPageFault, Addr: far, Access: pmap.ProtRead, Vector: ecDataAbortLow, Code: ecDataAbortLow<<26 | il | issCM | issWnR | 0b000101, User: true}},
		{"fetch, access flag L3", a64Sync, ecInstAbortLow<<26 | il | 0b001011,
			Trap{Kind: TrapPageFault, Addr: far, Access: pmap.ProtExecute, Present: true, Vector: ecInstAbortLow, Code: ecInstAbortLow<<26 | il | 0b001011, User: true}},
		{"alignment fault is no page fault", a64Sync, ecDataAbortLow<<26 | il | 0b100001,
			Trap{Kind: TrapException, Vector: ecDataAbortLow, Code: ecDataAbortLow<<26 | il | 0b100001, User: true}},
		{"brk", a64Sync, ecBRK64<<26 | il | 7, Trap{Kind: TrapException, Vector: ecBRK64, Code: ecBRK64<<26 | il | 7, User: true}},
		{"undefined", a64Sync, il, Trap{Kind: TrapException, Vector: 0, Code: il, User: true}},
		{"irq", a64IRQ, 0, Trap{Kind: TrapInterrupt, Vector: 27, User: true}},
		{"fiq", a64FIQ, 0, Trap{Kind: TrapException, Vector: a64FIQVector, User: true}},
		{"serror", a64SError, ecSError<<26 | il, Trap{Kind: TrapException, Vector: ecSError, Code: ecSError<<26 | il, User: true}},
	}
	for _, c := range cases {
		if got := a64DecodeTrap(c.kind, c.esr, far, 27); got != c.want {
			t.Errorf("%s: got %+v, want %+v", c.name, got, c.want)
		}
	}
}

func TestFaultStatus(t *testing.T) {
	cases := []struct {
		fs     FaultStatus
		kind   FaultStatus
		level  int
		paging bool
		text   string
	}{
		{0b000100, FaultTranslation, 0, true, "translation fault, level 0"},
		{0b000111, FaultTranslation, 3, true, "translation fault, level 3"},
		{0b001010, FaultAccessFlag, 2, true, "access flag fault, level 2"},
		{0b001111, FaultPermission, 3, true, "permission fault, level 3"},
		{0b000001, FaultAddressSize, 1, true, "address size fault, level 1"},
		{0b100001, 0b100001, 1, false, "fault status 0x21"},
	}
	for _, c := range cases {
		if c.fs.Kind() != c.kind || c.fs.Paging() != c.paging || c.fs.String() != c.text || (c.paging && c.fs.Level() != c.level) {
			t.Errorf("%#x: kind %#x level %d paging %v %q", uint8(c.fs), uint8(c.fs.Kind()), c.fs.Level(), c.fs.Paging(), c.fs.String())
		}
	}
}

func TestA64DecodePAR(t *testing.T) {
	// A successful walk: ATTR in bits [63:56] (0xff, Normal WB), NS,
	// SH, PA[47:12].
	pa, _, ok := a64DecodePAR(0xff00_0000_5100_0000 | 0b11<<7 | 1<<9)
	if !ok || pa != 0x5100_0000 {
		t.Errorf("ok PAR: %v %v", pa, ok)
	}
	// A failed one: F = 1, FST = translation fault level 3.
	_, fs, ok := a64DecodePAR(1 | 0b000111<<1)
	if ok || fs != FaultTranslation|3 {
		t.Errorf("failed PAR: fs %v ok %v", fs, ok)
	}
}
