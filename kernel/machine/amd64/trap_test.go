package amd64

import (
	"testing"

	"github.com/tamach/tamach/pmap"

	"github.com/tamach/tamach/kernel/machine"

	cpu "github.com/tamach/tamach/cpu/amd64"
)

func TestDecodeTrap(t *testing.T) {
	for _, tc := range []struct {
		name              string
		vector, code, cr2 uint64
		want              machine.Trap
	}{
		{"syscall", vectorSyscall, 0, 0, machine.Trap{Cause: machine.Cause{Kind: machine.TrapSyscall}, Vector: vectorSyscall}},
		// error code 0b110: not present, write, user (Figure 4-12)
		{"write to missing page", 14, 0x6, 0x600000, machine.Trap{Cause: machine.Cause{Kind: machine.TrapPageFault, Access: pmap.ProtWrite, User: true}, Vector: 14, Code: 6, Addr: 0x600000}},
		// 0b101: present (protection), read, user
		{"read of supervisor page", 14, 0x5, 0xffff_ff80_0000_2000, machine.Trap{Cause: machine.Cause{Kind: machine.TrapPageFault, Access: pmap.ProtRead, Present: true, User: true}, Vector: 14, Code: 5, Addr: 0xffff_ff80_0000_2000}},
		// 0b10101: present, user, instruction fetch (NX)
		{"execute NX page", 14, 0x15, 0x7ff000, machine.Trap{Cause: machine.Cause{Kind: machine.TrapPageFault, Access: pmap.ProtExecute, Present: true, User: true}, Vector: 14, Code: 0x15, Addr: 0x7ff000}},
		{"general protection", cpu.VectorGP, 0x18, 0, machine.Trap{Cause: machine.Cause{Kind: machine.TrapException}, Vector: cpu.VectorGP, Code: 0x18}},
		{"invalid opcode", cpu.VectorUD, 0, 0, machine.Trap{Cause: machine.Cause{Kind: machine.TrapException}, Vector: cpu.VectorUD}},
		{"timer", vectorTimer, 0, 0, machine.Trap{Cause: machine.Cause{Kind: machine.TrapInterrupt}, Vector: vectorTimer}},
	} {
		if got := decodeTrap(tc.vector, tc.code, tc.cr2); got != tc.want {
			t.Errorf("%s: decodeTrap = %+v, want %+v", tc.name, got, tc.want)
		}
	}
}
