package arm64

import "fmt"

// Vector is the index of an entry of the VBAR_EL1 table: the table holds
// four groups (where the exception came from) of four kinds (what it is),
// each entry 0x80 bytes (Arm ARM §D1 "Exception vectors", table
// "Vector offsets from vector table base address").
type Vector uint8

// Groups and kinds of the vector table, in table order.
const (
	vectorKinds  = 4
	vectorGroups = 4
	NumVectors   = vectorKinds * vectorGroups
	VectorStride = 0x80 // bytes per entry
)

// Vector kinds, the low two bits of a Vector.
const (
	KindSync Vector = iota
	KindIRQ
	KindFIQ
	KindSError
)

// Vector groups, the high two bits of a Vector.
const (
	GroupCurrentSP0 Vector = iota * vectorKinds // current EL, SP_EL0 selected
	GroupCurrentSPx                             // current EL, SP_ELx selected
	GroupLower64                                // lower EL in AArch64
	GroupLower32                                // lower EL in AArch32
)

var vectorGroupNames = [vectorGroups]string{"current EL with SP0", "current EL with SPx", "lower EL AArch64", "lower EL AArch32"}
var vectorKindNames = [vectorKinds]string{"synchronous", "IRQ", "FIQ", "SError"}

// Kind is the exception kind of the entry.
func (v Vector) Kind() Vector { return v % vectorKinds }

// Group is the origin group of the entry.
func (v Vector) Group() Vector { return v - v%vectorKinds }

// Offset is the byte offset of the entry from VBAR_EL1.
func (v Vector) Offset() uint64 { return uint64(v) * VectorStride }

func (v Vector) String() string {
	if v >= NumVectors {
		return fmt.Sprintf("vector %d (invalid)", uint8(v))
	}
	return fmt.Sprintf("%s %s (VBAR_EL1+%#03x)", vectorGroupNames[v/vectorKinds], vectorKindNames[v%vectorKinds], v.Offset())
}
