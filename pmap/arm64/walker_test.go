package arm64

// An MMU in software, written from the Arm ARM (DDI 0487) independently of
// the package under test: its own bit constants, its own walk. It translates
// a virtual address through VMSAv8-64 stage-1 tables (4KB granule, 48-bit
// halves, TCR_EL1.TBI0/1 = 0, SCTLR_EL1.WXN = 0, PAN not modelled) and
// checks the access as the EL1&0 regime does.

import (
	"sync/atomic"

	"github.com/tamach/tamach/pmap"
)

// Walker's own view of the descriptor bits (Arm ARM D8.3).
const (
	wValid    = uint64(1) << 0
	wNotBlock = uint64(1) << 1
	wAP1      = uint64(1) << 6 // EL0 access
	wAP2      = uint64(1) << 7 // read-only
	wAF       = uint64(1) << 10
	wNG       = uint64(1) << 11
	wDBM      = uint64(1) << 51
	wPXN      = uint64(1) << 53
	wUXN      = uint64(1) << 54
	wAttrIdx  = uint64(7) << 2
	wAddr     = uint64(0x0000_ffff_ffff_f000)
	wSoftware = uint64(0xf) << 55 // bits[58:55], ignored by the hardware
	wPBHA     = uint64(0xf) << 59 // bits[62:59], ignored without FEAT_HPDS2 and TCR_EL1.HWUnn
	wSWWrite  = uint64(1) << 55   // this pmap's documented "logically writable" bit
	wUpper    = uint64(0xffff) << 48
)

// fault kinds the walker reports (ESR_EL1 DFSC/IFSC classes, D24.2 "ESR_EL1").
type wFault int

const (
	wOK wFault = iota
	wTranslation
	wAccessFlag
	wPermission
)

func (f wFault) String() string {
	return [...]string{"ok", "translation", "access-flag", "permission"}[f]
}

// wAccess is one memory access.
type wAccess struct {
	el0   bool
	write bool
	exec  bool
}

// wWalk is the result of a walk: the leaf (or the failing entry) and where
// it was found, and the table descriptors on the way.
type wWalk struct {
	fault  wFault
	level  int
	desc   uint64
	slot   *uint64
	pa     uint64    // translated address, for the page of va
	tables [4]uint64 // table descriptors at levels 0..level-1
}

// wTable reads a translation table through the arena.
func wTable(mem pmap.Memory, pa uint64) *[512]uint64 {
	return pmap.Table(mem, pmap.PAddr(pa))
}

// softWalk translates va with the table at root (TTBR0 if va is in the lower
// half, TTBR1 if in the upper one; the caller passes the right root).
func softWalk(mem pmap.Memory, root uint64, va uint64) wWalk {
	top := va & wUpper
	if top != 0 && top != wUpper {
		return wWalk{fault: wTranslation} // neither half: level 0 Translation fault
	}
	table := root
	var w wWalk
	for level := 0; level < 4; level++ {
		shift := 39 - 9*uint(level)
		slot := &wTable(mem, table)[(va>>shift)&0x1ff]
		d := atomic.LoadUint64(slot)
		w.level, w.desc, w.slot = level, d, slot
		if d&wValid == 0 {
			w.fault = wTranslation
			return w
		}
		if level < 3 && d&wNotBlock != 0 {
			w.tables[level] = d
			table = d & wAddr
			continue
		}
		if level == 3 && d&wNotBlock == 0 {
			w.fault = wTranslation // reserved encoding at level 3
			return w
		}
		if level == 0 {
			w.fault = wTranslation // no level 0 block with the 4KB granule
			return w
		}
		size := uint64(1) << shift
		w.pa = d&wAddr&^(size-1) | va&(size-1)&^0xfff
		return w
	}
	panic("softWalk: unreachable")
}

// wPermits applies the access permission rules of D8.4 to the leaf d.
func wPermits(d uint64, a wAccess) bool {
	ap := (d >> 6) & 3
	if a.exec {
		if a.el0 {
			return d&wUXN == 0
		}
		// EL1: PXN, and any EL0-writable location is PXN (AP[2:1] = 01).
		return d&wPXN == 0 && ap != 0b01
	}
	if a.el0 && ap&0b01 == 0 {
		return false
	}
	return !a.write || ap&0b10 == 0
}

// softAccess performs the access a on the walked leaf: the Access flag check
// (hardware update when hwAF), then permissions (with the hardware dirty
// state update when hwDirty and DBM is set). Updates are atomic, as the
// hardware's are.
func softAccess(w *wWalk, a wAccess, hwAF, hwDirty bool) wFault {
	if w.fault != wOK {
		return w.fault
	}
	d := atomic.LoadUint64(w.slot)
	if d&wAF == 0 {
		if !hwAF {
			return wAccessFlag
		}
		if !wPermits(d|wAF, a) && !(a.write && hwDirty && d&wDBM != 0 && wPermits(d&^wAP2|wAF, a)) {
			return wPermission
		}
		atomic.CompareAndSwapUint64(w.slot, d, d|wAF)
		d |= wAF
	}
	if wPermits(d, a) {
		w.desc = d
		return wOK
	}
	if a.write && hwDirty && d&wDBM != 0 && wPermits(d&^wAP2, a) {
		atomic.CompareAndSwapUint64(w.slot, d, d&^wAP2)
		w.desc = d &^ wAP2
		return wOK
	}
	return wPermission
}
