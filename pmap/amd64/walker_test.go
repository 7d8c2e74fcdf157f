package amd64

// An MMU written from the manual, independently of the code under test: its
// own bit constants, its own walk. It translates a linear address through
// 4-level paging as Intel SDM Vol. 3A §4.5 describes, checks access rights as
// §4.6 does, and sets Accessed and Dirty as §4.8 does.

import (
	"fmt"

	"github.com/tamach/tamach/pmap"
)

// Bits of a paging-structure entry (Intel SDM Vol. 3A Tables 4-15 to 4-20).
const (
	mmuP   = uint64(1) << 0  // present
	mmuRW  = uint64(1) << 1  // read/write
	mmuUS  = uint64(1) << 2  // user/supervisor
	mmuPWT = uint64(1) << 3  // write-through
	mmuPCD = uint64(1) << 4  // cache disable
	mmuA   = uint64(1) << 5  // accessed
	mmuD   = uint64(1) << 6  // dirty (leaves only)
	mmuPS  = uint64(1) << 7  // page size (PDPTE, PDE); reserved in a PML4E
	mmuG   = uint64(1) << 8  // global (leaves only)
	mmuXD  = uint64(1) << 63 // execute-disable when IA32_EFER.NXE = 1
)

// mmuAccess is one memory access.
type mmuAccess struct {
	write bool
	exec  bool
	user  bool // CPL 3
}

// mmuConfig is the processor state the walk depends on.
type mmuConfig struct {
	nxe      bool // IA32_EFER.NXE
	wp       bool // CR0.WP
	physBits uint // MAXPHYADDR
}

// mmuResult is a successful translation.
type mmuResult struct {
	pa       uint64 // physical address of the byte accessed
	pageSize uint64 // 4 KiB, 2 MiB or 1 GiB
	leaf     uint64 // the leaf entry (after A/D updates)
	rw, us   bool   // combined rights along the walk (§4.6.1)
	xd       bool
}

// errMMUNotPresent, errMMURights and errMMUReserved are the page faults the
// walk raises (error code P = 0, P = 1, RSVD = 1; §4.7); errMMUGP is the
// general-protection fault of a non-canonical address (SDM Vol. 1 §3.3.7.1).
var (
	errMMUNotPresent = fmt.Errorf("#PF not present")
	errMMURights     = fmt.Errorf("#PF protection")
	errMMUReserved   = fmt.Errorf("#PF reserved bit")
	errMMUGP         = fmt.Errorf("#GP non-canonical")
)

// mmuWalk translates la with the PML4 table at cr3 (bits 51:12). When setAD
// is true and the access is allowed, it sets A in every entry used and D in
// the leaf on a write.
func mmuWalk(mem pmap.Memory, cr3 uint64, la uint64, acc mmuAccess, cfg mmuConfig, setAD bool) (mmuResult, error) {
	if top := la >> 47; top != 0 && top != 1<<17-1 {
		return mmuResult{}, errMMUGP
	}
	addrMask := (uint64(1)<<cfg.physBits - 1) &^ 0xfff
	reservedHigh := (uint64(1)<<52 - 1) &^ (uint64(1)<<cfg.physBits - 1)
	table := cr3 & addrMask
	rw, us, xd := true, true, false
	var used [4]*uint64
	shifts := [4]uint{39, 30, 21, 12} // PML4, PDPT, PD, PT index positions (§4.5.4)
	for depth, shift := range shifts {
		ent := &pmap.Table(mem, pmap.PAddr(table))[(la>>shift)&0x1ff]
		e := *ent
		used[depth] = ent
		if e&mmuP == 0 {
			return mmuResult{}, errMMUNotPresent
		}
		if e&reservedHigh != 0 || (!cfg.nxe && e&mmuXD != 0) || (depth == 0 && e&mmuPS != 0) {
			return mmuResult{}, errMMUReserved
		}
		rw = rw && e&mmuRW != 0
		us = us && e&mmuUS != 0
		xd = xd || (cfg.nxe && e&mmuXD != 0)
		size := uint64(1) << shift
		if depth == 3 || e&mmuPS != 0 {
			frame := e & addrMask &^ (size - 1)
			if e&addrMask&(size-1)&^(1<<12) != 0 { // bits below the frame, other than PAT, are reserved
				return mmuResult{}, errMMUReserved
			}
			r := mmuResult{pa: frame | la&(size-1), pageSize: size, rw: rw, us: us, xd: xd}
			if err := mmuCheck(r, acc, cfg); err != nil {
				return mmuResult{}, err
			}
			if setAD {
				for _, u := range used[:depth+1] {
					*u |= mmuA
				}
				if acc.write {
					*ent |= mmuD
				}
			}
			r.leaf = *ent
			return r, nil
		}
		table = e & addrMask
	}
	panic("mmuWalk: no leaf at the PT level")
}

// mmuCheck applies the access-rights rules of §4.6.1 (SMEP and SMAP off).
func mmuCheck(r mmuResult, acc mmuAccess, cfg mmuConfig) error {
	switch {
	case acc.user && !r.us:
		return errMMURights
	case acc.write && !r.rw && (acc.user || cfg.wp):
		return errMMURights
	case acc.exec && r.xd:
		return errMMURights
	}
	return nil
}

// mmuLeaf is one mapping found by mmuEnumerate.
type mmuLeaf struct {
	va       pmap.VAddr
	pa       uint64
	pageSize uint64
	entry    uint64
}

// mmuEnumerate lists every present leaf reachable from cr3, and the table
// frames (root included) it went through.
func mmuEnumerate(mem pmap.Memory, cr3 uint64, physBits uint) (leaves []mmuLeaf, tables []uint64) {
	addrMask := (uint64(1)<<physBits - 1) &^ 0xfff
	var rec func(table uint64, depth int, base uint64)
	rec = func(table uint64, depth int, base uint64) {
		tables = append(tables, table)
		shift := uint(39 - 9*depth)
		for i, e := range pmap.Table(mem, pmap.PAddr(table)) {
			if e&mmuP == 0 {
				continue
			}
			la := base | uint64(i)<<shift
			if depth == 3 || e&mmuPS != 0 {
				if la&(1<<47) != 0 {
					la |= 0xffff << 48
				}
				size := uint64(1) << shift
				leaves = append(leaves, mmuLeaf{pmap.VAddr(la), e & addrMask &^ (size - 1), size, e})
				continue
			}
			rec(e&addrMask, depth+1, la)
		}
	}
	rec(cr3&addrMask, 0, 0)
	return leaves, tables
}
