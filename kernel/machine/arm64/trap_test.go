package arm64

import (
	"testing"

	"github.com/tamach/tamach/pmap"

	"github.com/tamach/tamach/kernel/machine"

	cpu "github.com/tamach/tamach/cpu/arm64"
)

// Syndromes below are ESR_EL1 values composed as the Arm ARM (D19.2,
// ESR_EL1) lays them out: EC << 26 | IL (1 << 25) | ISS.
const (
	il     = 1 << 25
	issWnR = 1 << 6 // data abort: write
	issCM  = 1 << 8 // data abort: cache maintenance
)

func TestDecodeTrap(t *testing.T) {
	const far = 0x60_0008
	cases := []struct {
		name string
		kind cpu.Vector
		esr  uint64
		want machine.Trap
	}{
		{"svc #0", cpu.KindSync, cpu.ECSVC64<<26 | il, machine.Trap{Cause: machine.Cause{Kind: machine.TrapSyscall, User: true}, Vector: cpu.ECSVC64, Code: cpu.ECSVC64<<26 | il}},
		{"write, translation L3", cpu.KindSync, cpu.ECDataAbortLow<<26 | il | issWnR | 0b000111,
			machine.Trap{Cause: machine.Cause{Kind: machine.TrapPageFault, Access: pmap.ProtWrite, Present: false, User: true}, Addr: far, Vector: cpu.ECDataAbortLow, Code: cpu.ECDataAbortLow<<26 | il | issWnR | 0b000111}},
		{"read, permission L3", cpu.KindSync, cpu.ECDataAbortLow<<26 | il | 0b001111,
			machine.Trap{Cause: machine.Cause{Kind: machine.TrapPageFault, Access: pmap.ProtRead, Present: true, User: true}, Addr: far, Vector: cpu.ECDataAbortLow, Code: cpu.ECDataAbortLow<<26 | il | 0b001111}},
		{"dc civac: CM reads", cpu.KindSync, cpu.ECDataAbortLow<<26 | il | issCM | issWnR | 0b000101,
			machine.Trap{Cause: machine.Cause{Kind: machine.TrapPageFault, Access: pmap.ProtRead, User: true}, Addr: far, Vector: cpu.ECDataAbortLow, Code: cpu.ECDataAbortLow<<26 | il | issCM | issWnR | 0b000101}},
		{"fetch, access flag L3", cpu.KindSync, cpu.ECInstAbortLow<<26 | il | 0b001011,
			machine.Trap{Cause: machine.Cause{Kind: machine.TrapPageFault, Access: pmap.ProtExecute, Present: true, User: true}, Addr: far, Vector: cpu.ECInstAbortLow, Code: cpu.ECInstAbortLow<<26 | il | 0b001011}},
		{"alignment fault is no page fault", cpu.KindSync, cpu.ECDataAbortLow<<26 | il | 0b100001,
			machine.Trap{Cause: machine.Cause{Kind: machine.TrapException, User: true}, Vector: cpu.ECDataAbortLow, Code: cpu.ECDataAbortLow<<26 | il | 0b100001}},
		{"brk", cpu.KindSync, cpu.ECBRK64<<26 | il | 7, machine.Trap{Cause: machine.Cause{Kind: machine.TrapException, User: true}, Vector: cpu.ECBRK64, Code: cpu.ECBRK64<<26 | il | 7}},
		{"undefined", cpu.KindSync, il, machine.Trap{Cause: machine.Cause{Kind: machine.TrapException, User: true}, Vector: 0, Code: il}},
		{"irq", cpu.KindIRQ, 0, machine.Trap{Cause: machine.Cause{Kind: machine.TrapInterrupt, User: true}, Vector: 27}},
		{"fiq", cpu.KindFIQ, 0, machine.Trap{Cause: machine.Cause{Kind: machine.TrapException, User: true}, Vector: fiqVector}},
		{"serror", cpu.KindSError, cpu.ECSError<<26 | il, machine.Trap{Cause: machine.Cause{Kind: machine.TrapException, User: true}, Vector: cpu.ECSError, Code: cpu.ECSError<<26 | il}},
	}
	for _, c := range cases {
		if got := decodeTrap(c.kind, cpu.ESR(c.esr), far, 27); got != c.want {
			t.Errorf("%s: got %+v, want %+v", c.name, got, c.want)
		}
	}
}

func TestDecodePAR(t *testing.T) {
	// A successful walk: ATTR in bits [63:56] (0xff, Normal WB), NS,
	// SH, PA[47:12].
	pa, _, ok := decodePAR(0xff00_0000_5100_0000 | 0b11<<7 | 1<<9)
	if !ok || pa != 0x5100_0000 {
		t.Errorf("ok PAR: %v %v", pa, ok)
	}
	// A failed one: F = 1, FST = translation fault level 3.
	_, fs, ok := decodePAR(1 | 0b000111<<1)
	if ok || fs != cpu.FaultTranslation|3 {
		t.Errorf("failed PAR: fs %v ok %v", fs, ok)
	}
}
