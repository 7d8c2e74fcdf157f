package machine

import (
	"errors"
	"fmt"
	"sort"

	"github.com/tamach/tamach/boot"
	"github.com/tamach/tamach/pmap"
)

// MapRange is one range of the kernel's identity map: physical [Start, End)
// mapped at the same virtual addresses with Prot and Flags.
type MapRange struct {
	Start, End pmap.PAddr
	Prot       pmap.Prot
	Flags      pmap.Flags
}

// Size is the length of r in bytes.
func (r MapRange) Size() uint64 { return uint64(r.End - r.Start) }

// Protections of the identity map: the kernel's text is the only executable
// memory, and is not writable; everything else is data.
const (
	protText   = pmap.ProtRead | pmap.ProtExecute
	protData   = pmap.ProtRead | pmap.ProtWrite
	protDevice = pmap.ProtRead | pmap.ProtWrite
)

// errLayout reports a memory map the identity map cannot be built from.
var errLayout = errors.New("machine: bad memory map for the identity map")

// IdentityRanges plans the kernel's identity map from the board's memory map
// and the kernel's text [textStart, textEnd): every region, RAM or device,
// mapped 1:1; devices uncached (pmap.Device); the text read+execute; all
// other memory read+write, never executable. Page 0 stays unmapped so that
// nil pointer dereferences fault, as on TamaGo's boot tables. Ranges are
// widened to page boundaries, sorted, and adjacent ranges with the same
// rights are merged so that MapRange can use the largest pages. Every range
// is Wired.
func IdentityRanges(memory []boot.Region, textStart, textEnd uint64) ([]MapRange, error) {
	if textEnd <= textStart {
		return nil, fmt.Errorf("%w: empty text [%#x, %#x)", errLayout, textStart, textEnd)
	}
	text := MapRange{Start: truncPA(textStart), End: roundPA(textEnd), Prot: protText, Flags: pmap.Wired}
	var out []MapRange
	for _, r := range memory {
		if r.End <= r.Start {
			return nil, fmt.Errorf("%w: region %q [%#x, %#x)", errLayout, r.Name, r.Start, r.End)
		}
		m := MapRange{Start: truncPA(r.Start), End: roundPA(r.End), Prot: protData, Flags: pmap.Wired}
		if r.Kind == boot.Device {
			m.Prot, m.Flags = protDevice, pmap.Wired|pmap.Device
		}
		if m.Start == 0 {
			m.Start = pmap.PageSize
		}
		if m.Start < m.End {
			out = append(out, carve(m, text)...)
		}
	}
	out = append(out, text)
	sort.Slice(out, func(i, j int) bool { return out[i].Start < out[j].Start })
	for i := 1; i < len(out); i++ {
		if out[i-1].End > out[i].Start {
			return nil, fmt.Errorf("%w: [%v, %v) overlaps [%v, %v)", errLayout,
				out[i-1].Start, out[i-1].End, out[i].Start, out[i].End)
		}
	}
	return merge(out), nil
}

// carve returns the parts of m outside hole.
func carve(m, hole MapRange) []MapRange {
	if hole.End <= m.Start || hole.Start >= m.End {
		return []MapRange{m}
	}
	var out []MapRange
	if m.Start < hole.Start {
		low := m
		low.End = hole.Start
		out = append(out, low)
	}
	if hole.End < m.End {
		high := m
		high.Start = hole.End
		out = append(out, high)
	}
	return out
}

// merge joins adjacent sorted ranges with the same protection and flags.
func merge(rs []MapRange) []MapRange {
	var out []MapRange
	for _, r := range rs {
		if n := len(out); n > 0 && out[n-1].End == r.Start && out[n-1].Prot == r.Prot && out[n-1].Flags == r.Flags {
			out[n-1].End = r.End
			continue
		}
		out = append(out, r)
	}
	return out
}

// Page sizes the identity map is built from (Intel SDM Vol. 3A §4.5: 4 KiB
// PTEs, 2 MiB PDEs and 1 GiB PDPTEs with PS = 1).
const (
	size2M = 1 << 21
	size1G = 1 << 30
)

// PageCounts is how many pages of each size an identity map uses.
type PageCounts struct {
	Small, Large2M, Huge1G uint64
}

// CountPages returns the pages MapRange uses for rs when it always takes the
// largest page that both addresses are aligned to and the rest of the range
// fills (pmap/amd64's MapRange contract); page1G says whether the CPU has
// 1 GiB pages.
func CountPages(rs []MapRange, page1G bool) PageCounts {
	var c PageCounts
	for _, r := range rs {
		for a := uint64(r.Start); a < uint64(r.End); {
			left := uint64(r.End) - a
			switch {
			case page1G && a%size1G == 0 && left >= size1G:
				c.Huge1G++
				a += size1G
			case a%size2M == 0 && left >= size2M:
				c.Large2M++
				a += size2M
			default:
				c.Small++
				a += pmap.PageSize
			}
		}
	}
	return c
}

func truncPA(a uint64) pmap.PAddr { return pmap.PAddr(a).Trunc() }
func roundPA(a uint64) pmap.PAddr { return pmap.PAddr(a + pmap.PageMask).Trunc() }
