package amd64

import "github.com/tamach/tamach/pmap"

// Remove implements pmap.Pmap.
func (s *Space) Remove(start, end pmap.VAddr) error {
	if err := checkRange(start, end, s.kind, 0); err != nil {
		return err
	}
	return s.removeRange(start, end)
}

// Protect implements pmap.Pmap. Read access stays while any right does: x86
// has no write-only or execute-only pages (Intel SDM Vol. 3A §4.6).
func (s *Space) Protect(start, end pmap.VAddr, prot pmap.Prot) error {
	if err := checkRange(start, end, s.kind, 0); err != nil {
		return err
	}
	if err := checkProt(prot, 0); err != nil {
		return err
	}
	if prot == pmap.ProtNone {
		return s.removeRange(start, end)
	}
	return s.protectRange(start, end, prot)
}

// opKind names what a walk over a range does to each leaf it meets.
type opKind uint8

const (
	opRemove  opKind = iota // clear the leaf (Remove, Protect to ProtNone)
	opProtect               // lower the leaf's rights (Protect)
)

// rangeOp is one walk over a range: the operation, the TLB batch and the
// first error (a split that found no frame).
type rangeOp struct {
	kind       opKind
	prot       pmap.Prot
	clear, set entry // opProtect: what lowering to prot changes (lowering)
	b          batch
	err        error
}

// removeRange removes every mapping in [start, end) of canonical addresses,
// freeing tables left empty.
func (s *Space) removeRange(start, end pmap.VAddr) error {
	if start == end {
		return nil
	}
	op := rangeOp{kind: opRemove, b: batch{s: s}}
	return s.visitRange(&op, linear(start), linear(end-1)+1)
}

// protectRange lowers to prot every mapping in [start, end). Precondition:
// prot is not ProtNone.
func (s *Space) protectRange(start, end pmap.VAddr, prot pmap.Prot) error {
	if start == end {
		return nil
	}
	op := rangeOp{kind: opProtect, prot: prot, b: batch{s: s}}
	op.clear, op.set = lowering(prot, s.sys.feat.NX)
	return s.visitRange(&op, linear(start), linear(end-1)+1)
}

// removeAll removes every mapping of both halves and frees every table but
// the root.
func (s *Space) removeAll() {
	op := rangeOp{kind: opRemove, b: batch{s: s}}
	s.visitRange(&op, 0, linearEnd)
}

// visitRange applies op over the linear range [start, end) and completes its
// TLB maintenance.
func (s *Space) visitRange(op *rangeOp, start, end uint64) error {
	if start < end {
		s.visit(op, &s.top, levelPML4, 0, start, end)
	}
	op.b.finish()
	return op.err
}

// visit applies op to the part of [start, end) that the table ref references
// covers; base is the linear address of its first entry, level its level.
func (s *Space) visit(op *rangeOp, ref *entry, level int, base, start, end uint64) {
	t := s.sys.table(ref.tableAddr())
	size := levelSize(level)
	for i := int((start - base) / size); i < entries && op.err == nil; i++ {
		lo := base + uint64(i)*size
		if lo >= end {
			return
		}
		slot, hi := &t[i], lo+size
		if !slot.valid() {
			continue
		}
		va := signExtend(pmap.VAddr(lo))
		if slot.leaf(level) {
			if start <= lo && hi <= end {
				if op.kind == opProtect && *slot&^op.clear|op.set == *slot {
					continue // keeps its rights: most of what a fork walks
				}
				op.leaf(s, slot, ref, level, va)
				continue
			}
			if op.err = s.split(slot, level, va); op.err != nil {
				return
			}
		}
		s.visit(op, slot, level-1, lo, max(start, lo), min(end, hi))
		if slot.count() == 0 {
			s.freeTable(slot, ref, va, &op.b)
		}
	}
}

// leaf applies op to one leaf wholly inside the range.
func (op *rangeOp) leaf(s *Space, slot, ref *entry, level int, va pmap.VAddr) {
	// LAB pgtbl-x86: begin
	switch op.kind {
	case opRemove:
		old := *slot
		*slot = 0
		ref.addCount(-1)
		s.forget(old, level, va)
		op.b.add(va)
	case opProtect:
		if e := slot.lowered(op.prot, s.sys.feat.NX); e != *slot {
			*slot = e
			op.b.add(va)
		}
	}
	// LAB pgtbl-x86: stub
	// panic("lab pgtbl-x86: not implemented: rangeOp.leaf (remove or protect one leaf)")
	// LAB pgtbl-x86: end
}

// protectPage lowers the protection of the mapped page at va (PageProtect).
func (s *Space) protectPage(va pmap.VAddr, prot pmap.Prot) {
	slot := s.leafAt(va)
	if e := slot.lowered(prot, s.sys.feat.NX); e != *slot {
		*slot = e
		s.invalidate(va)
	}
}
