package shell

import (
	"fmt"
	"strconv"

	"github.com/tamach/tamach/pmap"
	"github.com/tamach/tamach/vm"
)

// The introspection tools: vmmap, vm_stat, vmobject, pmap, pagers.

// shareModes are vmmap's SM= names (macOS vmmap's legend: COW copy on
// write, PRV private, NUL empty, SHM shared, ALI aliased, S/A shared alias).
var shareModes = map[vm.ShareMode]string{
	vm.SMCOW: "COW", vm.SMPrivate: "PRV", vm.SMEmpty: "NUL", vm.SMShared: "SHM",
	vm.SMTrueShared: "SHM", vm.SMPrivateAliased: "ALI", vm.SMSharedAliased: "S/A",
}

var inheritNames = map[vm.Inherit]string{
	vm.InheritShare: "share", vm.InheritCopy: "copy", vm.InheritNone: "none", vm.InheritDonateCopy: "donate",
}

// kib prints a byte count in KiB, as vmmap does ("16K").
func kib(n uint64) string { return strconv.FormatUint(n>>10, 10) + "K" }

func (s *Shell) vmmap(args []string) error {
	if len(args) != 1 {
		return usage("vmmap")
	}
	pid, err := s.pid(args[0])
	if err != nil {
		return err
	}
	entries, err := s.K.VMMap(pid)
	if err != nil {
		return err
	}
	fmt.Fprintf(s.Out, "Process: %s [%d]\n", s.procName(pid), pid)
	fmt.Fprintf(s.Out, "%-33s %8s %8s %-7s %-6s %-7s %5s %5s  %s\n",
		"START-END", "VSIZE", "RESIDENT", "PRT/MAX", "SHRMOD", "INHERIT", "WIRED", "OBJ", "BACKING")
	var size, resident, swapped uint64
	for _, e := range entries {
		obj := "-"
		if e.Object != 0 {
			obj = strconv.FormatUint(e.Object, 10)
		}
		mode := shareModes[e.ShareMode]
		if mode == "" {
			mode = "???"
		}
		fmt.Fprintf(s.Out, "%016x-%016x %8s %8s %s/%s SM=%-3s %-7s %5d %5s  %s\n",
			uint64(e.Start), uint64(e.End), kib(uint64(e.End-e.Start)), kib(uint64(e.Resident)*pmap.PageSize),
			e.Prot, e.MaxProt, mode, inheritNames[e.Inherit], e.Wired, obj, e.Backing)
		size += uint64(e.End - e.Start)
		resident += uint64(e.Resident)
		swapped += uint64(e.SwappedOut)
	}
	fmt.Fprintf(s.Out, "Total: %d entries, %s mapped, %d pages resident (%s), %d pages swapped out\n",
		len(entries), kib(size), resident, kib(resident*pmap.PageSize), swapped)
	return nil
}

// procName is the name ps gives pid.
func (s *Shell) procName(pid int) string {
	for _, p := range s.K.Tasks() {
		if p.PID == pid {
			return p.Name
		}
	}
	return "?"
}

func (s *Shell) vmStat(args []string) error {
	if len(args) != 0 {
		return usage("vm_stat")
	}
	st := s.K.VMStat()
	fmt.Fprintf(s.Out, "Mach Virtual Memory Statistics: (page size of %d bytes)\n", pmap.PageSize)
	for _, l := range []struct {
		name string
		n    uint64
	}{
		{"Pages free:", st.FreeCount},
		{"Pages active:", st.ActiveCount},
		{"Pages inactive:", st.InactiveCount},
		{"Pages wired down:", st.WireCount},
		{`"Translation faults":`, st.Faults},
		{"Pages copy-on-write:", st.CowFaults},
		{"Pages zero filled:", st.ZeroFills},
		{"Pages reactivated:", st.Reactivations},
		{"Pageins:", st.Pageins},
		{"Pageouts:", st.Pageouts},
		{"Pages reclaimed:", st.Reclaims},
		{"Object collapses:", st.Collapses},
	} {
		fmt.Fprintf(s.Out, "%-25s %16d.\n", l.name, l.n)
	}
	return nil
}

// pidAddr parses PID ADDR.
func (s *Shell) pidAddr(name string, args []string) (int, uint64, error) {
	if len(args) != 2 {
		return 0, 0, usage(name)
	}
	pid, err := s.pid(args[0])
	if err != nil {
		return 0, 0, err
	}
	addr, err := strconv.ParseUint(args[1], 0, 64)
	if err != nil {
		return 0, 0, fmt.Errorf("%q is not an address (0x... for hex)", args[1])
	}
	return pid, addr, nil
}

