package machine

import (
	"reflect"
	"testing"
	"unsafe"
)

// Trap must stay a value the Go compiler keeps in registers: at most four
// fields in at most four words (cmd/compile/internal/ssagen, TypeOK), or
// every system call and fault copies it through the stack at each of the
// calls it passes through (docs/performance.md, "The null system call").
// A new field belongs in Cause, if it fits there, or needs a measurement.
func TestTrapFitsInRegisters(t *testing.T) {
	const maxFields, maxBytes = 4, 4 * unsafe.Sizeof(uintptr(0))
	for _, v := range []any{Trap{}, Cause{}} {
		ty := reflect.TypeOf(v)
		if ty.NumField() > maxFields || ty.Size() > maxBytes {
			t.Errorf("%v: %d fields in %d bytes; the compiler keeps at most %d fields in %d bytes in registers",
				ty, ty.NumField(), ty.Size(), maxFields, maxBytes)
		}
	}
	// The promoted fields still read as Trap's own.
	tr := Trap{Cause: Cause{Kind: TrapPageFault, Access: 2, Present: true, User: true}, Addr: 0x1000}
	if tr.Kind != TrapPageFault || tr.Access != 2 || !tr.Present || !tr.User {
		t.Errorf("promoted Cause fields: %+v", tr)
	}
}