func (s *Shell) vmobject(args []string) error {
	pid, addr, err := s.pidAddr("vmobject", args)
	if err != nil {
		return err
	}
	e, objs, err := s.K.Chain(pid, addr)
	if err != nil {
		return fmt.Errorf("%#x: %v (vmmap %d lists the mapped ranges)", addr, err, pid)
	}
	fmt.Fprintf(s.Out, "%#x in entry %#x-%#x %s/%s SM=%s, offset %#x, needs copy %v, shared %v\n",
		addr, uint64(e.Start), uint64(e.End), e.Prot, e.MaxProt, shareModes[e.ShareMode], e.Offset, e.NeedsCopy, e.Shared)
	if len(objs) == 0 {
		fmt.Fprintf(s.Out, "  no object: %s; the first touch makes one\n", e.Backing)
		return nil
	}
	holder := -1
	for i, o := range objs {
		if i > 0 {
			fmt.Fprintf(s.Out, "      | shadow (backing object)\n      v\n")
		}
		kind := "internal"
		if !o.Internal {
			kind = "external"
		}
		pager := o.Pager
		if pager == "" {
			pager = "no pager yet"
		}
		fmt.Fprintf(s.Out, "  object %d: %s, size %s, %d resident, %d paged out, refs %d, %s\n",
			o.ID, kind, kib(o.Size), o.Resident, o.PagedOut, o.Refs, pager)
		fmt.Fprintf(s.Out, "    copy strategy: %s\n", o.Copy)
		here := "absent"
		switch {
		case o.HasPage:
			here = "RESIDENT"
		case o.PagerHas:
			here = "with the pager"
		}
		fmt.Fprintf(s.Out, "    page at offset %#x: %s\n", o.Offset, here)
		if holder < 0 && (o.HasPage || o.PagerHas) {
			holder = i
		}
	}
	switch {
	case holder < 0:
		fmt.Fprintln(s.Out, "the page is in no object: a fault zero-fills it in the top object")
	case objs[holder].HasPage:
		fmt.Fprintf(s.Out, "the page is resident in object %d (depth %d)\n", objs[holder].ID, holder)
	default:
		fmt.Fprintf(s.Out, "the page is held by the pager of object %d (depth %d): a fault pages it in\n", objs[holder].ID, holder)
	}
	return nil
}

func (s *Shell) pmap(args []string) error {
	pid, addr, err := s.pidAddr("pmap", args)
	if err != nil {
		return err
	}
	format, steps, err := s.K.Walk(pid, addr)
	if err != nil {
		return err
	}
	if len(steps) == 0 {
		return fmt.Errorf("%#x is outside the address range the tables translate", addr)
	}
	fmt.Fprintf(s.Out, "%#x in task %d, %s tables:\n", addr, pid, format)
	for _, st := range steps {
		fmt.Fprintf(s.Out, "  %-5s [%3d] of table %v = 0x%016x  %s\n", st.Level, st.Index, st.Table, st.Entry, st.Decoded)
	}
	return nil
}

func (s *Shell) pagers(args []string) error {
	if len(args) != 0 {
		return usage("pagers")
	}
	n := func(v int64) string {
		if v < 0 {
			return "-"
		}
		return strconv.FormatInt(v, 10)
	}
	ps := s.K.Pagers()
	fmt.Fprintf(s.Out, "%6s %8s %8s %9s %7s %7s %7s %7s  %s\n",
		"OBJECT", "SIZE", "RESIDENT", "PAGED-OUT", "USED", "FREE", "READS", "WRITES", "PAGER")
	for _, p := range ps {
		obj, size, free := "store", "-", "-"
		if p.Object != 0 {
			obj, size = strconv.FormatUint(p.Object, 10), kib(p.Size)
		}
		if p.Slots >= 0 && p.Used >= 0 {
			free = strconv.FormatInt(p.Slots-p.Used, 10)
		}
		fmt.Fprintf(s.Out, "%6s %8s %8d %9d %7s %7s %7s %7s  %s\n",
			obj, size, p.Resident, p.PagedOut, n(p.Used), free, n(p.Reads), n(p.Writes), p.Name)
	}
	return nil
}
